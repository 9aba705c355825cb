import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { BROKER_EVENTS, subscribeBrokerEvent } from '../../src/broker/events.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { makeTestCertificates, RawConnection, startTestBroker, waitFor, type TestBroker, type TestCertificates } from '../helpers/index.js';

describe('broker: listeners and TLS', () => {
  let certs: TestCertificates;
  let broker: TestBroker;
  before(async () => {
    certs = await makeTestCertificates('alice');
    broker = await startTestBroker({
      listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,EXTERNAL://127.0.0.1:0',
      listenerSecurityProtocolMap: 'EXTERNAL:SSL',
      advertisedListeners: 'EXTERNAL://kafka.example.com:443',
      tls: { keyFile: certs.serverKeyFile, certFile: certs.serverCertFile, caFile: certs.caFile, clientAuth: 'requested' },
    });
  });
  after(async () => {
    await broker.close();
    await certs.remove();
  });

  const port = (name: string): number => broker.listeners.find((l) => l.name === name)!.port;
  const ca = (): Buffer => readFileSync(certs.caFile);

  it('Metadata, FindCoordinator and DescribeCluster advertise the listener the client connected to', async () => {
    const plain = await RawConnection.connect(port('PLAINTEXT'));
    const ssl = await RawConnection.connectTls(port('SSL'), { ca: ca() });
    const external = await RawConnection.connectTls(port('EXTERNAL'), { ca: ca() });
    for (const [c, host, expected] of [[plain, '127.0.0.1', port('PLAINTEXT')], [ssl, '127.0.0.1', port('SSL')], [external, 'kafka.example.com', 443]] as const) {
      const md = await c.request(3, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
      assert.deepEqual(md.brokers.map((b) => [b.host, b.port]), [[host, expected]]);
      const fc = await c.request(10, 3, { key: 'g', keyType: 0 });
      assert.deepEqual([fc.host, fc.port], [host, expected]);
      const dc = await c.request(60, 0, { includeClusterAuthorizedOperations: false });
      assert.deepEqual(dc.brokers.map((b) => [b.host, b.port]), [[host, expected]]);
      c.close();
    }
    assert.equal(broker.config.port, port('PLAINTEXT'), 'the first listener is the broker port');
  });

  it('a client certificate makes the subject the principal; without one the principal is ANONYMOUS', async () => {
    const opened: Array<{ listener: string; principal: string }> = [];
    const unsubscribe = subscribeBrokerEvent(BROKER_EVENTS.connectionOpened, (e) => {
      if (e.port === broker.port) opened.push({ listener: e.listener, principal: e.principal });
    });
    try {
      const withCert = await RawConnection.connectTls(port('SSL'), { ca: ca(), key: readFileSync(certs.clientKeyFile), cert: readFileSync(certs.clientCertFile) });
      const without = await RawConnection.connectTls(port('SSL'), { ca: ca() });
      for (const c of [withCert, without]) assert.equal((await c.request(18, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' })).errorCode, ErrorCode.NONE);
      await waitFor(() => opened.length === 2, 5000, 'both connections reported');
      assert.deepEqual(opened, [
        { listener: 'SSL', principal: 'User:CN=alice,O=Samsa Test' },
        { listener: 'SSL', principal: 'User:ANONYMOUS' },
      ]);
      withCert.close();
      without.close();
    } finally {
      unsubscribe();
    }
  });

  it('a client that does not trust the broker certificate fails the handshake; the broker serves others', async () => {
    await assert.rejects(RawConnection.connectTls(port('SSL'), {}), /self-signed certificate in certificate chain|unable to verify/);
    const ok = await RawConnection.connectTls(port('SSL'), { ca: ca() });
    assert.equal((await ok.request(18, 0, {})).errorCode, ErrorCode.NONE);
    ok.close();
  });

  it('renewed certificate files are used by new connections after reloadTls, while open ones carry on', async () => {
    const before = await RawConnection.connectTls(port('SSL'), { ca: ca() });
    const subjectOf = (c: RawConnection): string | undefined => (c.socket as TLSSocket).getPeerCertificate().subject?.CN as string | undefined;
    assert.equal(subjectOf(before), 'samsa-broker');
    certs.renewServerCertificate('samsa-broker-renewed');
    broker.reloadTls();
    const afterReload = await RawConnection.connectTls(port('SSL'), { ca: ca() });
    assert.equal(subjectOf(afterReload), 'samsa-broker-renewed');
    assert.equal((await before.request(18, 0, {})).errorCode, ErrorCode.NONE, 'the open connection still works');
    before.close();
    afterReload.close();
  });
});

describe('broker: listener checks', () => {
  it('required client certificates: a client without one is refused', async () => {
    const certs = await makeTestCertificates('bob');
    const broker = await startTestBroker({ listeners: 'SSL://127.0.0.1:0', tls: { keyFile: certs.serverKeyFile, certFile: certs.serverCertFile, caFile: certs.caFile, clientAuth: 'required' } });
    try {
      const ca = readFileSync(certs.caFile);
      const refused = await RawConnection.connectTls(broker.port, { ca }).then(
        async (c) => (await c.nextFrame(3000).catch(() => null)) === null,
        () => true,
      );
      assert.ok(refused, 'no certificate, no connection');
      const ok = await RawConnection.connectTls(broker.port, { ca, key: readFileSync(certs.clientKeyFile), cert: readFileSync(certs.clientCertFile) });
      assert.equal((await ok.request(18, 0, {})).errorCode, ErrorCode.NONE);
      ok.close();
    } finally {
      await broker.close();
      await certs.remove();
    }
  });

  it('binding every interface with PLAINTEXT and no authentication logs a clear warning; loopback does not', async () => {
    const open = await startTestBroker({ listeners: 'PLAINTEXT://0.0.0.0:0' });
    const local = await startTestBroker({ listeners: 'PLAINTEXT://127.0.0.1:0' });
    try {
      const warning = open.logger.lines.find((l) => l.level === 'warn' && /accepts unauthenticated, unencrypted connections/.test(l.message));
      assert.ok(warning, 'a warning names the exposed listener');
      assert.match(warning.message, /PLAINTEXT:\/\/0\.0\.0\.0:\d+/);
      assert.ok(!local.logger.lines.some((l) => l.level === 'warn'));
    } finally {
      await open.close();
      await local.close();
    }
  });

  it('bad listener settings are refused with the setting at fault', async () => {
    await assert.rejects(startTestBroker({ listeners: 'SSL://127.0.0.1:0' }), /SSL or SASL_SSL listener needs tls/);
    await assert.rejects(startTestBroker({ listeners: 'PLAINTEXT://127.0.0.1:0', host: '127.0.0.1' }), /listeners replaces host and port/);
    await assert.rejects(startTestBroker({ listeners: 'SSL://127.0.0.1:0', tls: { keyFile: '/nonexistent/k', certFile: '/nonexistent/c' } }), /cannot read the TLS key \/nonexistent\/k/);
  });
});
