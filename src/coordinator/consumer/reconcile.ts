import { EMPTY_PARTITIONS, type TopicPartitionsMap } from './assignment.js';
import type { ConsumerGroupMember } from './member.js';

/** Partitions a heartbeat reports as owned (null: unchanged since the previous heartbeat). */
export type OwnedPartitions = readonly { readonly topicId: string; readonly partitions: readonly number[] }[] | null;

export interface ReconcileInput {
  readonly member: ConsumerGroupMember;
  readonly targetEpoch: number;
  readonly target: TopicPartitionsMap;
  /** The epoch of a partition's current owner, -1 when it is free. */
  readonly partitionEpoch: (topicId: string, partition: number) => number;
  readonly owned: OwnedPartitions;
}

/** Reconciliation failed beyond repair: the member must drop everything and rejoin (FENCED_MEMBER_EPOCH). */
export class MemberMustRejoin extends Error {}

/**
 * One reconciliation step of a member towards the target assignment (Kafka's
 * CurrentAssignmentBuilder). KIP-848's rule is revoke first, then assign:
 *
 * - STABLE at an older epoch, or UNRELEASED_PARTITIONS: recompute against the target.
 * - UNREVOKED_PARTITIONS: stay put while the member still reports owning a partition it must give
 *   up; once its heartbeat no longer lists them, recompute.
 *
 * Recomputing keeps `current ∩ target`; the rest of current must be revoked, and while the member
 * still owns any of it, it stays at its epoch in UNREVOKED_PARTITIONS and is told only what it
 * keeps. Otherwise it moves to the target epoch and gets the target partitions that nobody owns
 * (partition epoch -1); those still owned elsewhere wait (UNRELEASED_PARTITIONS) and are handed
 * over on a later heartbeat, once released. A partition therefore never has two owners.
 */
export function reconcile(input: ReconcileInput): ConsumerGroupMember {
  const { member } = input;
  switch (member.state) {
    case 'STABLE':
      if (member.memberEpoch !== input.targetEpoch) return computeNext(input);
      return member;
    case 'UNREVOKED_PARTITIONS':
      if (ownsAny(input.owned, member.pendingRevocation)) return member;
      return computeNext(input);
    case 'UNRELEASED_PARTITIONS':
      return computeNext(input);
    case 'UNKNOWN':
      // Only after a downgrade of the coordinator (a state this code does not know): start over.
      if (input.owned === null || input.owned.length > 0) throw new MemberMustRejoin('the member is in an unknown state and must rejoin without partitions');
      return computeNext(input);
  }
}

/** Whether the heartbeat's owned list contains any of `partitions`. A null list owns everything. */
function ownsAny(owned: OwnedPartitions, partitions: TopicPartitionsMap): boolean {
  if (owned === null) return true;
  for (const t of owned) {
    const pending = partitions.get(t.topicId);
    if (pending !== undefined && t.partitions.some((p) => pending.has(p))) return true;
  }
  return false;
}

function computeNext(input: ReconcileInput): ConsumerGroupMember {
  const { member, target } = input;
  let hasUnreleased = false;
  const assigned = new Map<string, Set<number>>();
  const revoke = new Map<string, Set<number>>();
  const toAssign = new Map<string, Set<number>>();
  for (const topicId of new Set([...target.keys(), ...member.assigned.keys()])) {
    const wanted = target.get(topicId) ?? new Set<number>();
    const current = member.assigned.get(topicId) ?? new Set<number>();
    const kept = new Set([...current].filter((p) => wanted.has(p)));
    const revoked = new Set([...current].filter((p) => !kept.has(p)));
    const pending = new Set<number>();
    for (const p of wanted) {
      if (kept.has(p)) continue;
      if (input.partitionEpoch(topicId, p) !== -1) hasUnreleased = true;
      else pending.add(p);
    }
    if (kept.size > 0) assigned.set(topicId, kept);
    if (revoked.size > 0) revoke.set(topicId, revoked);
    if (pending.size > 0) toAssign.set(topicId, pending);
  }

  if (revoke.size > 0 && ownsAny(input.owned, revoke)) {
    // Revoke first: stay at this epoch until the member confirms it let go.
    return { ...member, state: 'UNREVOKED_PARTITIONS', previousMemberEpoch: member.memberEpoch, assigned, pendingRevocation: revoke };
  }
  for (const [topicId, set] of toAssign) {
    const into = assigned.get(topicId);
    if (into === undefined) assigned.set(topicId, set);
    else for (const p of set) into.add(p);
  }
  return {
    ...member,
    state: hasUnreleased ? 'UNRELEASED_PARTITIONS' : 'STABLE',
    previousMemberEpoch: member.memberEpoch,
    memberEpoch: input.targetEpoch,
    assigned,
    pendingRevocation: EMPTY_PARTITIONS,
  };
}
