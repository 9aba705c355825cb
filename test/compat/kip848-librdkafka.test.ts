import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';
import { CoordinatorEvents, type LineProcess } from './group-support.js';
import { KIP848_BROKER, largestGapMs, LoadProducer, owned, rdkafkaAdmin, records, spawnRdkafkaMember, type RdkafkaDescribedGroup } from './kip848-support.js';

/**
 * librdkafka 2.15 (the consumer of @confluentinc/kafka-javascript) with group.protocol=consumer
 * against Samsa's KIP-848 coordinator: server-side assignment, incremental reconciliation.
 */
describe('compat: KIP-848 consumer groups with librdkafka 2.15', () => {
  let broker: TestBroker;
  let kafka: Kafka;
  let events: CoordinatorEvents;
  const processes: LineProcess[] = [];
  before(async () => {
    broker = await startTestBroker(KIP848_BROKER);
    events = new CoordinatorEvents(broker.port);
    kafka = new Kafka({ clientId: 'kip848-admin', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    events.stop();
    await broker.close();
  });

  async function createTopic(topic: string, numPartitions: number): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions }] });
    await admin.disconnect();
  }

  function member(name: string, group: string, topics: string[], instanceId?: string): LineProcess {
    const p = spawnRdkafkaMember(broker, name, group, topics, instanceId);
    processes.push(p);
    return p;
  }

  const view = (group: string) => broker.context.groups.coordinator.consumerGroup(group);
  const stable = (group: string, members: number) => view(group)?.state === 'Stable' && view(group)!.members.length === members;

  it('a group of three on six partitions shares them 2-2-2, all from the server-side assignor', async () => {
    await createTopic('k848-share', 6);
    const ms = ['a', 'b', 'c'].map((n) => member(`share-${n}`, 'k848-share', ['k848-share']));
    await waitFor(() => stable('k848-share', 3) && ms.every((m) => owned(m).size === 2), 30_000, 'three members with two partitions each');
    assert.deepEqual([...ms.flatMap((m) => [...owned(m)])].sort(), [0, 1, 2, 3, 4, 5].map((p) => `k848-share-${p}`));
    assert.equal(view('k848-share')!.assignor, 'uniform');

    // librdkafka's admin client describes it with ConsumerGroupDescribe and lists it as a consumer group.
    const admin = rdkafkaAdmin(broker);
    try {
      const described = await new Promise<RdkafkaDescribedGroup>((resolve, reject) =>
        admin.describeGroups(['k848-share'], {}, (err, r) => (err ? reject(err as Error) : resolve(r.groups[0]!))),
      );
      const listed = await new Promise<{ groupId: string; type: number }[]>((resolve, reject) => admin.listGroups({}, (err, r) => (err ? reject(err as Error) : resolve(r.groups))));
      assert.equal(described.type, 1, 'GROUP_TYPE_CONSUMER');
      assert.equal(described.partitionAssignor, 'uniform');
      assert.deepEqual(described.members.map((m) => m.targetAssignment.topicPartitions.length).sort(), [2, 2, 2]);
      assert.deepEqual(described.members.map((m) => m.clientId).sort(), ['share-a', 'share-b', 'share-c']);
      assert.equal(listed.find((g) => g.groupId === 'k848-share')?.type, 1);
    } finally {
      admin.disconnect();
    }
  });

  it('a fourth member joins under load: one partition moves and the others never stop being consumed', async (t) => {
    const topic = 'k848-join';
    await createTopic(topic, 6);
    const load = new LoadProducer(broker, topic, 6);
    await load.start();
    try {
      const ms = ['a', 'b', 'c'].map((n) => member(`join-${n}`, 'k848-join', [topic]));
      await waitFor(() => stable('k848-join', 3) && ms.every((m) => owned(m).size === 2 && records(m).length > 50), 30_000, 'three members consuming');
      await new Promise((r) => setTimeout(r, 1500));
      const before = new Map(ms.map((m) => [m, new Set(owned(m))]));
      const joinedAt = Date.now();
      const d = member('join-d', 'k848-join', [topic]);
      await waitFor(() => stable('k848-join', 4) && owned(d).size > 0 && records(d).length > 0, 30_000, 'the fourth member consuming');
      const settledAt = Date.now();
      await new Promise((r) => setTimeout(r, 1000));
      const moved = ms.flatMap((m) => [...before.get(m)!].filter((tp) => !owned(m).has(tp)));
      assert.equal(moved.length, 1, `partitions moved: ${moved.join(', ')}`);
      assert.deepEqual([...owned(d)], moved);
      // The partitions that stayed: compare the largest pause while d joined with the one before.
      const report: string[] = [];
      for (const m of ms) {
        for (const tp of [...owned(m)].filter((x) => before.get(m)!.has(x))) {
          const baseline = largestGapMs(records(m, tp), joinedAt - 1500, joinedAt);
          const during = largestGapMs(records(m, tp), joinedAt, settledAt + 1000);
          report.push(`${tp}: ${baseline} ms before, ${during} ms during`);
          assert.ok(during <= Math.max(1000, 4 * baseline), `a staying partition paused: ${report.join('; ')}`);
          assert.ok(!m.ofType('revoke').some((l) => (l['partitions'] as string[]).includes(tp)), `${tp} was never revoked`);
        }
      }
      assert.equal(report.length, 5);
      t.diagnostic(`largest pause of each staying partition: ${report.join('; ')}`);
    } finally {
      await load.stop();
    }
  });

  it('a SIGKILLed member’s partitions move after the session timeout, resuming exactly at its last commit', async () => {
    const topic = 'k848-kill';
    await createTopic(topic, 6);
    const load = new LoadProducer(broker, topic, 6);
    await load.start();
    try {
      const ms = ['a', 'b', 'c'].map((n) => member(`kill-${n}`, 'k848-kill', [topic]));
      await waitFor(() => stable('k848-kill', 3) && ms.every((m) => owned(m).size === 2 && records(m).length > 50), 30_000, 'three members consuming');
      const victim = ms[2]!;
      const lost = [...owned(victim)];
      // The claim is about resuming at a commit, so wait until the victim has committed each of its
      // partitions (auto commit every 100 ms, later on a loaded machine).
      const committedOf = (tp: string) => broker.context.groups.coordinator.committedOffset('k848-kill', topic, Number(tp.split('-').at(-1)));
      await waitFor(() => lost.every((tp) => committedOf(tp) >= 0), 10_000, 'the victim committed each partition it owns');
      await victim.kill('SIGKILL');
      const killedAt = Date.now();
      await new Promise((r) => setTimeout(r, 300));
      const committed = new Map(lost.map((tp) => [tp, committedOf(tp)]));
      const survivors = ms.slice(0, 2);
      await waitFor(() => survivors.every((m) => owned(m).size === 3), 30_000, 'the survivors own all six partitions');
      const movedAt = Date.now();
      assert.ok(movedAt - killedAt >= KIP848_BROKER.groupConsumerSessionTimeoutMs - 1000, `moved after ${movedAt - killedAt} ms, not before the session timeout`);
      const removed = events.of('samsa:coordinator:consumer-member-removed', 'k848-kill');
      assert.deepEqual(removed.map((e) => e.reason), ['session-timeout']);
      // What the heir read of a partition since it got it after the kill.
      const sinceHandover = (m: LineProcess, tp: string) => {
        const assigned = m.ofType('assign').find((l) => l.t >= killedAt && (l['partitions'] as string[]).includes(tp));
        return assigned === undefined ? [] : records(m, tp).filter((r) => r.t >= assigned.t);
      };
      await waitFor(() => lost.every((tp) => survivors.some((m) => sinceHandover(m, tp).length > 0)), 10_000, 'the moved partitions consumed again');
      for (const tp of lost) {
        const lastByVictim = records(victim, tp).at(-1)!['offset'] as number;
        const heir = survivors.find((m) => owned(m).has(tp))!;
        const firstByHeir = sinceHandover(heir, tp)[0]!['offset'] as number;
        const commit = committed.get(tp)!;
        assert.equal(firstByHeir, commit, `${tp}: the new owner starts at the last commit`);
        assert.ok(commit <= lastByVictim + 1, `${tp}: nothing skipped (commit ${commit}, last read ${lastByVictim})`);
      }
    } finally {
      await load.stop();
    }
  });

  it('a regex subscription picks up a topic created later', async () => {
    await createTopic('k848-rx-a', 1);
    const m = member('regex', 'k848-regex', ['^k848-rx-.*']);
    await waitFor(() => owned(m).size === 1, 30_000, 'k848-rx-a assigned');
    // librdkafka sends its regexes wrapped in a group: (^k848-rx-.*).
    assert.match(view('k848-regex')!.members[0]!.subscribedTopicRegex!, /\^k848-rx-\.\*/);
    await createTopic('k848-rx-b', 2);
    await waitFor(() => owned(m).size === 3, 30_000, 'k848-rx-b assigned too');
    assert.deepEqual([...owned(m)].sort(), ['k848-rx-a-0', 'k848-rx-b-0', 'k848-rx-b-1']);
  });

  it('a static member that restarts gets its partitions back with no reassignment', async () => {
    await createTopic('k848-static', 4);
    const a = member('static-a', 'k848-static', ['k848-static'], 'instance-a');
    const b = member('static-b', 'k848-static', ['k848-static'], 'instance-b');
    await waitFor(() => stable('k848-static', 2) && owned(a).size === 2 && owned(b).size === 2, 30_000, 'two static members');
    const epoch = view('k848-static')!.groupEpoch;
    const mine = [...owned(a)].sort();
    const bLines = b.lines.length;
    a.send('close');
    await a.waitForLine((l) => l.type === 'closed', 15_000, 'closed');
    assert.ok(events.of('samsa:coordinator:consumer-static-member-left', 'k848-static').some((e) => e.instanceId === 'instance-a'), 'left with epoch -2');
    const a2 = member('static-a2', 'k848-static', ['k848-static'], 'instance-a');
    await waitFor(() => owned(a2).size === 2, 30_000, 'the restarted member assigned');
    assert.deepEqual([...owned(a2)].sort(), mine);
    assert.equal(view('k848-static')!.groupEpoch, epoch, 'no new group epoch');
    assert.ok(!b.lines.slice(bLines).some((l) => l.type === 'assign' || l.type === 'revoke'), 'the other member saw nothing');
  });

  it('partitions added to a subscribed topic are assigned', async () => {
    await createTopic('k848-grow', 2);
    const ms = ['a', 'b'].map((n) => member(`grow-${n}`, 'k848-grow', ['k848-grow']));
    await waitFor(() => ms.every((m) => owned(m).size === 1), 30_000, 'one partition each');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createPartitions({ topicPartitions: [{ topic: 'k848-grow', count: 6 }] });
    await admin.disconnect();
    await waitFor(() => ms.every((m) => owned(m).size === 3), 30_000, 'three partitions each');
  });
});
