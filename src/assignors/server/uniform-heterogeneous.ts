import { byMemberId, compare, key, orderedTopics, allSubscribedTopics, toAssignment, validPartitions, type TopicPartition } from './support.js';
import type { ServerAssignmentInput, ServerAssignorMember } from './types.js';

/**
 * `uniform` for members with different subscriptions. Kafka's heterogeneous builder aims at the
 * same three goals, in this order: every subscribed partition assigned to a subscriber, an even
 * spread where the subscriptions allow it, and as few moves as possible. This is our own way there:
 *
 * 1. each member keeps its current partitions of topics it still subscribes to;
 * 2. free partitions, the most constrained topics first (fewest subscribers), go one at a time to
 *    the least loaded subscriber;
 * 3. while some member holds at least two more partitions than a subscriber of one of its topics,
 *    one such partition moves from the most loaded to the least loaded member.
 *
 * Step 3 stops at a spread no single move can improve. Every choice breaks ties by member id, topic
 * name and partition, so the result is deterministic.
 */
export function assignHeterogeneous(input: ServerAssignmentInput): Map<string, Map<string, Set<number>>> {
  const members = byMemberId(input.members);
  const topics = orderedTopics(input, allSubscribedTopics(members));
  const subscribers = new Map<string, ServerAssignorMember[]>();
  for (const t of topics) subscribers.set(t, members.filter((m) => m.subscribedTopicIds.has(t)));

  const lists = new Map<string, TopicPartition[]>();
  const owner = new Map<string, string>();
  for (const m of members) {
    const valid = validPartitions(m.assignment, topics, m.subscribedTopicIds, input.partitionCounts).filter((tp) => !owner.has(key(tp)));
    for (const tp of valid) owner.set(key(tp), m.memberId);
    lists.set(m.memberId, valid);
  }
  const load = (memberId: string): number => lists.get(memberId)!.length;

  const constrainedFirst = [...topics].sort((a, b) => subscribers.get(a)!.length - subscribers.get(b)!.length);
  for (const topicId of constrainedFirst) {
    const candidates = subscribers.get(topicId)!;
    for (let p = 0; p < input.partitionCounts.get(topicId)!; p++) {
      const tp = { topicId, partition: p };
      if (owner.has(key(tp))) continue;
      const target = leastLoaded(candidates, load);
      lists.get(target.memberId)!.push(tp);
      owner.set(key(tp), target.memberId);
    }
  }

  balance(members, lists, topics);
  for (const list of lists.values()) list.sort((a, b) => topics.indexOf(a.topicId) - topics.indexOf(b.topicId) || a.partition - b.partition);
  return toAssignment(lists);
}

function leastLoaded(candidates: readonly ServerAssignorMember[], load: (memberId: string) => number): ServerAssignorMember {
  let best = candidates[0]!;
  for (const c of candidates) if (load(c.memberId) < load(best.memberId)) best = c;
  return best;
}

/** Moves partitions from heavier to lighter subscribers until no move narrows the spread. */
function balance(members: readonly ServerAssignorMember[], lists: Map<string, TopicPartition[]>, topics: readonly string[]): void {
  const load = (m: ServerAssignorMember): number => lists.get(m.memberId)!.length;
  let totalPartitions = 0;
  for (const l of lists.values()) totalPartitions += l.length;
  // Each move lowers the sum of squared loads by at least 2, so this bound is never reached.
  for (let guard = totalPartitions * members.length + 1; guard > 0; guard--) {
    const byLoadDesc = [...members].sort((a, b) => load(b) - load(a) || compare(a.memberId, b.memberId));
    let moved = false;
    for (const heavy of byLoadDesc) {
      const light = [...members]
        .filter((m) => load(heavy) - load(m) >= 2)
        .sort((a, b) => load(a) - load(b) || compare(a.memberId, b.memberId));
      for (const target of light) {
        const list = lists.get(heavy.memberId)!;
        // The last partition in topic order that the lighter member may take.
        let index = -1;
        for (let i = list.length - 1; i >= 0; i--) {
          if (target.subscribedTopicIds.has(list[i]!.topicId) && topics.includes(list[i]!.topicId)) {
            index = i;
            break;
          }
        }
        if (index < 0) continue;
        const [tp] = list.splice(index, 1);
        lists.get(target.memberId)!.push(tp!);
        moved = true;
        break;
      }
      if (moved) break;
    }
    if (!moved) return;
  }
}
