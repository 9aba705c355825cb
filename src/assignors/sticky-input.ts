import { distinctMembers, subscribedPartitionCounts } from './common.js';
import { javaHashMapOrder, javaStringHash, javaTopicPartitionHash } from './java-hash-order.js';
import type { AssignmentInput, AssignorMember, TopicPartitions } from './types.js';

/** An existing topic-partition; one object per partition so it can key Maps and Sets. */
export interface TP {
  readonly topic: string;
  readonly partition: number;
  /** org.apache.kafka.common.TopicPartition#hashCode, for Java HashSet order. */
  readonly hash: number;
}

/** The partitions of every subscribed, existing topic, interned. */
export class PartitionRegistry {
  private readonly byTopic = new Map<string, TP[]>();
  readonly totalCount: number;

  constructor(readonly counts: ReadonlyMap<string, number>) {
    let total = 0;
    for (const [topic, n] of counts) {
      const list: TP[] = [];
      for (let p = 0; p < n; p++) list.push({ topic, partition: p, hash: javaTopicPartitionHash(topic, p) });
      this.byTopic.set(topic, list);
      total += n;
    }
    this.totalCount = total;
  }

  /** The partition, or undefined when its topic is not subscribed or it does not exist. */
  get(topic: string, partition: number): TP | undefined {
    return this.byTopic.get(topic)?.[partition];
  }

  partitionsOf(topic: string): readonly TP[] {
    return this.byTopic.get(topic) ?? [];
  }

  topics(): IterableIterator<string> {
    return this.byTopic.keys();
  }
}

/** What Java's AbstractStickyAssignor.MemberData holds: a member's claimed partitions and generation. */
export interface MemberData {
  partitions: readonly TopicPartitions[];
  /** -1 when absent (Java's Optional.empty() and Optional.of(-1) lead to the same assignment). */
  generation: number;
}

export interface StickyMember {
  readonly memberId: string;
  /** The subscription as a set (Java compares subscriptions as sets of topics). */
  readonly topics: ReadonlySet<string>;
  /** The subscribed topics that exist, in subscription order. */
  readonly existingTopics: readonly string[];
  /** MemberData partitions that exist, first claim of each kept. */
  readonly claimed: readonly TP[];
  /** MemberData generation (-1 when absent). */
  readonly generation: number;
  /** The subscription's GenerationId field (-1 when absent); Java compares a rival's claim with it. */
  readonly subscriptionGeneration: number;
  /** The subscription's OwnedPartitions that exist (the cooperative assignor computes revocations from it). */
  readonly ownedPartitions: readonly TP[];
  /** The subscription's RackId. */
  readonly rackId: string | null;
}

export interface StickyInput {
  readonly registry: PartitionRegistry;
  /** Members in Java's HashMap<String, Subscription> iteration order. */
  readonly members: readonly StickyMember[];
  readonly byId: ReadonlyMap<string, StickyMember>;
}

function resolvePartitions(registry: PartitionRegistry, list: readonly TopicPartitions[]): TP[] {
  const seen = new Set<TP>();
  const out: TP[] = [];
  for (const { topic, partitions } of list) {
    for (const p of partitions) {
      const tp = registry.get(topic, p);
      // Partitions that do not exist are dropped here (Java only drops unknown topics, and would
      // keep a partition number beyond the topic's count); repeated claims count once.
      if (tp !== undefined && !seen.has(tp)) {
        seen.add(tp);
        out.push(tp);
      }
    }
  }
  return out;
}

export function prepareStickyInput(input: AssignmentInput, memberData: (m: AssignorMember) => MemberData): StickyInput {
  const distinct = distinctMembers(input.members);
  const registry = new PartitionRegistry(subscribedPartitionCounts(input, distinct));
  const ordered = javaHashMapOrder(distinct, (m) => javaStringHash(m.memberId));
  const members = ordered.map((m): StickyMember => {
    const data = memberData(m);
    const topicList = [...new Set(m.topics)];
    return {
      memberId: m.memberId,
      topics: new Set(topicList),
      existingTopics: topicList.filter((t) => registry.partitionsOf(t).length > 0),
      claimed: resolvePartitions(registry, data.partitions),
      generation: data.generation < 0 ? -1 : data.generation,
      subscriptionGeneration: m.generationId < 0 ? -1 : m.generationId,
      ownedPartitions: resolvePartitions(registry, m.ownedPartitions),
      rackId: m.rackId,
    };
  });
  return { registry, members, byId: new Map(members.map((m) => [m.memberId, m])) };
}

export interface PreviousOwnership {
  /** True when every member subscribes to the same set of topics. */
  allSubscriptionsEqual: boolean;
  /** Each member's claimed partitions that survived conflict resolution, in member order. */
  owned: Map<string, TP[]>;
  /** Partitions claimed by two members of the same generation: nobody keeps them. */
  claimedByMultiple: Set<TP>;
  maxGeneration: number;
}

/**
 * Java's AbstractStickyAssignor.allSubscriptionsEqual: walks the members in HashMap order, keeps
 * each partition with the claimant of the highest generation, and invalidates a partition claimed
 * by two members of the same generation. Note the comparison Java makes: the newcomer's MemberData
 * generation against the earlier claimant's *subscription* GenerationId.
 */
export function resolvePreviousOwnership(input: StickyInput): PreviousOwnership {
  const owned = new Map<string, TP[]>();
  const claimedByMultiple = new Set<TP>();
  const ownerOf = new Map<TP, StickyMember>();
  let maxGeneration = -1;
  const first = input.members[0];
  let allSubscriptionsEqual = true;

  for (const member of input.members) {
    if (first !== undefined && !sameTopics(first.topics, member.topics)) allSubscriptionsEqual = false;
    maxGeneration = Math.max(maxGeneration, member.generation);
    const list: TP[] = [];
    owned.set(member.memberId, list);
    for (const tp of member.claimed) {
      const other = ownerOf.get(tp);
      if (other === undefined) {
        list.push(tp);
        ownerOf.set(tp, member);
        continue;
      }
      const otherGeneration = other.subscriptionGeneration;
      if (member.generation === otherGeneration) {
        claimedByMultiple.add(tp);
        removeItem(owned.get(other.memberId)!, tp);
        ownerOf.set(tp, member);
      } else if (member.generation > otherGeneration) {
        list.push(tp);
        removeItem(owned.get(other.memberId)!, tp);
        ownerOf.set(tp, member);
      }
      // else: the earlier claimant, of a newer generation, keeps it.
    }
  }
  return { allSubscriptionsEqual, owned, claimedByMultiple, maxGeneration };
}

function sameTopics(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const t of a) if (!b.has(t)) return false;
  return true;
}

export function removeItem<T>(list: T[], item: T): boolean {
  const i = list.indexOf(item);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}
