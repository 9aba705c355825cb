import type { JoinGroupResponseMember, SyncGroupRequestAssignmentInit } from '../../protocol/messages/index.js';
import { decodeSubscription, encodeAssignment } from './embedded.js';
import { flattenTopics, partitionKey, sortPartitions } from './partitions.js';
import type { GroupAssignor, MemberSubscription, RebalanceProtocol, TopicPartition } from './types.js';

/**
 * The rebalance protocol of a member: the highest one every configured assignor supports, so
 * COOPERATIVE only when all of them do (the Java ConsumerCoordinator's rule). A configuration
 * listing both `range` and `cooperative-sticky` therefore stays EAGER, which is what makes the
 * documented two-step rolling upgrade from one to the other safe.
 */
export function chooseRebalanceProtocol(assignors: readonly GroupAssignor[]): RebalanceProtocol {
  if (assignors.length === 0) throw new RangeError('at least one assignor is needed');
  return assignors.every((a) => a.supportedProtocols.includes('COOPERATIVE')) ? 'COOPERATIVE' : 'EAGER';
}

/** Decodes every member's subscription; a member whose metadata cannot be read subscribes to nothing. */
export function decodeMembers(members: readonly JoinGroupResponseMember[]): MemberSubscription[] {
  return members.map((m) => {
    try {
      return decodeSubscription(m.memberId, m.groupInstanceId, m.metadata);
    } catch {
      return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics: [], userData: null, ownedPartitions: [], generationId: -1, rackId: null };
    }
  });
}

/** Every topic some member subscribes to, sorted: the metadata the leader needs. */
export function groupSubscribedTopics(members: readonly MemberSubscription[]): string[] {
  const topics = new Set<string>();
  for (const m of members) for (const t of m.topics) topics.add(t);
  return [...topics].sort();
}

/**
 * KIP-429's first phase, applied to whatever the assignor returned: a partition still owned by
 * another member (by its latest-generation claim) is withheld from its new owner this round.
 * The owner sees it missing from its assignment, revokes it and rejoins; the next round hands it
 * over. Java validates this and throws for custom assignors; we enforce it instead, so any
 * assignor is safe under COOPERATIVE. Mutates `plan`; returns the partitions withheld.
 */
export function withholdOwnedPartitions(members: readonly MemberSubscription[], plan: Map<string, TopicPartition[]>): TopicPartition[] {
  const owners = new Map<string, { generationId: number; memberIds: Set<string> }>();
  for (const m of members) {
    for (const tp of flattenTopics(m.ownedPartitions)) {
      const key = partitionKey(tp);
      const current = owners.get(key);
      if (current === undefined || m.generationId > current.generationId) {
        owners.set(key, { generationId: m.generationId, memberIds: new Set([m.memberId]) });
      } else if (m.generationId === current.generationId) {
        current.memberIds.add(m.memberId);
      }
    }
  }
  const withheld: TopicPartition[] = [];
  for (const [memberId, partitions] of plan) {
    const kept: TopicPartition[] = [];
    for (const tp of partitions) {
      const owner = owners.get(partitionKey(tp));
      if (owner !== undefined && !owner.memberIds.has(memberId)) withheld.push(tp);
      else kept.push(tp);
    }
    plan.set(memberId, kept);
  }
  return sortPartitions(withheld);
}

export interface LeaderAssignmentResult {
  assignments: SyncGroupRequestAssignmentInit[];
  /** memberId -> the partitions it gets this generation. */
  plan: Map<string, TopicPartition[]>;
  withheld: TopicPartition[];
}

/** Runs the assignor the coordinator chose and encodes one assignment per member. */
export function performAssignment(
  assignor: GroupAssignor,
  protocol: RebalanceProtocol,
  members: readonly MemberSubscription[],
  partitionsPerTopic: ReadonlyMap<string, number>,
  partitionRacks?: ReadonlyMap<string, readonly (readonly string[])[]>,
): LeaderAssignmentResult {
  const existing = new Map<string, number>();
  for (const [topic, count] of partitionsPerTopic) if (count > 0) existing.set(topic, count);
  const raw = assignor.assign({ members: [...members], partitionsPerTopic: existing, ...(partitionRacks !== undefined ? { partitionRacks } : {}) });
  const plan = new Map<string, TopicPartition[]>();
  const userData = new Map<string, Buffer | null>();
  for (const m of members) {
    const a = raw.get(m.memberId);
    // Only partitions of topics the member subscribed to and that exist.
    const partitions = flattenTopics(a?.partitions ?? []).filter(
      (tp) => m.topics.includes(tp.topic) && tp.partition >= 0 && tp.partition < (existing.get(tp.topic) ?? 0),
    );
    plan.set(m.memberId, sortPartitions(partitions));
    userData.set(m.memberId, a?.userData ?? null);
  }
  const withheld = protocol === 'COOPERATIVE' ? withholdOwnedPartitions(members, plan) : [];
  const assignments: SyncGroupRequestAssignmentInit[] = [];
  for (const [memberId, partitions] of plan) {
    assignments.push({ memberId, assignment: encodeAssignment(partitions, userData.get(memberId) ?? null) });
  }
  return { assignments, plan, withheld };
}
