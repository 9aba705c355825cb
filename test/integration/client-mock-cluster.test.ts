import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runKcat } from '../helpers/index.js';
import { Cluster, createAdmin, createProducer, KafkaError, type Admin } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { startMockCluster, type MockCluster } from './client-mock-cluster.js';
import { readAllRecords } from './client-read.js';

// librdkafka 2.0.2's mock reads no CurrentLeaderEpoch in ListOffsets v4+ requests, so answers for
// a second partition go astray; its own clients use v2. Cap ListOffsets there (docs/limitations.md).
const MOCK_CAPS = { 2: 3 };

let mock: MockCluster;
let admin: Admin;
before(async () => {
  mock = await startMockCluster(1);
  admin = createAdmin({ bootstrapServers: mock.bootstrap, maxApiVersions: MOCK_CAPS });
});
after(async () => {
  await admin.close();
  await mock.stop();
});

test('against librdkafka\'s mock: ApiVersions falls back to the mock\'s v2 and metadata is read', async () => {
  const cluster = new Cluster({ bootstrapServers: mock.bootstrap });
  try {
    await cluster.metadata({ topics: ['mock-meta'], allowAutoTopicCreation: true });
    assert.equal(cluster.cache.brokers.get(1)?.host, '127.0.0.1');
    assert.equal(await cluster.versionFor(1, 18), 2);
    assert.ok(cluster.cache.partitionCount('mock-meta') > 0);
  } finally {
    await cluster.close();
  }
});

test('produce to the mock, read back with kcat and with Fetch; ListOffsets agrees', async () => {
  const producer = createProducer({ bootstrapServers: mock.bootstrap, compression: 'lz4' });
  const results = await producer.send({ topic: 'mock-produce', messages: Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { i: String(i) } })) });
  await producer.close();
  const kcat = await runKcat(['-b', mock.bootstrap, '-C', '-t', 'mock-produce', '-o', 'beginning', '-e', '-q', '-f', '%k=%s@%p\n']);
  assert.equal(kcat.code, 0, kcat.stderr);
  const lines = kcat.stdout.trim().split('\n').sort();
  assert.equal(lines.length, 200);
  const expected = results.map((r, i) => `k${i}=v${i}@${r.partition}`).sort();
  assert.deepEqual(lines, expected);
  const read = await readAllRecords(mock.bootstrap, 'mock-produce', { maxApiVersions: MOCK_CAPS });
  assert.equal(read.length, 200);
  const latest = await admin.listOffsets({ topic: 'mock-produce' });
  const earliest = await admin.listOffsets({ topic: 'mock-produce', timestamp: 'earliest' });
  const perPartition = new Map<number, number>();
  for (const r of results) perPartition.set(r.partition, (perPartition.get(r.partition) ?? 0) + 1);
  for (const p of latest) assert.equal(p.offset - earliest[p.partition]!.offset, perPartition.get(p.partition) ?? 0);
});

test('against the mock: alter, fetch committed offsets and lag of an inactive group', async () => {
  const producer = createProducer({ bootstrapServers: mock.bootstrap });
  const sent = await producer.send({ topic: 'mock-lag', messages: Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: 'v' })) });
  await producer.close();
  const ends = await admin.listOffsets({ topic: 'mock-lag' });
  await admin.alterOffsets({ groupId: 'mock-group', topic: 'mock-lag', partitions: [{ partition: 0, offset: 1 }, { partition: 1, offset: 0 }] });
  const committed = await admin.fetchOffsets({ groupId: 'mock-group', topics: [{ topic: 'mock-lag' }] });
  assert.deepEqual(committed.filter((c) => c.offset >= 0).map((c) => [c.partition, c.offset]), [[0, 1], [1, 0]]);
  const lag = await admin.lag('mock-group', { topics: ['mock-lag'] });
  assert.equal(lag.length, ends.length);
  assert.equal(lag[0]!.lag, ends[0]!.offset - 1);
  assert.equal(lag[1]!.lag, ends[1]!.offset);
  assert.ok(lag.slice(2).every((l) => l.committedOffset === -1 && l.lag === null));
  assert.equal(lag.reduce((n, l) => n + l.logEndOffset - l.logStartOffset, 0), sent.length);
  assert.ok(lag.every((l) => l.owner === null), 'the mock has no DescribeGroups: owners unknown');
});

test('against the mock: APIs it lacks fail with UNSUPPORTED_VERSION, not a hang', async () => {
  await assert.rejects(admin.createTopics({ topics: [{ name: 'x' }] }), (e: KafkaError) => e instanceof KafkaError && e.code === ErrorCode.UNSUPPORTED_VERSION && e.api === 'CreateTopics');
  await assert.rejects(admin.listGroups(), (e: KafkaError) => e.code === ErrorCode.UNSUPPORTED_VERSION);
});
