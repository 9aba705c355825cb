import { javaHashMapOrder, javaStringHash } from './java-hash-order.js';
import type { AssignmentInput, AssignorMember, MemberAssignment, TopicPartitions } from './types.js';

/** java.lang.String#compareTo: lexicographic over UTF-16 code units (not locale-aware). */
export function compareJavaStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Java's AbstractPartitionAssignor.MemberInfo ordering: members with a group.instance.id first,
 * ordered by it; then the others ordered by member id.
 */
export function compareMemberInfo(a: AssignorMember, b: AssignorMember): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return compareJavaStrings(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return compareJavaStrings(a.memberId, b.memberId);
}

/**
 * Members sorted like Java's MemberInfo list. Java sorts a list built by walking its
 * HashMap<String, Subscription>, with a stable sort, so members that compare equal (two static
 * members claiming one group.instance.id, which a coordinator should never allow) stay in that
 * HashMap's order.
 */
export function sortedLikeMemberInfo(members: readonly AssignorMember[]): AssignorMember[] {
  return javaHashMapOrder(members, (m) => javaStringHash(m.memberId)).sort(compareMemberInfo);
}

/**
 * One entry per distinct member id, in input order. A repeated member id replaces the earlier
 * entry's data but keeps its position, as `HashMap.put` does in Java's leader.
 */
export function distinctMembers(members: readonly AssignorMember[]): AssignorMember[] {
  const byId = new Map<string, AssignorMember>();
  for (const m of members) byId.set(m.memberId, m);
  return [...byId.values()];
}

/**
 * The partition counts Java's AbstractPartitionAssignor hands to an assignor: only topics that some
 * member subscribes to and that have at least one partition.
 */
export function subscribedPartitionCounts(input: AssignmentInput, members: readonly AssignorMember[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of members) {
    for (const topic of m.topics) {
      const count = input.partitionsPerTopic.get(topic);
      if (count !== undefined && count > 0) out.set(topic, count);
    }
  }
  return out;
}

/** Builds the sorted, grouped form of a member's partitions. */
export function toMemberAssignment(partitions: Iterable<{ topic: string; partition: number }>): MemberAssignment {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    list.push(partition);
  }
  const grouped: TopicPartitions[] = [...byTopic.keys()]
    .sort(compareJavaStrings)
    .map((topic) => ({ topic, partitions: byTopic.get(topic)!.sort((a, b) => a - b) }));
  return { partitions: grouped, userData: null };
}
