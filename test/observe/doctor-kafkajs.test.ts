import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kafka } from 'kafkajs';
import type { Admin } from '../../src/client/admin/index.js';
import { startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';
import {
  findingOf, kafkaFor, runDoctor, samsaAdmin, sleep, startKafkajsConsumer, SteadyProducer, waitCaughtUp, WINDOW_MS, type RunningConsumer,
} from './doctor-support.js';

/** Within 30% (commits and acks land in steps, so window edges cut a step or two). */
function assertNear(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 0.3 * Math.abs(expected) + 5, `${what}: ${actual} vs ${expected}`);
}

/**
 * `samsa doctor`'s analysis against groups of real kafkajs 2.2.4 consumers, each test creating
 * one condition on purpose and checking the finding and its numbers. The doctor watches through
 * Samsa's admin client, as it would any cluster, and reads the broker's exact rebalance history.
 */
describe('doctor: conditions created with kafkajs consumers', () => {
  let broker: TestBroker;
  let kafka: Kafka;
  let admin: Admin;
  const running: Array<{ stop(): Promise<void> }> = [];

  before(async () => {
    broker = await startTestBroker();
    kafka = kafkaFor(broker);
    admin = samsaAdmin(broker);
  });
  after(async () => {
    for (const r of running.reverse()) await r.stop();
    await admin.close();
    await broker.close();
  });

  async function topic(name: string, partitions: number): Promise<void> {
    await admin.createTopics({ topics: [{ name, numPartitions: partitions }] });
  }

  async function consumer(groupId: string, name: string, o: Parameters<typeof startKafkajsConsumer>[3] = {}): Promise<RunningConsumer> {
    const c = await startKafkajsConsumer(kafka, groupId, name, o);
    running.push(c);
    return c;
  }

  async function producer(name: string, o: ConstructorParameters<typeof SteadyProducer>[2]): Promise<SteadyProducer> {
    const p = await new SteadyProducer(kafka, name, o).start();
    running.push(p);
    return p;
  }

  it('a group that keeps up gets no finding and exit code 0', async () => {
    await topic('healthy', 2);
    const p = await producer('healthy', { perTick: 10, tickMs: 100, partitionOf: (i) => i % 2 });
    const a = await consumer('healthy-group', 'healthy');
    const b = await consumer('healthy-group', 'healthy');
    await waitFor(() => a.partitions.length === 1 && b.partitions.length === 1, 20_000, 'one partition each');
    await waitFor(() => a.processed > 0 && b.processed > 0, 20_000, 'both consuming');
    // The joins before the window paused the group; judge the window only.
    const sentBefore = p.sent;
    const report = await runDoctor(broker, admin, 'healthy-group', { historyMs: WINDOW_MS });
    assert.deepEqual(report.findings.map((f) => [f.kind, f.title]), []);
    assert.equal(report.exitCode, 0);
    assert.equal(report.summary.members, 2);
    assertNear(report.summary.productionPerSec!, ((p.sent - sentBefore) * 1000) / WINDOW_MS, 'production rate vs records acked to the producer');
    await p.stop();
  });

  it('too few consumers: one slow consumer behind a faster producer, with the rates and the consumers it takes', async () => {
    await topic('slow', 2);
    // About 200 records/s in; the consumer takes 20 ms a record, so at most 50/s out.
    const p = await producer('slow', { perTick: 20, tickMs: 100, partitionOf: (i) => i % 2 });
    const c = await consumer('slow-group', 'slow', { maxBytesPerPartition: 2048, handler: () => sleep(20) });
    await waitFor(() => c.processed > 20, 20_000, 'the consumer at work');
    const sentBefore = p.sent;
    const processedBefore = c.processed;
    const report = await runDoctor(broker, admin, 'slow-group');
    const f = findingOf(report, 'too-few-consumers');
    const e = f.evidence as Record<string, number>;
    assertNear(e.productionPerSec!, ((p.sent - sentBefore) * 1000) / WINDOW_MS, 'production rate vs records acked to the producer');
    // Commits trail the handler by a batch, and each partition is judged between its own commits: never more than was finished.
    const finishedPerSec = ((c.processed - processedBefore) * 1000) / WINDOW_MS;
    assert.ok(e.consumptionPerSec! > 0 && e.consumptionPerSec! <= 1.3 * finishedPerSec + 5, `consumption ${e.consumptionPerSec}/s vs ${finishedPerSec}/s finished`);
    assert.ok(e.consumptionPerSec! <= 55, `20 ms a record: at most 50/s, got ${e.consumptionPerSec}`);
    assert.ok(e.lagEnd! > e.lagStart!, 'the lag grew');
    // The lag grew by what came in minus what went out.
    const expectedGrowth = (e.productionPerSec! - e.consumptionPerSec!) * (e.windowMs! / 1000);
    assertNear(e.lagEnd! - e.lagStart!, expectedGrowth, 'lag growth vs the two rates');
    assert.equal(e.members, 1);
    assert.equal(e.consumersNeeded, 2, 'at most one consumer per partition');
    assert.deepEqual(f.members, [c.memberId]);
    assert.equal(f.severity, e.consumptionPerSec! < e.productionPerSec! / 2 ? 'critical' : 'warning');
    assert.equal(report.exitCode, f.severity === 'critical' ? 2 : 1);
    await p.stop();
  });

  it('more members than partitions: the idle member is named', async () => {
    await topic('crowded', 2);
    const cs = [await consumer('crowded-group', 'crowded'), await consumer('crowded-group', 'crowded'), await consumer('crowded-group', 'crowded')];
    await waitFor(() => cs.filter((c) => c.partitions.length === 1).length === 2 && cs.every((c) => c.memberId !== null), 20_000, 'two members with a partition');
    await waitFor(async () => (await admin.describeGroups(['crowded-group']))[0]!.state === 'Stable', 20_000, 'a stable group');
    const idle = cs.find((c) => c.partitions.length === 0)!;
    const report = await runDoctor(broker, admin, 'crowded-group', { historyMs: WINDOW_MS });
    const f = findingOf(report, 'idle-members');
    assert.deepEqual(f.members, [idle.memberId]);
    assert.deepEqual([f.evidence.members, f.evidence.partitions, f.evidence.idleMembers], [3, 2, 1]);
    assert.equal(report.exitCode, 1);
  });

  it('a stalled partition: its owner is stuck on a record while the other partition moves', async () => {
    await topic('stall', 2);
    let stuck = false;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const p = await producer('stall', { perTick: 4, tickMs: 100, partitionOf: (i) => i % 2 });
    const handler = async () => {
      if (stuck) await released;
    };
    // A long session so the stuck member stays in the group for the whole test (kafkajs heartbeats between records).
    const a = await consumer('stall-group', 'stall', { sessionTimeout: 60_000, rebalanceTimeout: 60_000 });
    const b = await consumer('stall-group', 'stall', { sessionTimeout: 60_000, rebalanceTimeout: 60_000, handler });
    running.unshift({ stop: async () => release() });
    await waitFor(() => a.partitions.length === 1 && b.partitions.length === 1, 20_000, 'one partition each');
    await waitCaughtUp(admin, 'stall-group', 'both partitions committed');
    stuck = true;
    const report = await runDoctor(broker, admin, 'stall-group', { historyMs: WINDOW_MS });
    const f = findingOf(report, 'stalled-partition');
    assert.deepEqual(f.partitions, [{ topic: 'stall', partition: b.partitions[0]! }]);
    assert.deepEqual(f.members, [b.memberId]);
    assert.ok((f.evidence.lag as number) > 0);
    assert.equal(f.evidence.partitionsMovingElsewhere, 1);
    assert.equal(report.findings[0]!.kind, 'stalled-partition', 'the most serious finding comes first');
    release();
    await p.stop();
  });

  it('a member evicted for processing longer than the rebalance timeout (max.poll.interval.ms), from the exact timeline', async () => {
    await topic('poll', 1);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    running.unshift({ stop: async () => release() });
    const slow = await consumer('poll-group', 'poll', { sessionTimeout: 60_000, rebalanceTimeout: 1000, handler: () => released });
    await waitFor(() => slow.partitions.length === 1, 20_000, 'the slow member owns the partition');
    const p = await kafka.producer();
    await p.connect();
    await p.send({ topic: 'poll', messages: [{ value: 'takes forever' }] });
    await p.disconnect();
    await waitFor(() => slow.processed === 0 && slow.memberId !== null, 5000, 'the slow member inside its handler');
    // A second member joins: the stuck one cannot rejoin within its rebalance timeout.
    const other = await consumer('poll-group', 'poll', { rebalanceTimeout: 1000 });
    await waitFor(() => other.partitions.length === 1, 20_000, 'the partition moved to the new member');
    const report = await runDoctor(broker, admin, 'poll-group', { windowMs: 1000 });
    const f = findingOf(report, 'poll-interval-exceeded');
    assert.deepEqual(f.members, [slow.memberId]);
    assert.equal(f.evidence.evictions, 1);
    assert.equal(f.evidence.partitionsMovedAway, 1);
    release();
  });

  it('skew: one key takes most of the production; the hot partition and the key are named', async () => {
    await topic('skewed', 4);
    // 9 of 10 records carry the key "tenant-42" and go to partition 2; the rest spread over 0, 1, 3.
    const p = await producer('skewed', {
      perTick: 20, tickMs: 100,
      partitionOf: (i) => (i % 10 === 9 ? [0, 1, 3][i % 3]! : 2),
      keyOf: (i) => (i % 10 === 9 ? `other-${i}` : 'tenant-42'),
    });
    const c = await consumer('skewed-group', 'skewed');
    await waitFor(() => c.processed > 50, 20_000, 'the consumer at work');
    const report = await runDoctor(broker, admin, 'skewed-group', { historyMs: WINDOW_MS });
    const f = findingOf(report, 'skew');
    assert.equal(f.evidence.topic, 'skewed');
    assert.equal(f.evidence.hotProductionPartition, 2);
    const share = f.evidence.productionSharePct as number;
    assert.ok(share > 85 && share < 95, `about 90% of production on partition 2: ${share}`);
    assert.equal(f.evidence.evenSharePct, 25);
    assert.match((f.evidence.topKeys as string[])[0]!, /^tenant-42:\d+$/);
    assert.match(f.fix[0]!, /"tenant-42"/);
    assert.equal(report.exitCode, 1);
    await p.stop();
  });
});
