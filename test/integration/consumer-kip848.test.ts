import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Admin, Cluster, Consumer, createProducer, type TopicPartition } from '../../src/client/index.js';
import { startTestBroker, waitFor } from '../helpers/index.js';
import { startMockCluster } from './client-mock-cluster.js';
import { startMockCluster215 } from './mock-cluster-215.js';

const KIP848_BROKER = { groupConsumerHeartbeatIntervalMs: 300, groupConsumerMinHeartbeatIntervalMs: 100, groupConsumerSessionTimeoutMs: 6000, groupConsumerMinSessionTimeoutMs: 1000 };

interface Tracked {
  consumer: Consumer;
  name: string;
  records: Array<{ key: string; atMs: number }>;
  owned: Set<string>;
  revoked: string[];
}

function track(bootstrap: string, groupId: string, topic: string, name: string): Tracked {
  const t: Tracked = { consumer: undefined as unknown as Consumer, name, records: [], owned: new Set(), revoked: [] };
  const key = (p: TopicPartition) => `${p.topic}-${p.partition}`;
  t.consumer = new Consumer({
    bootstrapServers: bootstrap,
    clientId: name,
    groupId,
    groupProtocol: 'consumer',
    autoOffsetReset: 'earliest',
    maxWaitMs: 50,
    rebalanceListener: {
      onPartitionsAssigned: (ps) => ps.forEach((p) => t.owned.add(key(p))),
      onPartitionsRevoked: (ps) => ps.forEach((p) => (t.owned.delete(key(p)), t.revoked.push(key(p)))),
    },
  });
  void t.consumer.subscribe({ topics: [topic] }).then(() =>
    t.consumer.run({ eachMessage: ({ message }) => void t.records.push({ key: `${message.partition}@${message.offset}`, atMs: Date.now() }) }),
  );
  return t;
}

async function produce(bootstrap: string, topic: string, count: number, partitions: number): Promise<void> {
  const producer = createProducer({ bootstrapServers: bootstrap });
  try {
    await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ value: `v${i}`, partition: i % partitions })) });
  } finally {
    await producer.close();
  }
}

describe("Samsa's consumer with groupProtocol 'consumer' (KIP-848)", () => {
  it('shares 2-2-2 against Samsa; a fourth member takes one partition, revoked with commit-on-revoke: nothing read twice or missed', async () => {
    const broker = await startTestBroker(KIP848_BROKER);
    const admin = new Admin({ bootstrapServers: broker.bootstrap });
    const members: Tracked[] = [];
    try {
      await admin.createTopics({ topics: [{ name: 'kip848', numPartitions: 6 }] });
      await produce(broker.bootstrap, 'kip848', 600, 6);
      for (const n of ['a', 'b', 'c']) members.push(track(broker.bootstrap, 'samsa-848', 'kip848', n));
      await waitFor(() => members.every((m) => m.owned.size === 2) && broker.context.groups.coordinator.consumerGroup('samsa-848')?.state === 'Stable', 20_000, '2-2-2');
      await waitFor(() => members.reduce((n, m) => n + m.records.length, 0) === 600, 20_000, 'the first 600 records');
      for (const m of members) m.revoked.length = 0;
      members.push(track(broker.bootstrap, 'samsa-848', 'kip848', 'd'));
      await waitFor(() => members[3]!.owned.size === 1 && broker.context.groups.coordinator.consumerGroup('samsa-848')?.state === 'Stable', 20_000, 'the fourth member with one partition');
      const revoked = members.flatMap((m) => m.revoked);
      assert.deepEqual(revoked, [...members[3]!.owned], 'only the moving partition was revoked, and only by its owner');
      await produce(broker.bootstrap, 'kip848', 600, 6);
      await waitFor(() => members.reduce((n, m) => n + m.records.length, 0) >= 1200, 20_000, 'all 1200 records');
      const all = members.flatMap((m) => m.records.map((r) => r.key));
      assert.equal(all.length, 1200, 'no record read twice');
      assert.equal(new Set(all).size, 1200, 'every record read once');
      assert.deepEqual(members.map((m) => m.owned.size).sort(), [1, 1, 2, 2]);
    } finally {
      await Promise.all(members.map((m) => m.consumer.close()));
      await admin.close();
      await broker.close();
    }
  });

  it('against a broker without ConsumerGroupHeartbeat (librdkafka 2.0.2 mock) it stops with an error that says so', async () => {
    const mock = await startMockCluster(1);
    const consumer = new Consumer({ bootstrapServers: mock.bootstrap, groupId: 'old-broker', groupProtocol: 'consumer' });
    try {
      const crashed = new Promise<Error>((resolve) => consumer.once('crash', resolve));
      await consumer.subscribe({ topics: ['old'] });
      await consumer.run({ eachMessage: () => {} });
      const err = await crashed;
      assert.match(err.message, /does not support the consumer group protocol \(KIP-848/);
    } finally {
      await consumer.close().catch(() => {});
      await mock.stop();
    }
  });

  it("against librdkafka 2.15's mock coordinator: two members share the partitions and read everything once", async () => {
    const mock = await startMockCluster215();
    const members: Tracked[] = [];
    try {
      const cluster = new Cluster({ bootstrapServers: mock.bootstrap });
      const partitions = await cluster.partitionCount('mock848', { allowAutoTopicCreation: true });
      await cluster.close();
      await produce(mock.bootstrap, 'mock848', 200, partitions);
      for (const n of ['a', 'b']) members.push(track(mock.bootstrap, 'mock-848', 'mock848', n));
      await waitFor(() => members.every((m) => m.owned.size > 0) && members.reduce((n, m) => n + m.owned.size, 0) === partitions, 30_000, 'both members own partitions');
      await waitFor(() => members.reduce((n, m) => n + m.records.length, 0) >= 200, 30_000, 'all records');
      const all = members.flatMap((m) => m.records.map((r) => r.key));
      assert.equal(new Set(all).size, 200);
    } finally {
      await Promise.all(members.map((m) => m.consumer.close().catch(() => {})));
      await mock.stop();
    }
  });
});
