import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { BROKER_EVENTS, subscribeBrokerEvent } from '../../src/broker/events.js';
import { createAdmin, createProducer, KafkaError } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { makeTestCertificates, RawConnection, startTestBroker, waitFor, type TestBroker, type TestCertificates } from '../helpers/index.js';

const FAST = { retries: 0, connectionTimeoutMs: 5000, requestTimeoutMs: 5000 };

describe('broker: SASL', () => {
  let certs: TestCertificates;
  let broker: TestBroker;
  before(async () => {
    certs = await makeTestCertificates();
    broker = await startTestBroker({
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
      tls: { keyFile: certs.serverKeyFile, certFile: certs.serverCertFile },
      saslUsers: { alice: 'alice-secret', 'bob,=x': 'bob-secret' },
    });
  });
  after(async () => {
    await broker.close();
    await certs.remove();
  });
  const port = (name: string): number => broker.listeners.find((l) => l.name === name)!.port;

  for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512']) {
    for (const listener of ['SASL_PLAINTEXT', 'SASL_SSL']) {
      it(`our client authenticates with ${mechanism} over ${listener}`, async () => {
        const ssl = listener === 'SASL_SSL' ? { ca: readFileSync(certs.caFile) } : undefined;
        const admin = createAdmin({ bootstrapServers: `127.0.0.1:${port(listener)}`, ssl, sasl: { mechanism, username: 'alice', password: 'alice-secret' }, ...FAST });
        const topic = `sasl-${mechanism}-${listener}`.toLowerCase();
        await admin.createTopics({ topics: [{ name: topic, numPartitions: 1 }] });
        assert.ok((await admin.listTopics()).includes(topic));
        await admin.close();
      });
    }
  }

  it('wrong passwords and unknown users are refused with SASL_AUTHENTICATION_FAILED and Kafka messages', async () => {
    for (const [mechanism, username, password, message] of [
      ['plain', 'alice', 'wrong', 'Authentication failed: Invalid username or password'],
      ['plain', 'mallory', 'alice-secret', 'Authentication failed: Invalid username or password'],
      ['scram-sha-256', 'alice', 'wrong', 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256'],
      ['scram-sha-512', 'mallory', 'x', 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512'],
    ] as const) {
      const admin = createAdmin({ bootstrapServers: `127.0.0.1:${port('SASL_PLAINTEXT')}`, sasl: { mechanism, username, password }, ...FAST });
      const err = await admin.listTopics().then(() => null, (e: unknown) => e);
      assert.ok(err instanceof KafkaError, `${mechanism} ${username}: ${String(err)}`);
      assert.equal(err.code, ErrorCode.SASL_AUTHENTICATION_FAILED);
      assert.match(err.message, new RegExp(message));
      await admin.close();
    }
  });

  it('user names with , and = work with SCRAM (RFC 5802 escaping)', async () => {
    const admin = createAdmin({ bootstrapServers: `127.0.0.1:${port('SASL_PLAINTEXT')}`, sasl: { mechanism: 'scram-sha-256', username: 'bob,=x', password: 'bob-secret' }, ...FAST });
    await admin.listTopics();
    await admin.close();
  });

  it('before authentication only ApiVersions and SaslHandshake are served; anything else closes the connection', async () => {
    const c = await RawConnection.connect(port('SASL_PLAINTEXT'));
    assert.equal((await c.request(18, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' })).errorCode, ErrorCode.NONE);
    c.send(3, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    assert.equal(await c.nextFrame(3000), null, 'Metadata before authentication closes the connection unanswered');
    const d = await RawConnection.connect(port('SASL_PLAINTEXT'));
    assert.deepEqual(await d.request(17, 1, { mechanism: 'GSSAPI' }), { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] });
    await d.closed;
  });

  it('an unauthenticated peer cannot send a frame over 512 KiB', async () => {
    const c = await RawConnection.connect(port('SASL_PLAINTEXT'));
    const size = Buffer.alloc(4);
    size.writeInt32BE(524_289);
    c.writeRaw(size);
    assert.equal(await c.nextFrame(3000), null);
    // After authenticating, a large request is fine.
    const ok = await RawConnection.connect(port('SASL_PLAINTEXT'));
    await ok.request(17, 1, { mechanism: 'PLAIN' });
    const auth = await ok.request(36, 2, { authBytes: Buffer.from('\0alice\0alice-secret') });
    assert.equal(auth.errorCode, ErrorCode.NONE);
    const big = await ok.request(19, 5, { topics: [{ name: 'x'.repeat(200), numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'delete' }, ...Array.from({ length: 3000 }, () => ({ name: 'retention.ms', value: '1'.repeat(200) }))] }], timeoutMs: 1000, validateOnly: true });
    assert.equal(big.topics.length, 1, 'a 600 KiB request was read and answered');
    ok.close();
  });

  it('SaslHandshake v0 is followed by raw SASL tokens', async () => {
    const c = await RawConnection.connect(port('SASL_PLAINTEXT'));
    assert.equal((await c.request(17, 0, { mechanism: 'PLAIN' })).errorCode, ErrorCode.NONE);
    const token = Buffer.from('\0alice\0alice-secret');
    const frame = Buffer.alloc(4 + token.length);
    frame.writeInt32BE(token.length);
    token.copy(frame, 4);
    c.writeRaw(frame);
    assert.deepEqual(await c.nextFrame(3000), Buffer.alloc(0), 'PLAIN success is an empty token');
    assert.equal((await c.request(3, 1, { topics: [] })).brokers.length, 1, 'Kafka requests follow');
    c.close();
  });

  it('SaslHandshake on a listener without SASL answers ILLEGAL_SASL_STATE', async () => {
    const plain = await startTestBroker();
    try {
      const c = await RawConnection.connect(plain.port);
      assert.equal((await c.request(17, 1, { mechanism: 'PLAIN' })).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
      c.close();
    } finally {
      await plain.close();
    }
  });
});

describe('broker: SASL re-authentication (KIP-368)', () => {
  it('a client re-authenticates on the same connection before its session expires; one that does not is closed', async () => {
    const broker = await startTestBroker({ listeners: 'SASL_PLAINTEXT://127.0.0.1:0', saslUsers: { alice: 'pw' }, connectionsMaxReauthMs: 600 });
    const authentications = new Map<number, number>();
    const unsubscribe = subscribeBrokerEvent(BROKER_EVENTS.authenticated, (e) => {
      if (e.port === broker.port) authentications.set(e.connectionId, (authentications.get(e.connectionId) ?? 0) + 1);
    });
    try {
      const producer = createProducer({ bootstrapServers: broker.bootstrap, sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'pw' }, ...FAST, retries: 5 });
      await waitFor(async () => {
        await producer.send({ topic: 'reauth', messages: [{ value: 'v' }] });
        return [...authentications.values()].some((n) => n >= 3);
      }, 20_000, 'a connection re-authenticated twice', 100);
      await producer.close();

      const c = await RawConnection.connect(broker.port);
      await c.request(17, 1, { mechanism: 'PLAIN' });
      const auth = await c.request(36, 1, { authBytes: Buffer.from('\0alice\0pw') });
      assert.equal(Number(auth.sessionLifetimeMs), 600);
      await new Promise((resolve) => setTimeout(resolve, 700));
      c.send(3, 1, { topics: [] });
      assert.equal(await c.nextFrame(3000), null, 'an expired session is closed at its next request');
    } finally {
      unsubscribe();
      await broker.close();
    }
  });
});
