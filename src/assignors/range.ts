import { distinctMembers, sortedLikeMemberInfo, subscribedPartitionCounts, toMemberAssignment } from './common.js';
import { memberRack, replicaRacks, useRackAwareAssignment } from './racks.js';
import type { AssignmentInput, Assignor, AssignorMember, MemberAssignment } from './types.js';

type Assigned = Map<string, { topic: string; partition: number }[]>;

/** One topic's progress through Java's RangeAssignor (its TopicAssignmentState). */
class TopicRange {
  /** Partition numbers not yet assigned, ascending. */
  unassigned: number[];
  private readonly assignedCount = new Map<string, number>();
  private readonly perConsumer: number;
  private remainingWithExtra: number;
  /** Racks of each partition's replicas; null when none of the topic's members has a rack. */
  readonly partitionRacks: Set<string>[] | null;
  readonly needsRackAwareAssignment: boolean;

  constructor(
    readonly topic: string,
    partitionCount: number,
    /** Subscribers in Java's MemberInfo order. */
    readonly consumers: readonly AssignorMember[],
    input: AssignmentInput,
  ) {
    this.unassigned = Array.from({ length: partitionCount }, (_, p) => p);
    for (const c of consumers) this.assignedCount.set(c.memberId, 0);
    this.perConsumer = Math.floor(partitionCount / consumers.length);
    this.remainingWithExtra = partitionCount % consumers.length;
    const memberRacks = new Set(consumers.map(memberRack).filter((r): r is string => r !== null));
    const allReplicaRacks = new Set<string>();
    this.partitionRacks = null;
    if (memberRacks.size > 0) {
      this.partitionRacks = this.unassigned.map((p) => replicaRacks(input, topic, p));
      for (const racks of this.partitionRacks) for (const r of racks) allReplicaRacks.add(r);
    }
    this.needsRackAwareAssignment = useRackAwareAssignment(memberRacks, allReplicaRacks, this.partitionRacks ?? []);
  }

  racksMatch(consumer: AssignorMember, partition: number): boolean {
    const rack = memberRack(consumer);
    return rack === null || (this.partitionRacks?.[partition]?.has(rack) ?? false);
  }

  maxAssignable(consumer: AssignorMember): number {
    const max = this.perConsumer + (this.remainingWithExtra > 0 ? 1 : 0) - this.assignedCount.get(consumer.memberId)!;
    return Math.max(0, max);
  }

  assign(consumer: AssignorMember, partitions: readonly number[], assigned: Assigned): void {
    const list = assigned.get(consumer.memberId)!;
    for (const p of partitions) list.push({ topic: this.topic, partition: p });
    const count = this.assignedCount.get(consumer.memberId)! + partitions.length;
    this.assignedCount.set(consumer.memberId, count);
    if (count > this.perConsumer) this.remainingWithExtra--;
    const taken = new Set(partitions);
    this.unassigned = this.unassigned.filter((p) => !taken.has(p));
  }

  /** Each consumer in order takes the first partitions it may take, up to its share. */
  assignRanges(assigned: Assigned, mayAssign: (c: AssignorMember, p: number) => boolean): void {
    for (const consumer of this.consumers) {
      if (this.unassigned.length === 0) break;
      const take = this.unassigned.filter((p) => mayAssign(consumer, p)).slice(0, this.maxAssignable(consumer));
      if (take.length > 0) this.assign(consumer, take, assigned);
    }
  }
}

/**
 * Topics with the same subscribers and partition count are co-partitioned: partition p of all of
 * them goes to the same member, the first one whose rack holds p of every topic and who has room.
 */
function assignCoPartitionedWithRackMatching(states: readonly TopicRange[], partitionCount: number, assigned: Assigned): void {
  const remaining = [...states[0]!.consumers];
  for (let p = 0; p < partitionCount; p++) {
    const consumer = remaining.find((c) => states.every((s) => s.racksMatch(c, p) && s.maxAssignable(c) > 0));
    if (consumer === undefined) continue;
    for (const s of states) s.assign(consumer, [p], assigned);
    if (states.every((s) => s.maxAssignable(consumer) === 0)) {
      remaining.splice(remaining.indexOf(consumer), 1);
      if (remaining.length === 0) break;
    }
  }
}

function assignWithRackMatching(states: readonly TopicRange[], assigned: Assigned): void {
  const groups = new Map<string, TopicRange[]>();
  for (const s of states) {
    // Java groups by subscriber map, then by the size of the partition-rack map (0 without racks).
    const key = `${s.consumers.map((c) => c.memberId).join('\u0000')}\u0001${s.partitionRacks?.length ?? 0}`;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push(s);
  }
  for (const group of groups.values()) {
    if (group.length > 1) assignCoPartitionedWithRackMatching(group, group[0]!.partitionRacks?.length ?? 0, assigned);
    else if (group[0]!.needsRackAwareAssignment) group[0]!.assignRanges(assigned, (c, p) => group[0]!.racksMatch(c, p));
  }
}

/**
 * Java's RangeAssignor ("range"): topic by topic, the members subscribed to the topic are sorted
 * (static members by group.instance.id first, then the rest by member id) and each receives a
 * consecutive range of floor(P/N) partitions, the first P mod N members one more.
 *
 * Rack-aware variant (KIP-881, Java 3.5+), used when members send rack ids, the input carries
 * replica racks, and some partition is not on every rack: first each member takes, within its
 * share, partitions with a replica on its rack (co-partitioned topics together), then the
 * remaining partitions are handed out as above.
 */
export const rangeAssignor: Assignor = {
  name: 'range',
  supportedProtocols: ['EAGER'],
  assign(input: AssignmentInput): Map<string, MemberAssignment> {
    const members = distinctMembers(input.members);
    const sorted = sortedLikeMemberInfo(members);
    const assigned: Assigned = new Map(members.map((m) => [m.memberId, []]));
    const states = [...subscribedPartitionCounts(input, members)].map(
      ([topic, count]) => new TopicRange(topic, count, sorted.filter((m) => m.topics.includes(topic)), input),
    );
    if (states.some((s) => s.needsRackAwareAssignment)) assignWithRackMatching(states, assigned);
    for (const s of states) s.assignRanges(assigned, () => true);

    const out = new Map<string, MemberAssignment>();
    for (const [memberId, list] of assigned) out.set(memberId, toMemberAssignment(list));
    return out;
  },
};
