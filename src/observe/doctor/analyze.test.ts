import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TimelineCause, TimelineEntry } from '../../common/timeline/index.js';
import { diagnose } from './analyze.js';
import type { DoctorInput, DoctorSample, MemberSample, PartitionSample } from './types.js';

/** Partition state at sample i: log end, committed offset (null: none), owner. */
type PartitionAt = (i: number) => { end: number; committed: number | null; owner: string | null; start?: number };

const member = (memberId: string, partitions: number[], topic = 't'): MemberSample => ({
  memberId, clientId: `c-${memberId}`, clientHost: '/10.0.0.1', groupInstanceId: null, assignment: partitions.length ? { [topic]: partitions } : {},
});

/** `n` samples one second apart from t=10 s; every partition of topic `t` follows its function. */
function samples(n: number, members: MemberSample[] | null, partitions: PartitionAt[], state = 'Stable'): DoctorSample[] {
  return Array.from({ length: n }, (_, i) => ({
    atMs: 10_000 + i * 1000,
    state: members === null ? null : state,
    protocol: members === null ? null : 'range',
    members,
    partitions: partitions.map((f, p): PartitionSample => {
      const s = f(i);
      return { topic: 't', partition: p, logStartOffset: s.start ?? 0, logEndOffset: s.end, committedOffset: s.committed, owner: s.owner };
    }),
  }));
}

function input(s: DoctorSample[], over: Partial<DoctorInput> = {}): DoctorInput {
  return { groupId: 'g', samples: s, nowMs: s[s.length - 1]!.atMs, sampleIntervalMs: 1000, timeline: null, topics: { t: { retentionMs: null } }, endFacts: [], notes: [], ...over };
}

/** A partition produced to at `rate`/s and consumed right behind (lag `lag`), owned by `owner`. */
const keepingUp = (owner: string, rate = 10, lag = 0): PartitionAt => (i) => ({ end: 100 + rate * i, committed: 100 + rate * i - lag, owner });

function entry(over: Partial<TimelineEntry> & { causes: TimelineCause[] }): TimelineEntry {
  return {
    groupId: 'g', kind: 'rebalance', source: 'coordinator', generationId: 2, previousGenerationId: 1, startedAtMs: 11_000, joinCompletedAtMs: null, completedAtMs: 11_500,
    protocolType: 'consumer', protocolName: 'range', rebalanceProtocol: 'eager', leaderId: 'a',
    membersBefore: [{ memberId: 'a', groupInstanceId: null, clientId: 'c-a', clientHost: '/h', assignment: { t: [0] } }],
    membersAfter: [{ memberId: 'a', groupInstanceId: null, clientId: 'c-a', clientHost: '/h', assignment: { t: [0] } }],
    joined: [], left: [], partitions: { kept: [], moved: [], revoked: [], assigned: [] },
    pause: { kind: 'stop-the-world', maxMs: 500, partitionsPaused: 1 }, ...over,
  };
}

describe('doctor diagnosis', () => {
  it('finds nothing in a healthy group and exits 0', () => {
    const report = diagnose(input(samples(6, [member('a', [0]), member('b', [1])], [keepingUp('a'), keepingUp('b', 10, 2)])));
    assert.deepEqual(report.findings, []);
    assert.equal(report.status, 'healthy');
    assert.equal(report.exitCode, 0);
    assert.equal(report.summary.productionPerSec, 20);
    assert.equal(report.summary.consumptionPerSec, 20);
    assert.equal(report.summary.lagEnd, 2);
  });

  it('too few consumers: consumption below production, lag growing, every member busy; names how many consumers it takes', () => {
    // Each partition gets 30/s and its consumer does 10/s.
    const slow = (owner: string): PartitionAt => (i) => ({ end: 1000 + 30 * i, committed: 500 + 10 * i, owner });
    const report = diagnose(input(samples(6, [member('a', [0, 1]), member('b', [2, 3])], [slow('a'), slow('a'), slow('b'), slow('b')])));
    const [f] = report.findings;
    assert.equal(f!.kind, 'too-few-consumers');
    assert.equal(f!.severity, 'critical', 'a third of production is consumed');
    assert.equal(f!.evidence.productionPerSec, 120);
    assert.equal(f!.evidence.consumptionPerSec, 40);
    assert.deepEqual([f!.evidence.lagStart, f!.evidence.lagEnd], [2000, 2400]);
    assert.equal(f!.evidence.consumersNeeded, 4, '2 members x 3, capped at one per partition');
    assert.deepEqual(f!.members, ['a', 'b']);
    assert.equal(report.exitCode, 2);
  });

  it('is not "too few consumers" when a member has spare capacity (its partitions catch up)', () => {
    const slow: PartitionAt = (i) => ({ end: 1000 + 30 * i, committed: 500 + 10 * i, owner: 'a' });
    const report = diagnose(input(samples(6, [member('a', [0]), member('b', [1])], [slow, keepingUp('b', 1)])));
    assert.equal(report.findings.find((f) => f.kind === 'too-few-consumers'), undefined);
  });

  it('idle members: more members than partitions, the idle ones named', () => {
    const report = diagnose(input(samples(3, [member('a', [0]), member('b', [1]), member('c', [])], [keepingUp('a'), keepingUp('b')])));
    assert.deepEqual(report.findings.map((f) => f.kind), ['idle-members']);
    const [f] = report.findings;
    assert.deepEqual(f!.members, ['c']);
    assert.deepEqual(f!.evidence.idle, ['c-c (c, /10.0.0.1)']);
    assert.deepEqual([f!.evidence.members, f!.evidence.partitions], [3, 2]);
    assert.equal(report.exitCode, 1);
  });

  it('a stalled partition: owned, records waiting, committed offset standing still while the others move', () => {
    const stuck: PartitionAt = (i) => ({ end: 200 + 5 * i, committed: 150, owner: 'b' });
    const report = diagnose(input(samples(5, [member('a', [0]), member('b', [1])], [keepingUp('a'), stuck])));
    const [f] = report.findings;
    assert.equal(f!.kind, 'stalled-partition');
    assert.equal(f!.severity, 'critical');
    assert.deepEqual(f!.partitions, [{ topic: 't', partition: 1 }]);
    assert.deepEqual(f!.members, ['b']);
    assert.equal(f!.evidence.lag, 70);
    assert.equal(f!.evidence.stalledForMs, 4000);
    assert.deepEqual(f!.evidence.committedOffsets, { 't/1': 150 });
  });

  it('no owner: an empty group with lag, and partitions of a busy group that no member owns', () => {
    const left: PartitionAt = () => ({ end: 300, committed: 120, owner: null });
    const empty = diagnose(input(samples(3, [], [left, left], 'Empty')));
    assert.equal(empty.findings[0]!.kind, 'no-owner');
    assert.deepEqual([empty.findings[0]!.evidence.members, empty.findings[0]!.evidence.recordsWaiting], [0, 360]);
    const newPartition: PartitionAt = () => ({ end: 40, committed: null, owner: null });
    const partial = diagnose(input(samples(3, [member('a', [0])], [keepingUp('a'), newPartition])));
    assert.deepEqual(partial.findings.map((f) => [f.kind, f.evidence.recordsWaiting, f.evidence.neverCommittedPartitions]), [['no-owner', 40, 1]]);
  });

  it('does not judge owners when the cluster cannot describe groups, and says so', () => {
    const left: PartitionAt = () => ({ end: 300, committed: 120, owner: null });
    const report = diagnose(input(samples(3, null, [left])));
    assert.deepEqual(report.findings, []);
    assert.match(report.notes.join('\n'), /cannot describe groups/);
  });

  it('members evicted by max.poll.interval.ms, from the coordinator timeline', () => {
    const evicted = entry({ causes: [{ kind: 'max-poll-interval-exceeded', atMs: 11_400, memberId: 'b', clientId: 'slow-worker' }] });
    const report = diagnose(input(samples(3, [member('a', [0])], [keepingUp('a')]), { timeline: { source: 'coordinator', entries: [evicted], sinceMs: 0 } }));
    const f = report.findings.find((x) => x.kind === 'poll-interval-exceeded')!;
    assert.deepEqual([f.severity, f.evidence.evictions, f.evidence.clients, f.members], ['warning', 1, ['slow-worker'], ['b']]);
  });

  it('rebalance churn: counts pausing rebalances per hour, sums the pauses, and gives the remedy for each reason', () => {
    const restarts = [1, 2, 3, 4].map((i) => entry({
      generationId: i + 1, completedAtMs: 10_000 + i * 900,
      causes: [{ kind: i % 2 === 0 ? 'member-joined' : 'member-left', atMs: 10_000 + i * 900, memberId: `m${i}` }],
    }));
    const first = entry({ generationId: 1, membersBefore: [], causes: [{ kind: 'member-joined', atMs: 10_000 }] });
    const report = diagnose(input(samples(6, [member('a', [0])], [keepingUp('a')]), { timeline: { source: 'coordinator', entries: [first, ...restarts], sinceMs: 5_000 } }));
    const f = report.findings.find((x) => x.kind === 'rebalance-churn')!;
    assert.equal(f.evidence.rebalances, 4, 'the group\'s first assignment pauses nothing');
    assert.equal(f.evidence.totalPauseMs, 2000);
    assert.equal(f.evidence.historyMs, 10_000);
    assert.equal(f.evidence.perHour, 1440);
    assert.deepEqual(f.evidence.reasons, { 'member-left': 2, 'member-joined': 2 });
    assert.equal(f.severity, 'critical', '20% of the time paused');
    assert.match(f.fix.join('\n'), /group\.instance\.id/);
    assert.match(f.fix.join('\n'), /cooperative-sticky/);
  });

  it('a rare rebalance is no churn', () => {
    const one = entry({ causes: [{ kind: 'session-timeout', atMs: 11_000, memberId: 'b' }], pause: { kind: 'stop-the-world', maxMs: 100, partitionsPaused: 1 } });
    const report = diagnose(input(samples(3, [member('a', [0])], [keepingUp('a')]), { timeline: { source: 'coordinator', entries: [one], sinceMs: 0 } }));
    assert.deepEqual(report.findings, []);
    assert.equal(report.summary.rebalances, 1);
  });

  it('skew: production concentrated on one partition, with the hot keys read near its end', () => {
    const hot = keepingUp('a', 90);
    const cold = keepingUp('a', 5);
    const report = diagnose(input(samples(5, [member('a', [0, 1, 2, 3])], [hot, cold, cold, cold]), {
      endFacts: [{ topic: 't', partition: 0, oldestUnconsumedTimestampMs: null, retentionHorizonOffset: null, recentKeys: [{ key: 'tenant-42', count: 60 }, { key: 'x', count: 2 }] }],
    }));
    const f = report.findings.find((x) => x.kind === 'skew')!;
    assert.equal(f.evidence.hotProductionPartition, 0);
    assert.equal(f.evidence.productionSharePct, 85.7);
    assert.equal(f.evidence.evenSharePct, 25);
    assert.deepEqual(f.evidence.topKeys, ['tenant-42:60', 'x:2']);
    assert.match(f.fix[0]!, /tenant-42/);
  });

  it('skew: lag concentrated on one partition without more production there points at its owner', () => {
    const report = diagnose(input(samples(5, [member('a', [0]), member('b', [1])], [keepingUp('a', 10, 400), keepingUp('b', 10, 3)])));
    const f = report.findings.find((x) => x.kind === 'skew')!;
    assert.equal(f.evidence.hotLagPartition, 0);
    assert.equal(f.evidence.hotProductionPartition, null);
    assert.match(f.fix[0]!, /t\/0, which gets 50% of the production: its owner is slower/);
  });

  it('retention: a committed offset below the log start is records lost, critical', () => {
    const overtaken: PartitionAt = () => ({ start: 500, end: 900, committed: 350, owner: 'a' });
    const report = diagnose(input(samples(3, [member('a', [0])], [overtaken]), { topics: { t: { retentionMs: 60_000 } } }));
    const f = report.findings.find((x) => x.kind === 'retention-overtaking')!;
    assert.deepEqual([f.severity, f.evidence.lostRecords, f.evidence.committedOffsets, f.evidence.logStartOffsets], ['critical', 150, { 't/0': 350 }, { 't/0': 500 }]);
  });

  it('retention: unread records past retention.ms (ListOffsets by time), or close to it', () => {
    const behind: PartitionAt = (i) => ({ end: 1000 + i, committed: 400 + i, owner: 'a' });
    const base = samples(3, [member('a', [0])], [behind]);
    const deletable = diagnose(input(base, { topics: { t: { retentionMs: 60_000 } }, endFacts: [{ topic: 't', partition: 0, oldestUnconsumedTimestampMs: null, retentionHorizonOffset: 450 }] }));
    const d = deletable.findings.find((x) => x.kind === 'retention-overtaking')!;
    assert.deepEqual([d.severity, d.evidence.deletableRecords], ['critical', 48]);
    const nowMs = base[2]!.atMs;
    const ageing = diagnose(input(base, { topics: { t: { retentionMs: 60_000 } }, endFacts: [{ topic: 't', partition: 0, oldestUnconsumedTimestampMs: nowMs - 55_000, retentionHorizonOffset: 300 }] }));
    const a = ageing.findings.find((x) => x.kind === 'retention-overtaking')!;
    assert.deepEqual([a.severity, a.evidence.msUntilRetention, a.evidence.retentionMs], ['warning', 5000, 60_000]);
  });

  it('commits lagging processing: steps far apart, duplicates to expect after a crash', () => {
    // Produced 100/s, consumed right away, committed every 3 s (samples every second).
    const autoCommit: PartitionAt = (i) => ({ end: 1000 + 100 * i, committed: 1000 + 300 * Math.floor(i / 3), owner: 'a' });
    const report = diagnose(input(samples(10, [member('a', [0])], [autoCommit])));
    const f = report.findings.find((x) => x.kind === 'commits-lag-processing')!;
    assert.equal(f.evidence.commitIntervalMs, 3000);
    assert.equal(f.evidence.maxStepRecords, 300);
    assert.equal(f.evidence.duplicatesAfterCrash, 300);
    assert.equal(f.severity, 'info', 'below the warning threshold of 1000 records');
    assert.equal(diagnose(input(samples(10, [member('a', [0])], [autoCommit])), { commitStepWarnRecords: 200 }).findings[0]!.severity, 'warning');
  });

  it('commits as often as the sampling can see are not reported', () => {
    const everyBatch = keepingUp('a', 50, 5);
    assert.deepEqual(diagnose(input(samples(10, [member('a', [0])], [everyBatch]))).findings, []);
  });

  it('orders findings by severity, then by the records they concern', () => {
    const left: PartitionAt = () => ({ end: 300, committed: 120, owner: null });
    const stuck: PartitionAt = (i) => ({ end: 2000 + i, committed: 100, owner: 'a' });
    const report = diagnose(input(samples(4, [member('a', [1]), member('b', [])], [left, stuck])));
    assert.deepEqual(report.findings.map((f) => f.kind), ['stalled-partition', 'no-owner', 'skew', 'idle-members']);
  });

  it('a stall that begins during the window is timed from the last sample without records waiting', () => {
    // Caught up at 150 for the first two samples, then records arrive and the offset stays.
    const late: PartitionAt = (i) => ({ end: i < 2 ? 150 : 150 + 10 * i, committed: 150, owner: 'b' });
    const f = diagnose(input(samples(8, [member('a', [0]), member('b', [1])], [keepingUp('a'), late]))).findings[0]!;
    assert.equal(f.kind, 'stalled-partition');
    assert.equal(f.evidence.stalledForMs, 6000, 'from the second sample (last with nothing waiting) to the eighth');
    assert.equal(f.evidence.lag, 70);
  });

  it('a member that joined during the window and took over a backlog counts as busy', () => {
    const slow = (owner: (i: number) => string): PartitionAt => (i) => ({ end: 1000 + 30 * i, committed: 500 + 10 * i, owner: owner(i) });
    const s = samples(6, [member('a', [0]), member('b2', [1])], [slow(() => 'a'), slow((i) => (i < 3 ? 'b1' : 'b2'))]);
    const f = diagnose(input(s)).findings.find((x) => x.kind === 'too-few-consumers')!;
    assert.deepEqual(f.members, ['a', 'b2']);
  });
});
