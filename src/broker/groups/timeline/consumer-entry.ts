import {
  partitionKey,
  type PartitionMove,
  type TimelineCause,
  type TimelineEntry,
  type TimelineMember,
  type TopicPartitionRef,
} from '../../../common/timeline/index.js';

export type RoundMember = TimelineMember;

/** What happened to one partition during a consumer group's round, as the coordinator saw it. */
export interface PartitionTrack {
  readonly ref: TopicPartitionRef;
  /** The member that had it when the round first touched it. */
  from: string | null;
  /** When it stopped being consumed: revocation asked, or taken from a member that left or failed. */
  pausedAtMs: number | null;
  revokeRequestedAtMs: number | null;
  /** When its owner let it go (or lost it). */
  releasedAtMs: number | null;
  /** The member it was given to, and when; when that member listed it as owned. */
  to: string | null;
  assignedAtMs: number | null;
  acknowledgedAtMs: number | null;
}

/** A reconciliation round in progress. */
export interface Round {
  readonly startedAtMs: number;
  readonly previousEpoch: number | null;
  readonly membersBefore: readonly RoundMember[];
  readonly causes: TimelineCause[];
  readonly tracks: Map<string, PartitionTrack>;
  /** The group epoch moved during the round (a static member's return does not move it). */
  bumped: boolean;
  /** When the group was last seen Stable with the round open (waiting for acknowledgements). */
  stableAtMs: number | null;
  targetAssignedAtMs: number | null;
}

export interface RoundFacts {
  readonly groupId: string;
  readonly round: Round;
  readonly epoch: number | null;
  readonly assignor: string | null;
  readonly completedAtMs: number;
  readonly membersAfter: readonly RoundMember[];
}

const byPartition = (a: TopicPartitionRef, b: TopicPartitionRef): number => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition);
const byMemberId = (a: TimelineMember, b: TimelineMember): number => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);

function ownersOf(members: readonly TimelineMember[]): Map<string, { ref: TopicPartitionRef; memberId: string }> {
  const owners = new Map<string, { ref: TopicPartitionRef; memberId: string }>();
  for (const m of members) {
    for (const [topic, partitions] of Object.entries(m.assignment)) for (const partition of partitions) owners.set(partitionKey(topic, partition), { ref: { topic, partition }, memberId: m.memberId });
  }
  return owners;
}

/**
 * The timeline entry of a finished round: owners before and after give kept, moved, revoked and
 * assigned partitions; the round's per-partition times give each move its pause (revocation
 * asked, or owner gone, to the new owner's acknowledgement) and how long the old owner took to
 * revoke. Only moved partitions paused (KIP-848 has no group-wide barrier).
 */
export function buildRoundEntry(f: RoundFacts): TimelineEntry {
  const { round } = f;
  const before = ownersOf(round.membersBefore);
  const after = ownersOf(f.membersAfter);
  const kept: TopicPartitionRef[] = [];
  const moved: PartitionMove[] = [];
  const revoked: PartitionMove[] = [];
  const assigned: PartitionMove[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(key);
    const a = after.get(key);
    const ref = (a ?? b)!.ref;
    const t = round.tracks.get(key);
    if (b !== undefined && a !== undefined) {
      // Same owner, but it lost the partition and got it back (it rejoined): that paused too.
      if (b.memberId === a.memberId && (t === undefined || t.pausedAtMs === null || t.to !== a.memberId)) kept.push(ref);
      else moved.push({ ...ref, from: b.memberId, to: a.memberId, ...pauseOf(t, a.memberId, round.startedAtMs, f.completedAtMs) });
    } else if (b !== undefined) {
      revoked.push({ ...ref, from: b.memberId, to: null, pauseMs: null, revokeMs: revokeMsOf(t) });
    } else if (a !== undefined) {
      assigned.push({ ...ref, from: null, to: a.memberId, pauseMs: null });
    }
  }
  kept.sort(byPartition);
  for (const list of [moved, revoked, assigned]) list.sort(byPartition);
  const beforeIds = new Set(round.membersBefore.map((m) => m.memberId));
  const afterIds = new Set(f.membersAfter.map((m) => m.memberId));
  const causes = [...round.causes].sort((x, y) => x.atMs - y.atMs);
  const onlyReplacement = !round.bumped && causes.length > 0 && causes.every((c) => c.kind === 'static-replacement');
  return {
    groupId: f.groupId,
    kind: f.membersAfter.length === 0 && round.membersBefore.length > 0 ? 'emptied' : onlyReplacement ? 'member-replaced' : 'rebalance',
    source: 'coordinator',
    generationId: f.epoch,
    previousGenerationId: round.previousEpoch,
    startedAtMs: round.startedAtMs,
    joinCompletedAtMs: round.targetAssignedAtMs,
    completedAtMs: Math.max(round.startedAtMs, f.completedAtMs),
    protocolType: 'consumer',
    protocolName: f.assignor,
    rebalanceProtocol: 'consumer',
    leaderId: null,
    causes,
    membersBefore: [...round.membersBefore].sort(byMemberId),
    membersAfter: [...f.membersAfter].sort(byMemberId),
    joined: [...afterIds].filter((id) => !beforeIds.has(id)).sort(),
    left: [...beforeIds].filter((id) => !afterIds.has(id)).sort(),
    partitions: { kept, moved, revoked, assigned },
    pause: {
      kind: 'per-partition',
      maxMs: moved.reduce((max, m) => Math.max(max, m.pauseMs ?? 0), 0),
      partitionsPaused: moved.length + revoked.length,
    },
  };
}

function revokeMsOf(t: PartitionTrack | undefined): number | null {
  return t !== undefined && t.revokeRequestedAtMs !== null && t.releasedAtMs !== null ? Math.max(0, t.releasedAtMs - t.revokeRequestedAtMs) : null;
}

function pauseOf(t: PartitionTrack | undefined, to: string, startedAtMs: number, completedAtMs: number): Pick<PartitionMove, 'pauseMs' | 'revokeMs' | 'acknowledged'> {
  if (t === undefined || t.to !== to) return { pauseMs: Math.max(0, completedAtMs - startedAtMs), revokeMs: null, acknowledged: false };
  const from = t.pausedAtMs ?? startedAtMs;
  const until = t.acknowledgedAtMs ?? t.assignedAtMs ?? completedAtMs;
  return { pauseMs: Math.max(0, until - from), revokeMs: revokeMsOf(t), acknowledged: t.acknowledgedAtMs !== null };
}
