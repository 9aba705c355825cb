import {
  allSubscribedTopics,
  byMemberId,
  compare,
  isHomogeneous,
  key,
  orderedTopics,
  toAssignment,
  validPartitions,
  type TopicPartition,
} from './support.js';
import type { ServerAssignmentInput, ServerAssignor } from './types.js';
import { assignHeterogeneous } from './uniform-heterogeneous.js';

/**
 * `uniform`, the default server assignor of consumer groups (Kafka's UniformAssignor): as even a
 * spread as the subscriptions allow, moving as few partitions as possible from the current target
 * assignment. Groups whose members all subscribe to the same topics take the quota algorithm
 * below; others take the heterogeneous one.
 */
export const uniformAssignor: ServerAssignor = {
  name: 'uniform',
  assign(input) {
    if (input.members.length === 0) return new Map();
    return isHomogeneous(input.members) ? assignHomogeneous(input) : assignHeterogeneous(input);
  },
};

/**
 * Kafka's homogeneous builder: every member gets `total / members` partitions and `total % members`
 * of them one more; a member keeps its current partitions up to its quota, and the rest go, in
 * topic then partition order, to the members below their quota.
 *
 * One deliberate difference: Kafka hands the extra partitions to the first members in its
 * hash-table order, whatever they hold, so a member at quota+1 can lose a partition while another
 * gains one. Here they go to the members that already hold the most, which never moves more
 * partitions than Kafka and usually fewer (a fourth member joining 2-2-2 takes one partition, not
 * two). Ties fall to member id order.
 */
function assignHomogeneous(input: ServerAssignmentInput): Map<string, Map<string, Set<number>>> {
  const topics = orderedTopics(input, allSubscribedTopics(input.members));
  let total = 0;
  for (const t of topics) total += input.partitionCounts.get(t)!;
  const claimed = new Set<string>();
  const kept = new Map<string, TopicPartition[]>();
  for (const m of byMemberId(input.members)) {
    const valid = validPartitions(m.assignment, topics, m.subscribedTopicIds, input.partitionCounts).filter((tp) => !claimed.has(key(tp)));
    for (const tp of valid) claimed.add(key(tp));
    kept.set(m.memberId, valid);
  }
  const order = byMemberId(input.members).sort((a, b) => kept.get(b.memberId)!.length - kept.get(a.memberId)!.length || compare(a.memberId, b.memberId));
  const minQuota = Math.floor(total / order.length);
  let extra = total % order.length;
  const lists = new Map<string, TopicPartition[]>();
  const released = new Set<string>();
  const room = new Map<string, number>();
  for (const m of order) {
    const quota = minQuota + (extra > 0 ? 1 : 0);
    if (extra > 0) extra--;
    const mine = kept.get(m.memberId)!;
    const keep = mine.slice(0, quota);
    for (const tp of mine.slice(quota)) released.add(key(tp));
    lists.set(m.memberId, keep);
    room.set(m.memberId, quota - keep.length);
  }
  const unassigned: TopicPartition[] = [];
  for (const topicId of topics) {
    const count = input.partitionCounts.get(topicId)!;
    for (let p = 0; p < count; p++) {
      const k = `${topicId}:${p}`;
      if (!claimed.has(k) || released.has(k)) unassigned.push({ topicId, partition: p });
    }
  }
  let next = 0;
  for (const m of order) {
    const list = lists.get(m.memberId)!;
    for (let r = room.get(m.memberId)!; r > 0 && next < unassigned.length; r--) list.push(unassigned[next++]!);
  }
  if (next < unassigned.length) throw new Error('uniform assignor left partitions unassigned');
  return toAssignment(lists);
}
