import { compareJavaStrings, distinctMembers, sortedLikeMemberInfo, subscribedPartitionCounts, toMemberAssignment } from './common.js';
import type { AssignmentInput, Assignor, MemberAssignment } from './types.js';

/**
 * Java's RoundRobinAssignor ("roundrobin"): every subscribed topic-partition, sorted by topic then
 * partition, is dealt to the next member in a circle of members sorted like Java's MemberInfo
 * (static members by group.instance.id first, then by member id), skipping members that do not
 * subscribe to the partition's topic. The circle's position carries over from topic to topic.
 */
export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  supportedProtocols: ['EAGER'],
  assign(input: AssignmentInput): Map<string, MemberAssignment> {
    const members = distinctMembers(input.members);
    const counts = subscribedPartitionCounts(input, members);
    const assigned = new Map<string, { topic: string; partition: number }[]>();
    for (const m of members) assigned.set(m.memberId, []);

    const circle = sortedLikeMemberInfo(members);
    const subscribed = circle.map((m) => new Set(m.topics));
    let position = 0;
    for (const topic of [...counts.keys()].sort(compareJavaStrings)) {
      const partitionCount = counts.get(topic)!;
      for (let partition = 0; partition < partitionCount; partition++) {
        // Some member subscribes to the topic (counts only holds subscribed topics), so this ends.
        while (!subscribed[position]!.has(topic)) position = (position + 1) % circle.length;
        assigned.get(circle[position]!.memberId)!.push({ topic, partition });
        position = (position + 1) % circle.length;
      }
    }

    const out = new Map<string, MemberAssignment>();
    for (const [memberId, list] of assigned) out.set(memberId, toMemberAssignment(list));
    return out;
  },
};
