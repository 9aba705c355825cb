import { allSubscribedTopics, compare, orderedTopics, toAssignment, type TopicPartition } from './support.js';
import type { ServerAssignor, ServerAssignorMember } from './types.js';

/**
 * `range`, the server-side range assignor of consumer groups (Kafka's group-coordinator
 * RangeAssignor): for each topic, its subscribers in a fixed order each take a contiguous range,
 * the first `partitions % subscribers` of them one partition more. Members that subscribe to the
 * same topics with the same partition counts therefore get the same partition numbers of each
 * (co-partitioning, for joins). The order is Kafka's: static members first by instance id, then
 * dynamic members by member id. Like Kafka's, it does not look at the current assignment.
 */
export const rangeAssignor: ServerAssignor = {
  name: 'range',
  assign(input) {
    const members = [...input.members].sort(rangeOrder);
    const lists = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
    for (const topicId of orderedTopics(input, allSubscribedTopics(members))) {
      const subscribers = members.filter((m) => m.subscribedTopicIds.has(topicId));
      const count = input.partitionCounts.get(topicId)!;
      const minQuota = Math.floor(count / subscribers.length);
      let extra = count % subscribers.length;
      let next = 0;
      for (const m of subscribers) {
        const quota = minQuota + (extra > 0 ? 1 : 0);
        if (extra > 0) extra--;
        const end = Math.min(next + quota, count);
        for (let p = next; p < end; p++) lists.get(m.memberId)!.push({ topicId, partition: p });
        next = end;
      }
    }
    return toAssignment(lists);
  },
};

function rangeOrder(a: ServerAssignorMember, b: ServerAssignorMember): number {
  if (a.instanceId !== null && b.instanceId !== null) return compare(a.instanceId, b.instanceId);
  if (a.instanceId !== null) return -1;
  if (b.instanceId !== null) return 1;
  return compare(a.memberId, b.memberId);
}
