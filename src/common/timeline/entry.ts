import type {
  PartitionMove,
  RebalanceProtocol,
  TimelineCause,
  TimelineEntry,
  TimelineEntryKind,
  TimelineMember,
  TimelinePause,
  TopicPartitionRef,
} from './types.js';

/** A partition its owner gave up in a cooperative first round, still waiting for its new owner. */
export interface PendingRevocation {
  readonly from: string;
  readonly atMs: number;
  readonly generationId: number | null;
}

/** What both timeline sources know about one transition of a group. */
export interface EntryFacts {
  readonly groupId: string;
  readonly kind: TimelineEntryKind;
  readonly source: 'coordinator' | 'inferred';
  readonly generationId: number | null;
  readonly previousGenerationId: number | null;
  readonly startedAtMs: number;
  readonly joinCompletedAtMs: number | null;
  readonly completedAtMs: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  /** When the group says it (a consumer group, KIP-848); otherwise decided by the assignor's name. */
  readonly rebalanceProtocol?: RebalanceProtocol;
  readonly leaderId: string | null;
  readonly causes: readonly TimelineCause[];
  readonly membersBefore: readonly TimelineMember[];
  readonly membersAfter: readonly TimelineMember[];
}

/**
 * Whether members give up every partition before rejoining (eager, the classic protocol's
 * default) or only those that move (KIP-429). Decided by the assignor name: cooperative-sticky is
 * the only cooperative assignor the Java client, librdkafka and Samsa ship.
 */
export function rebalanceProtocolOf(protocolName: string | null): RebalanceProtocol {
  if (protocolName === null || protocolName === '') return 'unknown';
  return protocolName === 'cooperative-sticky' ? 'cooperative' : 'eager';
}

export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

function ownersOf(members: readonly TimelineMember[]): Map<string, { ref: TopicPartitionRef; memberId: string }> {
  const owners = new Map<string, { ref: TopicPartitionRef; memberId: string }>();
  for (const m of members) {
    for (const [topic, partitions] of Object.entries(m.assignment)) {
      for (const partition of partitions) owners.set(partitionKey(topic, partition), { ref: { topic, partition }, memberId: m.memberId });
    }
  }
  return owners;
}

const byPartition = (a: TopicPartitionRef, b: TopicPartitionRef): number => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition);

/**
 * Builds one timeline entry from the members before and after: who joined and left, which
 * partitions kept their owner, moved, were revoked or newly assigned, and how long consumption
 * paused. Eager protocols revoke everything at the start of the rebalance, so every partition
 * that had an owner stops for the whole rebalance. Cooperative ones (KIP-429) keep partitions
 * flowing: a partition that moves is revoked in a first generation and assigned in a second, and
 * its pause runs from the first generation's end to the second's; `pending` carries those
 * revocations from one entry to the next and is returned updated.
 */
export function buildTimelineEntry(
  facts: EntryFacts,
  pending: ReadonlyMap<string, PendingRevocation>,
): { entry: TimelineEntry; pending: Map<string, PendingRevocation> } {
  const protocol = facts.rebalanceProtocol ?? rebalanceProtocolOf(facts.protocolName);
  const before = ownersOf(facts.membersBefore);
  const after = ownersOf(facts.membersAfter);
  const nextPending = new Map(pending);
  const durationMs = Math.max(0, facts.completedAtMs - facts.startedAtMs);
  const kept: TopicPartitionRef[] = [];
  const moved: PartitionMove[] = [];
  const revoked: PartitionMove[] = [];
  const assigned: PartitionMove[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(key);
    const a = after.get(key);
    const ref = (a ?? b)!.ref;
    if (b !== undefined && a !== undefined) {
      nextPending.delete(key);
      if (b.memberId === a.memberId) kept.push(ref);
      else moved.push({ ...ref, from: b.memberId, to: a.memberId, pauseMs: durationMs });
    } else if (b !== undefined) {
      revoked.push({ ...ref, from: b.memberId, to: null, pauseMs: null });
      if (protocol === 'cooperative' && facts.kind === 'rebalance') {
        nextPending.set(key, { from: b.memberId, atMs: facts.completedAtMs, generationId: facts.generationId });
      } else {
        nextPending.delete(key);
      }
    } else if (a !== undefined) {
      const p = pending.get(key);
      nextPending.delete(key);
      if (p !== undefined) {
        moved.push({ ...ref, from: p.from, to: a.memberId, pauseMs: Math.max(0, facts.completedAtMs - p.atMs), revokedInGeneration: p.generationId });
      } else {
        assigned.push({ ...ref, from: null, to: a.memberId, pauseMs: null });
      }
    }
  }
  kept.sort(byPartition);
  for (const list of [moved, revoked, assigned]) list.sort(byPartition);
  const beforeIds = new Set(facts.membersBefore.map((m) => m.memberId));
  const afterIds = new Set(facts.membersAfter.map((m) => m.memberId));
  const entry: TimelineEntry = {
    groupId: facts.groupId,
    kind: facts.kind,
    source: facts.source,
    generationId: facts.generationId,
    previousGenerationId: facts.previousGenerationId,
    startedAtMs: facts.startedAtMs,
    joinCompletedAtMs: facts.joinCompletedAtMs,
    completedAtMs: facts.completedAtMs,
    protocolType: facts.protocolType,
    protocolName: facts.protocolName,
    rebalanceProtocol: protocol,
    leaderId: facts.leaderId,
    causes: facts.causes,
    membersBefore: sortMembers(facts.membersBefore),
    membersAfter: sortMembers(facts.membersAfter),
    joined: [...afterIds].filter((id) => !beforeIds.has(id)).sort(),
    left: [...beforeIds].filter((id) => !afterIds.has(id)).sort(),
    partitions: { kept, moved, revoked, assigned },
    pause: pauseOf(facts, protocol, durationMs, before.size, moved, revoked),
  };
  return { entry, pending: nextPending };
}

function pauseOf(facts: EntryFacts, protocol: RebalanceProtocol, durationMs: number, ownedBefore: number, moved: PartitionMove[], revoked: PartitionMove[]): TimelinePause {
  if (facts.kind === 'member-replaced') return { kind: 'none', maxMs: 0, partitionsPaused: 0 };
  // Consumer groups (KIP-848) move partitions one by one too, with no second round to wait for.
  if (protocol === 'cooperative' || protocol === 'consumer') {
    const maxMs = moved.reduce((max, m) => Math.max(max, m.pauseMs ?? 0), 0);
    return { kind: 'per-partition', maxMs, partitionsPaused: moved.length + revoked.length };
  }
  // Eager: every owned partition was revoked when its member rejoined, whatever it gets back.
  return { kind: 'stop-the-world', maxMs: ownedBefore > 0 ? durationMs : 0, partitionsPaused: ownedBefore };
}

function sortMembers(members: readonly TimelineMember[]): TimelineMember[] {
  return [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
}

/** A decoded assignment (topic, partitions) as the timeline stores it: topics and partitions sorted. */
export function assignmentRecord(assignment: ReadonlyArray<{ topic: string; partitions: readonly number[] }> | null): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  if (assignment === null) return out;
  for (const { topic, partitions } of [...assignment].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0))) {
    out[topic] = [...new Set([...(out[topic] ?? []), ...partitions])].sort((a, b) => a - b);
  }
  return out;
}
