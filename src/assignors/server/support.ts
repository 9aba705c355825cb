import type { PartitionsByTopic, ServerAssignmentInput, ServerAssignorMember } from './types.js';

/** A topic-partition as the assignors move it around. */
export interface TopicPartition {
  readonly topicId: string;
  readonly partition: number;
}

/** Subscribed topic ids that exist, ordered by topic name (then id). */
export function orderedTopics(input: ServerAssignmentInput, topicIds: Iterable<string>): string[] {
  const name = (id: string): string => input.topicNames.get(id) ?? id;
  return [...new Set(topicIds)]
    .filter((id) => input.partitionCounts.has(id))
    .sort((a, b) => compare(name(a), name(b)) || compare(a, b));
}

/** Every subscribed topic id across the members. */
export function allSubscribedTopics(members: readonly ServerAssignorMember[]): Set<string> {
  const topics = new Set<string>();
  for (const m of members) for (const t of m.subscribedTopicIds) topics.add(t);
  return topics;
}

/** True when every member subscribes to exactly the same topics (Kafka's HOMOGENEOUS type). */
export function isHomogeneous(members: readonly ServerAssignorMember[]): boolean {
  const first = members[0];
  if (first === undefined) return true;
  return members.every((m) => m.subscribedTopicIds.size === first.subscribedTopicIds.size && [...m.subscribedTopicIds].every((t) => first.subscribedTopicIds.has(t)));
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Members by member id: the order ties are broken in. */
export function byMemberId(members: readonly ServerAssignorMember[]): ServerAssignorMember[] {
  return [...members].sort((a, b) => compare(a.memberId, b.memberId));
}

/**
 * The partitions of `assignment` that are still valid for a member subscribed to `topics`
 * (topic subscribed and existing, partition below the count), in topic order then ascending.
 */
export function validPartitions(assignment: PartitionsByTopic, topicOrder: readonly string[], subscribed: ReadonlySet<string>, counts: ReadonlyMap<string, number>): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const topicId of topicOrder) {
    if (!subscribed.has(topicId)) continue;
    const partitions = assignment.get(topicId);
    if (partitions === undefined) continue;
    const count = counts.get(topicId) ?? 0;
    for (const p of [...partitions].sort((a, b) => a - b)) if (p >= 0 && p < count) out.push({ topicId, partition: p });
  }
  return out;
}

export function key(tp: TopicPartition): string {
  return `${tp.topicId}:${tp.partition}`;
}

/** Builds the assignor output from per-member partition lists. */
export function toAssignment(lists: ReadonlyMap<string, readonly TopicPartition[]>): Map<string, Map<string, Set<number>>> {
  const out = new Map<string, Map<string, Set<number>>>();
  for (const [memberId, list] of lists) {
    const topics = new Map<string, Set<number>>();
    for (const tp of list) {
      let set = topics.get(tp.topicId);
      if (set === undefined) topics.set(tp.topicId, (set = new Set()));
      set.add(tp.partition);
    }
    out.set(memberId, topics);
  }
  return out;
}
