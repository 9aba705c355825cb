import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AssignerProtocol, Kafka, logLevel, type Consumer } from 'kafkajs';
import { startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';
import { CoordinatorEvents, KAFKAJS_CONSUMER, spawnNode, type LineProcess } from './group-support.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const SESSION_TIMEOUT_MS = 2000;

describe('compat: consumer groups with kafkajs 2.2.4', () => {
  let broker: TestBroker;
  let kafka: Kafka;
  let events: CoordinatorEvents;
  before(async () => {
    broker = await startTestBroker();
    events = new CoordinatorEvents(broker.port);
    kafka = new Kafka({ clientId: 'group-kjs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
  });
  after(async () => {
    events.stop();
    await broker.close();
  });

  async function createTopic(topic: string, numPartitions: number): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions }] });
    await admin.disconnect();
  }

  async function produce(topic: string, from: number, to: number, partitions: number): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    const messages = [];
    for (let i = from; i < to; i++) messages.push({ partition: i % partitions, value: `v${i}` });
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();
  }

  it('three consumers share six partitions; a SIGKILLed one is replaced after the session timeout and nothing is lost', async (t) => {
    await createTopic('kill-me', 6);
    const config = (i: number) => JSON.stringify({ bootstrap: broker.bootstrap, clientId: `kjs-${i}`, groupId: 'kill-group', topic: 'kill-me', sessionTimeoutMs: SESSION_TIMEOUT_MS, rebalanceTimeoutMs: 10_000, heartbeatIntervalMs: 300 });
    const consumers: LineProcess[] = [0, 1, 2].map((i) => spawnNode(`kafkajs-${i}`, KAFKAJS_CONSUMER, [config(i)]));
    try {
      // Each ends up with two partitions of the same generation.
      await waitFor(() => {
        const sets = consumers.map((c) => c.last('assigned')?.['partitions'] as number[] | undefined);
        return sets.every((s) => s?.length === 2) && new Set(sets.flat()).size === 6;
      }, 20_000, 'three consumers with two partitions each');

      await produce('kill-me', 0, 600, 6);
      const processed = () => new Set(consumers.flatMap((c) => c.ofType('record').map((r) => r['value'] as string)));
      await waitFor(() => processed().size === 600, 15_000, 'the first 600 records processed');
      // Let the auto-commit of the last batches land, then kill one consumer without a LeaveGroup.
      const admin = kafka.admin();
      await admin.connect();
      const victim = consumers[1]!;
      const victimPartitions = victim.last('assigned')!['partitions'] as number[];
      await waitFor(async () => {
        const committed = await admin.fetchOffsets({ groupId: 'kill-group', topics: ['kill-me'] });
        return committed[0]!.partitions.every((p) => Number(p.offset) === 100);
      }, 10_000, 'offsets committed');
      const killedAtMs = Date.now();
      await victim.kill('SIGKILL');
      await produce('kill-me', 600, 1200, 6);

      const survivors = [consumers[0]!, consumers[2]!];
      const linesBefore = survivors.map((s) => s.lines.length);
      const reassigned = await Promise.all(
        survivors.map((s, i) => s.waitForLine((l) => l.type === 'assigned' && (l['partitions'] as number[]).length === 3, 20_000, 'three partitions', linesBefore[i])),
      );
      const reassignedAtMs = Math.max(...reassigned.map((l) => l.t));
      assert.deepEqual(reassigned.flatMap((l) => l['partitions'] as number[]).sort(), [0, 1, 2, 3, 4, 5]);
      const removal = events.of('samsa:coordinator:member-removed', 'kill-group');
      assert.equal(removal.length, 1);
      assert.equal(removal[0]!.reason, 'session-timeout');

      // Every record produced is processed by someone; the moved partitions resume at the committed offset.
      await waitFor(() => processed().size === 1200, 20_000, 'all 1200 records processed');
      for (const p of victimPartitions) {
        const firstAfter = survivors.flatMap((s) => s.ofType('record').filter((r) => r['partition'] === p && r.t > killedAtMs)).sort((a, b) => a.t - b.t)[0]!;
        assert.equal(firstAfter['offset'], 100, `partition ${p} resumes from its committed offset`);
      }
      await admin.disconnect();
      const ratio = (reassignedAtMs - killedAtMs) / SESSION_TIMEOUT_MS;
      // Kafka's bound: the session timeout, then one join round among the survivors.
      assert.ok(reassignedAtMs - killedAtMs >= SESSION_TIMEOUT_MS * 0.9, 'not before the session timeout');
      assert.ok(ratio < 3, `reassigned ${reassignedAtMs - killedAtMs} ms after the kill`);
      t.diagnostic(`crash -> reassignment: ${reassignedAtMs - killedAtMs} ms with session.timeout.ms=${SESSION_TIMEOUT_MS} (${ratio.toFixed(2)}x)`);
    } finally {
      await Promise.all(consumers.map((c) => c.kill('SIGKILL')));
    }
  });

  it('three consumers joining at once reach a Stable group quickly (initial delay 0)', async (t) => {
    await createTopic('quick', 3);
    const consumers = [0, 1, 2].map(() => kafka.consumer({ groupId: 'quick-group', sessionTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: 100 }));
    try {
      const startedAtMs = Date.now();
      await Promise.all(
        consumers.map(async (c) => {
          await c.connect();
          await c.subscribe({ topic: 'quick', fromBeginning: true });
          await c.run({ eachMessage: async () => {} });
        }),
      );
      const stable = await waitFor(() => events.of('samsa:coordinator:rebalance-completed', 'quick-group').find((e) => e.members.length === 3), 10_000, 'Stable with three members');
      const firstJoin = events.of('samsa:coordinator:member-joined', 'quick-group')[0]!;
      const lastJoin = events.of('samsa:coordinator:member-joined', 'quick-group')[2]!;
      t.diagnostic(`JoinGroup -> Stable (3 members, initial delay 0): ${stable.atMs - firstJoin.atMs} ms from the first member's join, ${stable.atMs - lastJoin.atMs} ms from the last; ${stable.receivedAtMs - startedAtMs} ms from connect`);
      assert.ok(stable.atMs - firstJoin.atMs < 3000);
    } finally {
      await Promise.all(consumers.map((c) => c.disconnect()));
    }
  });

  it('five consumers on four partitions: exactly one owns nothing; two groups each receive every record', async () => {
    await createTopic('quiz', 4);
    const assignments = new Map<number, number[]>();
    const received = new Map<string, Set<string>>([['quiz-a', new Set()], ['quiz-b', new Set()]]);
    const start = async (groupId: string, i: number): Promise<Consumer> => {
      const c = kafka.consumer({ groupId, sessionTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
      if (groupId === 'quiz-a') c.on(c.events.GROUP_JOIN, (e) => assignments.set(i, e.payload.memberAssignment['quiz'] ?? []));
      await c.connect();
      await c.subscribe({ topic: 'quiz', fromBeginning: true });
      await c.run({ eachMessage: async ({ message }) => void received.get(groupId)!.add(message.value!.toString()) });
      return c;
    };
    const groupA = await Promise.all([0, 1, 2, 3, 4].map((i) => start('quiz-a', i)));
    const groupB = await Promise.all([0, 1].map((i) => start('quiz-b', 10 + i)));
    try {
      const generation = await waitFor(() => events.of('samsa:coordinator:rebalance-completed', 'quiz-a').find((e) => e.members.length === 5), 15_000, 'quiz-a Stable with five members');
      await waitFor(() => assignments.size === 5 && [...assignments.values()].flat().length === 4, 10_000, 'all five assigned');
      const owners = [...assignments.values()];
      assert.equal(owners.filter((p) => p.length === 0).length, 1, 'exactly one consumer owns nothing');
      assert.deepEqual(owners.flat().sort(), [0, 1, 2, 3]);
      assert.ok(generation.generationId >= 1);
      await produce('quiz', 0, 400, 4);
      await waitFor(() => received.get('quiz-a')!.size === 400 && received.get('quiz-b')!.size === 400, 15_000, 'both groups received every record');
    } finally {
      await Promise.all([...groupA, ...groupB].map((c) => c.disconnect()));
    }
  });

  it('describes and lists groups through the kafkajs admin as Kafka would', async () => {
    await createTopic('described', 2);
    const consumer = kafka.consumer({ groupId: 'described-group', sessionTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'described', fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(() => events.of('samsa:coordinator:rebalance-completed', 'described-group').length > 0, 10_000, 'Stable');
      const { groups } = await admin.describeGroups(['described-group', 'never-existed']);
      const g = groups.find((x) => x.groupId === 'described-group')!;
      assert.equal(g.state, 'Stable');
      assert.equal(g.protocolType, 'consumer');
      assert.equal(g.protocol, 'RoundRobinAssigner');
      assert.equal(g.members.length, 1);
      assert.equal(g.members[0]!.clientId, 'group-kjs');
      assert.equal(g.members[0]!.clientHost, '/127.0.0.1');
      const assignment = AssignerProtocol.MemberAssignment.decode(g.members[0]!.memberAssignment)!;
      assert.deepEqual(assignment.assignment, { described: [0, 1] });
      const metadata = AssignerProtocol.MemberMetadata.decode(g.members[0]!.memberMetadata)!;
      assert.deepEqual(metadata.topics, ['described']);
      const missing = groups.find((x) => x.groupId === 'never-existed')!;
      assert.equal(missing.state, 'Dead');

      const listed = await admin.listGroups();
      assert.deepEqual(listed.groups.find((x) => x.groupId === 'described-group'), { groupId: 'described-group', protocolType: 'consumer' });
    } finally {
      await consumer.disconnect();
      await admin.disconnect();
    }
    // After the consumer left the group is Empty, and DeleteGroups removes it.
    const admin2 = kafka.admin();
    await admin2.connect();
    const { groups } = await admin2.describeGroups(['described-group']);
    assert.equal(groups[0]!.state, 'Empty');
    await admin2.deleteGroups(['described-group']);
    assert.ok(!(await admin2.listGroups()).groups.some((x) => x.groupId === 'described-group'));
    await admin2.disconnect();
  });
});
