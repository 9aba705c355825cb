import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';
import { createAdmin, createProducer, KafkaError, type Admin } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';

let broker: TestBroker;
let admin: Admin;
before(async () => {
  broker = await startTestBroker({ numPartitions: 1 });
  admin = createAdmin({ bootstrapServers: broker.bootstrap, retryBackoffMs: 5, retryBackoffMaxMs: 20 });
});
after(async () => {
  await admin.close();
  await broker.close();
});

test('topics: create (with configs, validateOnly), list, describe, add partitions, delete', async () => {
  const created = await admin.createTopics({ topics: [{ name: 'adm-a', numPartitions: 4, configs: { 'retention.ms': '3600000' } }, { name: 'adm-b' }] });
  assert.deepEqual(created.map((t) => [t.name, t.numPartitions]), [['adm-a', 4], ['adm-b', 1]]);
  await admin.createTopics({ topics: [{ name: 'adm-dry', numPartitions: 2 }], validateOnly: true });
  assert.deepEqual((await admin.listTopics()).filter((t) => t.startsWith('adm-')), ['adm-a', 'adm-b']);
  await assert.rejects(admin.createTopics({ topics: [{ name: 'adm-a' }] }), (e: KafkaError) => e.code === ErrorCode.TOPIC_ALREADY_EXISTS && e.topic === 'adm-a');

  const [a] = await admin.describeTopics({ topics: ['adm-a'], includeConfigs: true });
  assert.equal(a!.partitions.length, 4);
  assert.ok(a!.partitions.every((p) => p.leader === 1 && p.replicas[0] === 1));
  const retention = a!.configs!.find((c) => c.name === 'retention.ms')!;
  assert.deepEqual([retention.value, retention.isDefault, retention.source], ['3600000', false, 'DYNAMIC_TOPIC_CONFIG']);

  await admin.createPartitions({ topics: [{ name: 'adm-b', count: 3 }] });
  assert.equal((await admin.describeTopics({ topics: ['adm-b'] }))[0]!.partitions.length, 3);

  await admin.deleteTopics({ topics: ['adm-b'] });
  assert.ok(!(await admin.listTopics()).includes('adm-b'));
  await assert.rejects(admin.describeTopics({ topics: ['adm-b'] }), (e: KafkaError) => e.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && e.topic === 'adm-b');
});

test('configs: incremental set and delete, described with their source', async () => {
  await admin.createTopics({ topics: [{ name: 'adm-cfg' }] });
  await admin.alterConfigs({ resources: [{ type: 'topic', name: 'adm-cfg', configs: [{ name: 'retention.ms', value: '1000' }, { name: 'cleanup.policy', value: 'compact' }] }] });
  const read = async () => (await admin.describeConfigs({ resources: [{ type: 'topic', name: 'adm-cfg', configNames: ['retention.ms', 'cleanup.policy'] }] }))[0]!.configs;
  assert.deepEqual((await read()).map((c) => [c.name, c.value, c.source]).sort(), [['cleanup.policy', 'compact', 'DYNAMIC_TOPIC_CONFIG'], ['retention.ms', '1000', 'DYNAMIC_TOPIC_CONFIG']]);
  await admin.alterConfigs({ resources: [{ type: 'topic', name: 'adm-cfg', configs: [{ name: 'retention.ms', op: 'delete' }] }] });
  const retention = (await read()).find((c) => c.name === 'retention.ms')!;
  assert.equal(retention.isDefault, true);
  const brokerConfigs = await admin.describeConfigs({ resources: [{ type: 'broker', name: '1' }] });
  assert.ok(brokerConfigs[0]!.configs.length > 0);
});

test('ListOffsets: earliest, latest and by timestamp', async () => {
  await admin.createTopics({ topics: [{ name: 'adm-offsets', numPartitions: 2 }] });
  const producer = createProducer({ bootstrapServers: broker.bootstrap });
  // One batch per record: the lookup then does not depend on how a broker searches inside a batch.
  for (const timestamp of [1000, 2000, 3000]) await producer.send({ topic: 'adm-offsets', messages: [{ value: String(timestamp), timestamp, partition: 0 }] });
  await producer.close();
  assert.deepEqual((await admin.listOffsets({ topic: 'adm-offsets', timestamp: 'earliest' })).map((p) => p.offset), [0, 0]);
  assert.deepEqual((await admin.listOffsets({ topic: 'adm-offsets' })).map((p) => p.offset), [3, 0]);
  const [at1500] = await admin.listOffsets({ topic: 'adm-offsets', partitions: [0], timestamp: 1500 });
  assert.deepEqual([at1500!.offset, at1500!.timestamp], [1, 2000]);
  const [past] = await admin.listOffsets({ topic: 'adm-offsets', partitions: [0], timestamp: 9999 });
  assert.equal(past!.offset, -1);
});

async function startKafkajsConsumer(groupId: string, topic: string): Promise<Consumer> {
  const kafka = new Kafka({ clientId: 'kjs-member', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.run({ eachMessage: async () => {} });
  await waitFor(() => joined, 10_000);
  return consumer;
}

test('groups: list with states, describe with decoded assignments, lag with owners; offsets of a live group are refused', async () => {
  await admin.createTopics({ topics: [{ name: 'adm-group-topic', numPartitions: 3 }] });
  const producer = createProducer({ bootstrapServers: broker.bootstrap });
  await producer.send({ topic: 'adm-group-topic', messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: 'v' })) });
  await producer.close();
  const consumer = await startKafkajsConsumer('adm-live', 'adm-group-topic');
  try {
    const stable = await admin.listGroups({ states: ['Stable'] });
    assert.ok(stable.some((g) => g.groupId === 'adm-live' && g.protocolType === 'consumer'));
    assert.ok(!(await admin.listGroups({ states: ['Empty'] })).some((g) => g.groupId === 'adm-live'));

    const [group] = await admin.describeGroups(['adm-live']);
    assert.equal(group!.state, 'Stable');
    assert.equal(group!.members.length, 1);
    const member = group!.members[0]!;
    assert.equal(member.clientId, 'kjs-member');
    assert.deepEqual(member.assignment, [{ topic: 'adm-group-topic', partitions: [0, 1, 2] }]);
    assert.deepEqual(member.subscription, ['adm-group-topic']);

    await waitFor(async () => (await admin.fetchOffsets({ groupId: 'adm-live' })).reduce((n, c) => n + Math.max(0, c.offset), 0) === 30, 10_000);
    const lag = await admin.lag('adm-live');
    assert.equal(lag.length, 3);
    assert.ok(lag.every((l) => l.lag === 0 && l.owner?.memberId === member.memberId && l.owner.clientId === 'kjs-member'));

    await assert.rejects(admin.alterOffsets({ groupId: 'adm-live', topic: 'adm-group-topic', partitions: [{ partition: 0, offset: 0 }] }),
      (e: KafkaError) => e.code === ErrorCode.NON_EMPTY_GROUP && e.groupId === 'adm-live' && /active member/.test(e.message));
    await assert.rejects(admin.deleteGroups(['adm-live']), (e: KafkaError) => e.code === ErrorCode.NON_EMPTY_GROUP);
  } finally {
    await consumer.disconnect();
  }

  // Inactive now: offsets can be reset, deleted, and the group removed.
  const reset = await admin.resetOffsets({ groupId: 'adm-live', topic: 'adm-group-topic', to: 'earliest' });
  assert.deepEqual(reset.map((p) => p.offset), [0, 0, 0]);
  const lagAfter = await admin.lag('adm-live');
  assert.equal(lagAfter.reduce((n, l) => n + (l.lag ?? 0), 0), 30);
  assert.ok(lagAfter.every((l) => l.owner === null));
  await admin.deleteOffsets({ groupId: 'adm-live', topic: 'adm-group-topic', partitions: [0] });
  const left = await admin.fetchOffsets({ groupId: 'adm-live' });
  assert.deepEqual(left.filter((c) => c.offset >= 0).map((c) => c.partition), [1, 2]);
  const several = await admin.fetchOffsetsForGroups({ groupIds: ['adm-live', 'adm-nobody'] });
  assert.equal(several.get('adm-nobody')!.length, 0);
  await admin.deleteGroups(['adm-live']);
  assert.ok(!(await admin.listGroups()).some((g) => g.groupId === 'adm-live'));
});
