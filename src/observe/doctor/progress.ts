import { duration, listPartitions, membersKnown, plural, refOf, spanMs, type PartitionSeries } from './series.js';
import type { DoctorInput, Finding, PartitionSample } from './types.js';

/**
 * A stalled partition: a member owns it for the whole window, records wait (lag > 0 in every
 * sample), and the committed offset does not move. The consumer is there but makes no progress on
 * it: a handler stuck on one record (a poison message retried forever), a paused partition, a
 * blocked thread. Burrow calls this STALL. A commit interval longer than the window looks the
 * same, so the window should be longer than auto.commit.interval.ms (5 s by default).
 */
export function stalledPartitions(input: DoctorInput, series: readonly PartitionSeries[]): Finding | null {
  if (!membersKnown(input) || input.samples.length < 3) return null;
  const windowMs = spanMs(input);
  const runs = new Map<PartitionSeries, number>();
  for (const s of series) {
    const ms = stalledRunMs(s);
    if (ms !== null && ms >= windowMs / 2) runs.set(s, ms);
  }
  const stalled = [...runs.keys()];
  if (stalled.length === 0) return null;
  const owners = [...new Set(stalled.map((s) => s.last.owner!))].sort();
  const lag = stalled.reduce((n, s) => n + s.lagEnd!, 0);
  const movingElsewhere = series.filter((s) => !stalled.includes(s) && s.consumed > 0).length;
  const clients = clientNames(input, owners);
  return {
    kind: 'stalled-partition',
    severity: 'critical',
    title: `${plural(stalled.length, 'partition')} owned but not moving for ${duration(Math.max(...runs.values()))} with ${lag} records waiting (${listPartitions(stalled)})`,
    evidence: {
      stalledPartitions: stalled.length,
      lag,
      stalledForMs: Math.max(...runs.values()),
      committedOffsets: Object.fromEntries(stalled.map((s) => [`${s.topic}/${s.partition}`, s.last.committedOffset!])),
      owners: clients,
      partitionsMovingElsewhere: movingElsewhere,
    },
    partitions: stalled.map(refOf),
    members: owners,
    fix: [
      `look at what ${clients.join(', ')} is doing at the committed offset: a record its handler fails on and retries forever (send it to a dead-letter topic after N tries), a partition paused and never resumed, or a handler blocked on a lock or a call with no timeout`,
      'if the handler is only slow, not stuck, commit more often: commits further apart than the window look like a stall',
    ],
    impactRecords: lag,
  };
}

/**
 * How long the partition has been stuck at the end of the window: the trailing run of samples in
 * which it is owned, has records waiting and its committed offset stands still (at least three
 * samples). null when it is not stuck at the end.
 */
function stalledRunMs(s: PartitionSeries): number | null {
  const pts = s.points;
  const last = pts[pts.length - 1]!.p;
  if (last.committedOffset === null) return null;
  const waiting = (p: PartitionSample): boolean => p.logEndOffset > p.committedOffset!;
  // Owned with the same committed offset since index i...
  let i = pts.length - 1;
  while (i > 0 && pts[i - 1]!.p.owner !== null && pts[i - 1]!.p.committedOffset === last.committedOffset) i--;
  if (last.owner === null) return null;
  // ...with records waiting since index j; the sample before j (if in the run) is when it last had none.
  let j = pts.length;
  while (j > i && waiting(pts[j - 1]!.p)) j--;
  if (pts.length - j < 2) return null;
  return pts[pts.length - 1]!.atMs - pts[Math.max(i, j - 1)]!.atMs;
}

/**
 * Records wait on partitions nobody owns, for the whole window: the group is empty (its consumers
 * are down), or it has members none of which is assigned these partitions (a subscription that
 * misses a topic, partitions added that the leader has not noticed yet).
 */
export function noOwner(input: DoctorInput, series: readonly PartitionSeries[]): Finding | null {
  if (!membersKnown(input)) return null;
  const last = input.samples[input.samples.length - 1]!;
  const orphans = series.filter((s) => s.points.every((pt) => pt.p.owner === null) && waiting(s) > 0);
  if (orphans.length === 0) return null;
  const members = last.members!.length;
  const records = orphans.reduce((n, s) => n + waiting(s), 0);
  const neverCommitted = orphans.filter((s) => s.last.committedOffset === null).length;
  const fix = members === 0
    ? ['start the group\'s consumers: it has no member, so nothing is consumed', 'if the group is retired, delete it (samsa groups delete) so it stops showing lag']
    : [
      'check that every member subscribes to these topics (a pattern or list that misses one leaves its partitions unowned)',
      `partitions added recently are picked up when the leader refreshes metadata (metadata.max.age.ms, 5 min by default): lower it, or restart one member to force a rebalance`,
    ];
  return {
    kind: 'no-owner',
    severity: 'critical',
    title: members === 0
      ? `the group has no members: ${records} records wait on ${plural(orphans.length, 'partition')}`
      : `${plural(orphans.length, 'partition')} with ${records} records waiting belong to none of the ${plural(members, 'member')} (${listPartitions(orphans)})`,
    evidence: {
      members,
      state: last.state,
      unownedPartitions: orphans.length,
      recordsWaiting: records,
      neverCommittedPartitions: neverCommitted,
      unownedForMs: spanMs(input),
    },
    partitions: orphans.map(refOf),
    members: [],
    fix,
    impactRecords: records,
  };
}

/** Records not consumed on a partition: its lag, or every record kept when the group never committed there. */
function waiting(s: PartitionSeries): number {
  return s.lagEnd ?? Math.max(0, s.last.logEndOffset - s.last.logStartOffset);
}

function clientNames(input: DoctorInput, memberIds: readonly string[]): string[] {
  const members = input.samples[input.samples.length - 1]!.members ?? [];
  return memberIds.map((id) => {
    const m = members.find((x) => x.memberId === id);
    return m === undefined ? id : `${m.clientId} (${id})`;
  });
}
