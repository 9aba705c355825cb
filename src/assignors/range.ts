import { distinctMembers, sortedLikeMemberInfo, subscribedPartitionCounts, toMemberAssignment } from './common.js';
import type { AssignmentInput, Assignor, MemberAssignment } from './types.js';

/**
 * Java's RangeAssignor ("range"): topic by topic, the members subscribed to the topic are sorted
 * (static members by group.instance.id first, then the rest by member id) and each receives a
 * consecutive range of floor(P/N) partitions, the first P mod N members one more.
 *
 * Java 3.5+ switches to a rack-aware variant when consumer racks and partition replica racks are
 * both known and some partition is not on every rack (KIP-881). The assignment input carries no
 * replica racks, so this is the assignment Java computes without them (docs/limitations.md).
 */
export const rangeAssignor: Assignor = {
  name: 'range',
  supportedProtocols: ['EAGER'],
  assign(input: AssignmentInput): Map<string, MemberAssignment> {
    const members = distinctMembers(input.members);
    const counts = subscribedPartitionCounts(input, members);
    const sorted = sortedLikeMemberInfo(members);
    const assigned = new Map<string, { topic: string; partition: number }[]>();
    for (const m of members) assigned.set(m.memberId, []);

    for (const [topic, partitionCount] of counts) {
      const consumers = sorted.filter((m) => m.topics.includes(topic));
      const perConsumer = Math.floor(partitionCount / consumers.length);
      const withExtra = partitionCount % consumers.length;
      let next = 0;
      consumers.forEach((consumer, i) => {
        const n = perConsumer + (i < withExtra ? 1 : 0);
        const list = assigned.get(consumer.memberId)!;
        for (let p = next; p < next + n; p++) list.push({ topic, partition: p });
        next += n;
      });
    }

    const out = new Map<string, MemberAssignment>();
    for (const [memberId, list] of assigned) out.set(memberId, toMemberAssignment(list));
    return out;
  },
};
