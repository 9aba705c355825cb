import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRun, type RunFacts } from './analysis.js';
import { DeliveryLog, longestGap } from './delivery-log.js';
import { BASE_KNOBS } from './scenarios.js';
import { LAG_SAMPLE_MS, type LabEvent } from './types.js';

const ORIGIN = 1_000_000;

/** Two partitions, each handled every 50 ms from 0 to 6 s; partition 1 moves from a to b at 3 s with a 1 s gap. */
function facts(o: { moveGapMs?: number; events?: LabEvent[]; lag?: number[] } = {}): RunFacts {
  const log = new DeliveryLog();
  const gap = o.moveGapMs ?? 1000;
  let offset0 = 0;
  let offset1 = 0;
  for (let t = 0; t <= 6000; t += 50) {
    log.add('a', 0, ORIGIN + t, offset0, offset0 + 4);
    offset0 += 5;
    if (t < 3000) log.add('a', 1, ORIGIN + t, offset1, offset1 + 4);
    else if (t >= 3000 + gap) log.add('b', 1, ORIGIN + t, offset1, offset1 + 4);
    else continue;
    offset1 += 5;
  }
  // b starts partition 1 again from 20 records back (its last commit): 20 duplicates.
  log.add('b', 1, ORIGIN + 6000, offset1 - 20, offset1 - 1);
  return {
    scenario: 'test',
    variant: 'v',
    knobs: { ...BASE_KNOBS, partitions: 2, ratePerSecond: 200 },
    originMs: ORIGIN,
    producingEndedMs: ORIGIN + 6000,
    endMs: ORIGIN + 6500,
    endOffsets: [{ partition: 0, offset: offset0 }, { partition: 1, offset: offset1 + 3 }],
    initialPartitions: 2,
    log,
    events: o.events ?? [{ atMs: 3000, source: 'lab', text: 'b starts', disturbance: true }],
    timeline: [],
    lagSeries: o.lag ?? [],
    throughputSeries: [],
    members: [
      { name: 'a', memberName: 'a', view: { partitions: [0], memberIds: new Set(['a-1']), pollTimeouts: 0, final: true }, exit: 'running', exitedAtMs: NaN, started: true },
      { name: 'b', memberName: 'b', view: { partitions: [1], memberIds: new Set(['b-1', 'b-2']), pollTimeouts: 1, final: true }, exit: 'running', exitedAtMs: NaN, started: true },
      { name: 'c', memberName: 'c', view: { partitions: [], memberIds: new Set(['c-1']), pollTimeouts: 0, final: true }, exit: 'running', exitedAtMs: NaN, started: true },
    ],
    generations: new Set([2, 3]),
    generationsAtOrigin: 1,
  };
}

describe('lab delivery log', () => {
  it('counts distinct records, deliveries and duplicates by partition and offset', () => {
    const log = new DeliveryLog();
    log.add('a', 0, 1, 0, 9);
    log.add('b', 0, 2, 5, 14);
    log.add('a', 1, 3, 0, 4);
    assert.equal(log.distinct, 20);
    assert.equal(log.deliveries, 25);
    assert.equal(log.duplicates, 5);
    assert.equal(log.handledBelow(0, 12), 12);
    assert.deepEqual(log.membersOf(0, 0, 10).sort(), ['a', 'b']);
  });

  it('finds the longest gap, including the stretch before the first and after the last time', () => {
    assert.equal(longestGap([10, 20, 60], 0, 70), 40);
    assert.equal(longestGap([10, 20], 0, 100), 80);
    assert.equal(longestGap([], 5, 25), 20);
    assert.equal(longestGap([1, 2, 50], 10, 60), 40);
  });

  it('resolves a wait once enough distinct records were handled, and false after its timeout', async () => {
    const log = new DeliveryLog();
    const waiting = log.waitForDistinct(() => 10, 5000);
    log.add('a', 0, 1, 0, 4);
    log.add('a', 0, 2, 0, 4);
    log.add('a', 0, 3, 5, 9);
    assert.equal(await waiting, true);
    assert.equal(await log.waitForDistinct(() => 11, 1), false);
  });
});

describe('lab analysis', () => {
  it('reports duplicates, losses, pauses of moved and staying partitions, and members', () => {
    const r = analyzeRun(facts());
    assert.equal(r.duplicates, 20);
    assert.equal(r.lost, 3);
    assert.equal(r.produced, r.processed + 3);
    const [p0, p1] = r.partitions;
    assert.equal(p0!.staying, true);
    assert.equal(p1!.staying, false);
    assert.deepEqual(p1!.owners, ['a', 'b']);
    assert.equal(p0!.pauseMs, 50);
    // Pauses count from the disturbance (3 s) to the next record handled (4 s).
    assert.equal(p1!.pauseMs, 1000);
    assert.equal(r.stayingPauseMs, 50);
    assert.equal(r.movedPauseMs, 1000);
    assert.equal(r.maxPartitionPauseMs, 1000);
    assert.equal(r.medianPartitionPauseMs, (50 + 1000) / 2);
    assert.equal(r.rebalances, 2);
    assert.deepEqual(r.idleMembers, ['c']);
    assert.equal(r.members.find((m) => m.name === 'b')!.evictions, 1);
    assert.equal(r.members.find((m) => m.name === 'b')!.pollTimeouts, 1);
    assert.ok(Number.isNaN(r.members.find((m) => m.name === 'c')!.pauseMs));
  });

  it('without a disturbance nothing moved or stayed', () => {
    const r = analyzeRun(facts({ events: [] }));
    assert.ok(Number.isNaN(r.movedPauseMs));
    assert.ok(Number.isNaN(r.stayingPauseMs));
    assert.equal(r.recoverMs, 0);
  });

  it('times the recovery from the disturbance until lag is back under its threshold', () => {
    // Steady lag 10 before 3 s, a backlog from 3 s to 4.5 s, then steady again; 200 records/s
    // makes the floor 40 records, twice the steady level 20: recovered at the first sample <= 40
    // (4.6 s), 1.6 s after the disturbance.
    const lag = Array.from({ length: 60 }, (_, i) => {
      const t = (i + 1) * LAG_SAMPLE_MS;
      return t > 3000 && t <= 4500 ? 300 : 10;
    });
    const r = analyzeRun(facts({ lag }));
    assert.equal(r.lagPeak, 300);
    assert.equal(r.recoverMs, 1600);
  });

  it('a backlog still there when the producer stops has not recovered', () => {
    const lag = Array.from({ length: 60 }, (_, i) => ((i + 1) * LAG_SAMPLE_MS > 3000 ? 500 : 10));
    assert.ok(Number.isNaN(analyzeRun(facts({ lag })).recoverMs));
  });

  it('draws ownership segments per partition, split at a change of member or a long gap', () => {
    const r = analyzeRun(facts());
    const p1 = r.ownership.filter((s) => s.partition === 1);
    assert.deepEqual(p1.map((s) => [s.member, s.fromMs, s.toMs]), [['a', 0, 2950], ['b', 4000, 6000]]);
  });
});
