import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { readFile } from 'node:fs/promises';
import { makeTempDir, runProgram, startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';
import { createAdmin, createProducer, KafkaError, CLIENT_CHANNELS, type ProducerBatchSentEvent, type CompressionName } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { readAllRecords } from './client-read.js';
import { FaultProxy } from './client-proxy.js';
import { StubBroker, apiVersionsBody, metadataBody } from './client-stub-broker.js';

let broker: TestBroker;
before(async () => {
  broker = await startTestBroker({ numPartitions: 3 });
});
after(async () => {
  await broker.close();
});

const FAST = { retryBackoffMs: 5, retryBackoffMaxMs: 20, reconnectBackoffMs: 5, reconnectBackoffMaxMs: 20 };

for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as CompressionName[]) {
  test(`round trip with compression ${compression}: keys, values, headers, timestamps, offsets`, async () => {
    const topic = `rt-${compression}`;
    const producer = createProducer({ bootstrapServers: broker.bootstrap, compression, ...FAST });
    const messages = Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: `value-${i}`.repeat(3), headers: { n: String(i), empty: null }, timestamp: 1_700_000_000_000 + i }));
    const results = await producer.send({ topic, messages });
    await producer.close();
    assert.equal(results.length, 300);
    const read = await readAllRecords(broker.bootstrap, topic);
    assert.equal(read.length, 300);
    const byKey = new Map(read.map((r) => [r.key, r]));
    results.forEach((meta, i) => {
      const r = byKey.get(`k${i}`)!;
      assert.equal(r.partition, meta.partition);
      assert.equal(r.offset, meta.offset);
      assert.equal(r.value, `value-${i}`.repeat(3));
      assert.equal(r.timestamp, 1_700_000_000_000 + i);
      assert.deepEqual(r.headers, { n: String(i), empty: null });
    });
    const codes = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
    assert.ok(read.every((r) => r.compression === codes[compression]));
    assert.ok(read.every((r) => r.producerId >= 0), 'idempotent by default');
  });
}

test('close() right after send() loses nothing', async () => {
  const producer = createProducer({ bootstrapServers: broker.bootstrap, lingerMs: 1000, ...FAST });
  const sent = producer.send({ topic: 'close-now', messages: Array.from({ length: 5000 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
  await producer.close();
  assert.equal((await sent).length, 5000);
  const read = await readAllRecords(broker.bootstrap, 'close-now');
  assert.equal(read.length, 5000);
  assert.equal(new Set(read.map((r) => r.key)).size, 5000);
  await assert.rejects(producer.send({ topic: 'close-now', messages: [{ value: 'late' }] }), /closed/);
});

test('acks=1 and acks=0 deliver too (acks=0 reports offset -1)', async () => {
  for (const acks of [1, 0] as const) {
    const topic = `acks-${acks}`;
    const producer = createProducer({ bootstrapServers: broker.bootstrap, acks, ...FAST });
    const results = await producer.send({ topic, messages: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' })) });
    await producer.close();
    assert.ok(results.every((r) => (acks === 0 ? r.offset === -1 : r.offset >= 0)));
    assert.equal((await readAllRecords(broker.bootstrap, topic)).length, 50);
  }
});

async function produceThroughFlakyProxy(topic: string, idempotent: boolean): Promise<{ read: Awaited<ReturnType<typeof readAllRecords>>; produceRequests: number }> {
  const proxy = await new FaultProxy({ host: '127.0.0.1', port: broker.port }).start();
  const producer = createProducer({ bootstrapServers: proxy.bootstrap, idempotent, maxInFlightRequestsPerConnection: 1, ...FAST });
  try {
    await producer.connect();
    // The broker appends the first two Produce requests, but their answers never arrive.
    proxy.dropAnswers.set(0, 2);
    const results = await producer.send({ topic, messages: Array.from({ length: 600 }, (_, i) => ({ key: `k${i % 3}`, value: String(i), partition: 0 })) });
    assert.equal(results.length, 600);
    return { read: await readAllRecords(broker.bootstrap, topic), produceRequests: proxy.seen.filter((s) => s.apiKey === 0).length };
  } finally {
    await producer.close();
    await proxy.stop();
  }
}

test('idempotent retries after lost answers write every record exactly once, in order', async () => {
  const { read, produceRequests } = await produceThroughFlakyProxy('idem-retry', true);
  assert.ok(produceRequests >= 3, 'the lost answers were retried');
  assert.deepEqual(read.map((r) => r.value), Array.from({ length: 600 }, (_, i) => String(i)));
});

test('without idempotence the same faults duplicate records (what the test above guards against)', async () => {
  const { read } = await produceThroughFlakyProxy('non-idem-retry', false);
  assert.ok(read.length > 600, `expected duplicates, read ${read.length}`);
  assert.equal(new Set(read.map((r) => r.value)).size, 600, 'but nothing is lost');
});

test('a non-retriable broker error fails the send with a KafkaError naming topic and partition', async () => {
  const small = await startTestBroker({ numPartitions: 1, messageMaxBytes: 2000 });
  const producer = createProducer({ bootstrapServers: small.bootstrap, ...FAST });
  try {
    await assert.rejects(producer.send({ topic: 'too-big', messages: [{ key: 'k', value: Buffer.alloc(5000) }] }), (e: KafkaError) =>
      e instanceof KafkaError && e.code === ErrorCode.MESSAGE_TOO_LARGE && e.topic === 'too-big' && e.partition === 0 && e.api === 'Produce' && !e.retriable);
    const ok = await producer.send({ topic: 'too-big', messages: [{ key: 'k', value: 'small' }] });
    assert.equal(ok[0]!.offset, 0, 'the producer keeps working after the failure');
  } finally {
    await producer.close();
    await small.close();
  }
});

test('retriable errors are retried up to `retries`, refreshing metadata, then surface', async () => {
  let stub!: StubBroker;
  let produces = 0;
  stub = await new StubBroker((req) => {
    switch (req.header.apiKey) {
      case 18: return apiVersionsBody();
      case 3: return metadataBody(stub.port, [{ name: 't', partitions: 1 }]);
      case 22: return { errorCode: 0, producerId: 7, producerEpoch: 0 };
      case 0:
        produces++;
        return { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }] }] };
      default: return undefined;
    }
  }).start();
  const producer = createProducer({ bootstrapServers: stub.bootstrap, retries: 2, ...FAST });
  try {
    await assert.rejects(producer.send({ topic: 't', messages: [{ key: 'k', value: 'v' }] }), (e: KafkaError) => e.code === ErrorCode.NOT_LEADER_OR_FOLLOWER && e.retriable && e.topic === 't');
    assert.equal(produces, 3, 'first try + 2 retries');
    assert.ok(stub.requests.filter((r) => r.header.apiKey === 3).length >= 2, 'metadata refreshed after NOT_LEADER_OR_FOLLOWER');
  } finally {
    await producer.close().catch(() => {});
    await stub.stop();
  }
});

test('backpressure: send waits for buffer room, then fails after maxBlockMs', async () => {
  let stub!: StubBroker;
  stub = await new StubBroker((req) => {
    switch (req.header.apiKey) {
      case 18: return apiVersionsBody();
      case 3: return metadataBody(stub.port, [{ name: 't', partitions: 1 }]);
      case 22: return { errorCode: 0, producerId: 7, producerEpoch: 0 };
      case 0: return null; // never answered
      default: return undefined;
    }
  }).start();
  const producer = createProducer({ bootstrapServers: stub.bootstrap, maxRequestSize: 1024, bufferMemory: 4096, maxBlockMs: 150, requestTimeoutMs: 400, deliveryTimeoutMs: 500, ...FAST });
  try {
    const startMs = Date.now();
    await assert.rejects(producer.send({ topic: 't', messages: Array.from({ length: 20 }, () => ({ value: Buffer.alloc(500) })) }), (e: KafkaError) =>
      e.code === ErrorCode.REQUEST_TIMED_OUT && /bufferMemory/.test(e.message));
    assert.ok(Date.now() - startMs >= 140, 'it waited for room first');
  } finally {
    await producer.close().catch(() => {});
    await stub.stop();
  }
});

test('keyless records stick to one partition per batch (KIP-480); a custom partitioner decides when it answers', async () => {
  const producer = createProducer({ bootstrapServers: broker.bootstrap, ...FAST });
  const keyless = await producer.send({ topic: 'sticky', messages: Array.from({ length: 50 }, (_, i) => ({ value: `v${i}` })) });
  assert.equal(new Set(keyless.map((r) => r.partition)).size, 1);
  await producer.close();
  const custom = createProducer({ bootstrapServers: broker.bootstrap, partitioner: ({ value, partitionCount }) => Number(value!.toString()) % partitionCount, ...FAST });
  const placed = await custom.send({ topic: 'custom-part', messages: Array.from({ length: 9 }, (_, i) => ({ value: String(i) })) });
  assert.deepEqual(placed.map((r) => r.partition), [0, 1, 2, 0, 1, 2, 0, 1, 2]);
  await custom.close();
});

test('a batch-sent event is published per acknowledged batch', async () => {
  const events: ProducerBatchSentEvent[] = [];
  const listener = (e: unknown) => events.push(e as ProducerBatchSentEvent);
  diagnostics_channel.subscribe(CLIENT_CHANNELS.producerBatchSent, listener);
  const producer = createProducer({ bootstrapServers: broker.bootstrap, clientId: 'events-test', compression: 'gzip', ...FAST });
  try {
    await producer.send({ topic: 'events', messages: [{ key: 'a', value: 'x' }, { key: 'b', value: 'y' }] });
  } finally {
    diagnostics_channel.unsubscribe(CLIENT_CHANNELS.producerBatchSent, listener);
    await producer.close();
  }
  const mine = events.filter((e) => e.clientId === 'events-test');
  assert.equal(mine.reduce((n, e) => n + e.records, 0), 2);
  assert.ok(mine.every((e) => e.topic === 'events' && e.compression === 'gzip' && e.baseOffset >= 0 && e.attempts === 0));
});

test('partitions added to a topic are used once metadata is older than metadataMaxAgeMs', async () => {
  const admin = createAdmin({ bootstrapServers: broker.bootstrap });
  await admin.createTopics({ topics: [{ name: 'grows', numPartitions: 2 }] });
  const producer = createProducer({ bootstrapServers: broker.bootstrap, metadataMaxAgeMs: 100, ...FAST });
  try {
    const keys = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    assert.ok((await producer.send({ topic: 'grows', messages: keys })).every((r) => r.partition < 2));
    await admin.createPartitions({ topics: [{ name: 'grows', count: 4 }] });
    await waitFor(async () => (await producer.send({ topic: 'grows', messages: keys })).some((r) => r.partition >= 2), 5000, 'records on the new partitions');
  } finally {
    await producer.close();
    await admin.close();
  }
});

test('over TLS (ssl option): produce and read back through a TLS endpoint', async () => {
  const dir = await makeTempDir('samsa-tls-');
  try {
    const cert = await runProgram('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
      '-days', '1', '-keyout', `${dir.path}/key.pem`, '-out', `${dir.path}/cert.pem`]);
    assert.equal(cert.code, 0, cert.stderr);
    const [key, certPem] = await Promise.all([readFile(`${dir.path}/key.pem`), readFile(`${dir.path}/cert.pem`)]);
    const proxy = await new FaultProxy({ host: '127.0.0.1', port: broker.port }, { key, cert: certPem }).start();
    const producer = createProducer({ bootstrapServers: proxy.bootstrap, ssl: { ca: certPem }, ...FAST });
    try {
      const results = await producer.send({ topic: 'over-tls', messages: [{ key: 'k', value: 'secret' }] });
      assert.equal(results[0]!.offset, 0);
      assert.ok(proxy.seen.some((s) => s.apiKey === 0), 'the Produce went through the TLS endpoint');
      // A client that does not trust the certificate never gets past the handshake.
      const untrusted = createProducer({ bootstrapServers: proxy.bootstrap, ssl: true, retries: 0, ...FAST });
      await assert.rejects(untrusted.send({ topic: 'over-tls', messages: [{ value: 'x' }] }), (e: KafkaError) => e.code === ErrorCode.NETWORK_EXCEPTION && /self-signed/.test(e.message));
      await untrusted.close();
    } finally {
      await producer.close();
      await proxy.stop();
    }
    assert.equal((await readAllRecords(broker.bootstrap, 'over-tls')).length, 1);
  } finally {
    await dir.remove();
  }
});

test('idempotence is on by default only where the broker offers InitProducerId', async () => {
  let stub!: StubBroker;
  const producerIds: number[] = [];
  stub = await new StubBroker((req) => {
    switch (req.header.apiKey) {
      case 18: {
        const body = apiVersionsBody() as { errorCode: number; apiKeys: Array<{ apiKey: number }> };
        return { ...body, apiKeys: body.apiKeys.filter((k) => k.apiKey !== 22) };
      }
      case 3: return metadataBody(stub.port, [{ name: 't', partitions: 1 }]);
      case 0: {
        const batch = (req.body as { topicData: Array<{ partitionData: Array<{ records: Buffer }> }> }).topicData[0]!.partitionData[0]!.records;
        producerIds.push(Number(batch.readBigInt64BE(43)));
        return { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 10 }] }] };
      }
      default: return undefined;
    }
  }).start();
  const producer = createProducer({ bootstrapServers: stub.bootstrap, ...FAST });
  try {
    const [r] = await producer.send({ topic: 't', messages: [{ value: 'v' }] });
    assert.equal(r!.offset, 10);
    assert.deepEqual(producerIds, [-1], 'sent without a producer id');
  } finally {
    await producer.close();
  }
  const strict = createProducer({ bootstrapServers: stub.bootstrap, idempotent: true, ...FAST });
  try {
    await assert.rejects(strict.send({ topic: 't', messages: [{ value: 'v' }] }), (e: KafkaError) => e.code === ErrorCode.UNSUPPORTED_VERSION && e.api === 'InitProducerId');
  } finally {
    await strict.close();
    await stub.stop();
  }
});
