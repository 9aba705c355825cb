import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';
import { CoordinatorEvents, RDKAFKA_CONSUMER, spawnPython } from './group-support.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/**
 * The coordinator does nothing when a topic grows (as Kafka's classic coordinator): Metadata
 * shows the new partitions, the group's leader notices on its next metadata refresh and rejoins,
 * and the new assignment covers them.
 */
describe('compat: CreatePartitions reaches a consuming group', () => {
  let broker: TestBroker;
  let kafka: Kafka;
  let events: CoordinatorEvents;
  before(async () => {
    broker = await startTestBroker();
    events = new CoordinatorEvents(broker.port);
    kafka = new Kafka({ clientId: 'grow', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  });
  after(async () => {
    events.stop();
    await broker.close();
  });

  async function growAndProduce(topic: string): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createPartitions({ topicPartitions: [{ topic, count: 6 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [3, 4, 5].map((partition) => ({ partition, value: `new-${partition}` })) });
    await producer.disconnect();
  }

  async function createTopic(topic: string): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await admin.disconnect();
  }

  it('librdkafka: from 3 to 6 partitions, the new ones are assigned and consumed after the next metadata refresh', async () => {
    await createTopic('grow-rdk');
    const config = (name: string) => JSON.stringify({ 'group.id': 'grow-rdk-group', 'client.id': name, 'topic.metadata.refresh.interval.ms': 500 });
    const a = spawnPython('grow-a', RDKAFKA_CONSUMER, [broker.bootstrap, 'grow-rdk', config('grow-a')]);
    const b = spawnPython('grow-b', RDKAFKA_CONSUMER, [broker.bootstrap, 'grow-rdk', config('grow-b')]);
    try {
      const owned = () => [a, b].flatMap((p) => (p.last('assign')?.['partitions'] as number[] | undefined) ?? []).sort();
      const stableWithBoth = () => {
        const g = broker.context.groups.coordinator.group('grow-rdk-group');
        return g?.state === 'Stable' && g.members.length === 2;
      };
      await waitFor(() => stableWithBoth() && owned().length === 3 && [a, b].every((p) => p.ofType('assign').length > 0), 20_000, 'two members sharing three partitions');
      await growAndProduce('grow-rdk');
      await waitFor(() => owned().length === 6, 15_000, 'six partitions assigned');
      assert.deepEqual(owned(), [0, 1, 2, 3, 4, 5]);
      await waitFor(() => new Set([a, b].flatMap((p) => p.ofType('record').map((r) => r['value']))).size === 3, 10_000, 'records of the new partitions consumed');
      const reasons = events.of('samsa:coordinator:rebalance-started', 'grow-rdk-group').map((e) => e.reason);
      assert.ok(reasons.includes('leader-rejoined'), `the leader rejoined (rebalances: ${reasons.join(', ')})`);
    } finally {
      await Promise.all([a.kill('SIGKILL'), b.kill('SIGKILL')]);
    }
  });

  it('kafkajs: from 3 to 6 partitions, the new ones are assigned and consumed after the next metadata refresh', async () => {
    await createTopic('grow-kjs');
    const client = new Kafka({ clientId: 'grow-kjs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
    const assigned = new Map<number, number[]>();
    const values = new Set<string>();
    const consumers = [0, 1].map((i) => {
      const c = client.consumer({ groupId: 'grow-kjs-group', sessionTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: 100, metadataMaxAge: 500 });
      c.on(c.events.GROUP_JOIN, (e) => assigned.set(i, e.payload.memberAssignment['grow-kjs'] ?? []));
      return c;
    });
    for (const c of consumers) {
      await c.connect();
      await c.subscribe({ topic: 'grow-kjs', fromBeginning: true });
      await c.run({ eachMessage: async ({ message }) => void values.add(message.value!.toString()) });
    }
    try {
      await waitFor(() => [...assigned.values()].flat().length === 3, 15_000, 'three partitions assigned');
      await growAndProduce('grow-kjs');
      await waitFor(() => [...assigned.values()].flat().length === 6, 15_000, 'six partitions assigned');
      await waitFor(() => values.size === 3, 10_000, 'records of the new partitions consumed');
    } finally {
      await Promise.all(consumers.map((c) => c.disconnect()));
    }
  });
});
