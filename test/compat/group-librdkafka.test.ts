import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';
import { CoordinatorEvents, RDKAFKA_CONSUMER, RDKAFKA_JOINING_CONSUMERS, spawnPython, type Line, type LineProcess } from './group-support.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const partitionsOf = (l: Line | undefined): number[] => (l?.['partitions'] as number[] | undefined) ?? [];

describe('compat: consumer groups with librdkafka 2.0.2 (confluent-kafka-python)', () => {
  let broker: TestBroker;
  let kafka: Kafka;
  let events: CoordinatorEvents;
  const processes: LineProcess[] = [];
  before(async () => {
    broker = await startTestBroker();
    events = new CoordinatorEvents(broker.port);
    kafka = new Kafka({ clientId: 'group-rdk-admin', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
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

  function consumer(name: string, topic: string, config: Record<string, unknown>): LineProcess {
    const p = spawnPython(name, RDKAFKA_CONSUMER, [broker.bootstrap, topic, JSON.stringify({ 'client.id': name, ...config })]);
    processes.push(p);
    return p;
  }

  it('range (eager) and cooperative-sticky: with cooperative-sticky only moving partitions are revoked and the rest keep flowing', async () => {
    await createTopic('joiners-range', 6);
    await createTopic('joiners-coop', 6);
    const eager = spawnPython('range', RDKAFKA_JOINING_CONSUMERS, [broker.bootstrap, 'joiners-range', 'range', 'joiners-range-group']);
    const coop = spawnPython('coop', RDKAFKA_JOINING_CONSUMERS, [broker.bootstrap, 'joiners-coop', 'cooperative-sticky', 'joiners-coop-group']);
    processes.push(eager, coop);
    await Promise.all([eager.waitForLine((l) => l.type === 'done', 30_000, 'done'), coop.waitForLine((l) => l.type === 'done', 30_000, 'done')]);

    for (const run of [eager, coop]) {
      const finals = run.ofType('final');
      assert.deepEqual(finals.map((f) => partitionsOf(f).length), [2, 2, 2], `${run.name}: two partitions each at the end`);
      assert.deepEqual(finals.flatMap(partitionsOf).sort(), [0, 1, 2, 3, 4, 5]);
    }
    // Eager: every rebalance revokes everything c1 owns.
    const eagerRevokes = eager.ofType('revoke').filter((l) => l['consumer'] === 'c1' && l.t < eager.last('final')!.t);
    assert.deepEqual(eagerRevokes.map((l) => partitionsOf(l).length), [6, 3]);

    // Cooperative: c1 gives up only what moves (3 of 6, then 1 of 3) ...
    const coopRevokes = coop.ofType('revoke').filter((l) => l['consumer'] === 'c1' && l.t < coop.last('final')!.t);
    assert.deepEqual(coopRevokes.map((l) => partitionsOf(l).length), [3, 1]);
    const c2Owns = coop.lines.find((l) => l.type === 'assign' && l['consumer'] === 'c2' && partitionsOf(l).length > 0)!;
    const firstRevoke = coopRevokes[0]!;
    const kept = [0, 1, 2, 3, 4, 5].filter((p) => !partitionsOf(firstRevoke).includes(p));
    // ... the revoked ones are exactly the ones c2 gets (in KIP-429's second round), and between
    // the revocation and that second round c1 keeps consuming the partitions it kept.
    assert.deepEqual(partitionsOf(c2Owns), partitionsOf(firstRevoke));
    const c2Started = coop.lines.find((l) => l.type === 'started' && l['consumer'] === 'c2')!.t;
    const rebalanceStarted = events.of('samsa:coordinator:rebalance-started', 'joiners-coop-group').find((e) => e.reason === 'member-joined' && e.atMs >= c2Started)!;
    const c1Records = coop.ofType('record').filter((r) => r['consumer'] === 'c1');
    const duringRebalance = c1Records.filter((r) => r.t > rebalanceStarted.atMs && r.t < c2Owns.t && kept.includes(r['partition'] as number));
    assert.ok(duringRebalance.length > 0, `c1 consumed its kept partitions during the rebalance (${c2Owns.t - rebalanceStarted.atMs} ms)`);
    const afterRevoke = c1Records.filter((r) => r.t > firstRevoke.t && r.t < c2Owns.t);
    assert.deepEqual(afterRevoke.filter((r) => !kept.includes(r['partition'] as number)), [], 'nothing of the revoked partitions once revoked');
    const rounds = events.of('samsa:coordinator:rebalance-completed', 'joiners-coop-group').length;
    assert.ok(rounds >= 5, `one round for c1, two for each later join (${rounds})`);
  });

  it('static membership: a member that closes and comes back keeps its generation and partitions; a duplicate instance is fenced', async () => {
    await createTopic('static', 4);
    const group = 'static-group';
    const config = (instance: string) => ({ 'group.id': group, 'group.instance.id': instance, 'session.timeout.ms': 10_000 });
    const a = consumer('static-a', 'static', config('instance-a'));
    const b = consumer('static-b', 'static', config('instance-b'));
    await waitFor(() => partitionsOf(a.last('assign')).length === 2 && partitionsOf(b.last('assign')).length === 2, 20_000, 'two static members, two partitions each');
    await waitFor(() => broker.context.groups.coordinator.group(group)?.state === 'Stable', 5000, 'Stable');
    const generation = broker.context.groups.coordinator.group(group)!.generationId;
    const partitionsOfA = partitionsOf(a.last('assign'));
    const rebalancesBefore = events.of('samsa:coordinator:rebalance-started', group).length;

    a.send('close');
    await a.waitForLine((l) => l.type === 'closed', 10_000, 'closed');
    await a.exited;
    const a2 = consumer('static-a2', 'static', config('instance-a'));
    await a2.waitForLine((l) => l.type === 'assign' && partitionsOf(l).length > 0, 20_000, 'assignment after restart');
    assert.deepEqual(partitionsOf(a2.last('assign')), partitionsOfA, 'the same partitions');
    assert.equal(broker.context.groups.coordinator.group(group)!.generationId, generation, 'the same generation');
    assert.equal(events.of('samsa:coordinator:rebalance-started', group).length, rebalancesBefore, 'no rebalance');
    assert.ok(events.of('samsa:coordinator:static-member-replaced', group).some((e) => e.groupInstanceId === 'instance-a' && !e.rebalance));
    assert.ok(!events.of('samsa:coordinator:member-removed', group).some((e) => e.reason === 'leave-request'), 'static members do not send LeaveGroup');

    // A second process with the same instance id: the older one is fenced.
    const a3 = consumer('static-a3', 'static', config('instance-a'));
    // librdkafka raises _FATAL ("Static consumer fenced by other consumer with same group.instance.id").
    const fenced = await a2.waitForLine((l) => l.type === 'error' && l['name'] === '_FATAL', 20_000, 'a fatal error');
    assert.match(String(fenced['text']), /fenced/i);
    assert.ok(events.of('samsa:coordinator:member-fenced', group).some((e) => e.groupInstanceId === 'instance-a'));
    await a3.waitForLine((l) => l.type === 'assign' && partitionsOf(l).length > 0, 20_000, 'the newest process owns the partitions');
    assert.deepEqual(partitionsOf(a3.last('assign')), partitionsOfA);
  });

  it('a consumer that exceeds max.poll.interval.ms leaves; its partitions move and it rejoins when it polls again', async () => {
    await createTopic('slow', 2);
    const group = 'slow-group';
    const slow = consumer('slow', 'slow', { 'group.id': group, 'session.timeout.ms': 1500, 'max.poll.interval.ms': 2000 });
    const steady = consumer('steady', 'slow', { 'group.id': group, 'session.timeout.ms': 1500 });
    await waitFor(() => partitionsOf(slow.last('assign')).length === 1 && partitionsOf(steady.last('assign')).length === 1, 20_000, 'one partition each');
    const slowMember = broker.context.groups.coordinator.group(group)!.members.find((m) => m.clientId === 'slow')!.memberId;
    const from = steady.lines.length;
    slow.send('stall 4');
    await steady.waitForLine((l) => l.type === 'assign' && partitionsOf(l).length === 2, 15_000, 'both partitions while the slow one stalls', from);
    const removed = events.of('samsa:coordinator:member-removed', group).find((e) => e.memberId === slowMember);
    assert.ok(removed, 'the slow member was removed');
    assert.equal(removed.reason, 'leave-request', 'librdkafka leaves the group itself when max.poll.interval.ms passes');
    await slow.waitForLine((l) => l.type === 'resumed', 10_000, 'resumed');
    const resumedAt = slow.lines.length;
    await slow.waitForLine((l) => l.type === 'assign' && partitionsOf(l).length === 1, 15_000, 'rejoined after polling again', resumedAt);
    await waitFor(() => partitionsOf(steady.last('assign')).length === 1, 10_000, 'the steady one back to one partition');
  });
});
