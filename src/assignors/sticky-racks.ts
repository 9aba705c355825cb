import { memberRack, replicaRacks, useRackAwareAssignment } from './racks.js';
import type { StickyInput, TP } from './sticky-input.js';
import type { AssignmentInput } from './types.js';

/**
 * Java's AbstractStickyAssignor.RackInfo (KIP-881): which member racks and replica racks the
 * sticky algorithms match, when rack-aware assignment applies (members send rack ids, replica
 * racks are known, and some partition is not on every rack). When it does not apply, the member
 * and partition rack maps are empty and every rack check passes.
 */
export class StickyRackInfo {
  readonly consumerRacks = new Map<string, string>();
  readonly partitionRacks = new Map<TP, Set<string>>();
  /** How many members sit on the racks of each partition; filled whenever any member has a rack. */
  private readonly membersOnPartitionRacks = new Map<TP, number>();

  constructor(input: AssignmentInput, sticky: StickyInput) {
    const membersByRack = new Map<string, string[]>();
    for (const m of sticky.members) {
      const rack = memberRack(m);
      if (rack !== null) membersByRack.set(rack, [...(membersByRack.get(rack) ?? []), m.memberId]);
    }
    if (membersByRack.size === 0) return;
    const racksOf = new Map<TP, Set<string>>();
    const allReplicaRacks = new Set<string>();
    for (const topic of sticky.registry.topics()) {
      for (const tp of sticky.registry.partitionsOf(topic)) {
        const racks = replicaRacks(input, topic, tp.partition);
        racksOf.set(tp, racks);
        for (const r of racks) allReplicaRacks.add(r);
        let n = 0;
        for (const r of racks) n += membersByRack.get(r)?.length ?? 0;
        this.membersOnPartitionRacks.set(tp, n);
      }
    }
    if (useRackAwareAssignment(new Set(membersByRack.keys()), allReplicaRacks, racksOf.values())) {
      for (const [rack, members] of membersByRack) for (const m of members) this.consumerRacks.set(m, rack);
      for (const [tp, racks] of racksOf) this.partitionRacks.set(tp, racks);
    }
  }

  get enabled(): boolean {
    return this.consumerRacks.size > 0;
  }

  /** True when the member has a rack and the partition has no replica there. */
  racksMismatch(consumer: string, tp: TP): boolean {
    const rack = this.consumerRacks.get(consumer);
    if (rack === undefined) return false;
    return !(this.partitionRacks.get(tp)?.has(rack) ?? false);
  }

  /** Partitions with fewer members on their racks first (a stable sort, as Java's List.sort). */
  sortByMembersOnRacks(partitions: TP[]): TP[] {
    if (this.membersOnPartitionRacks.size === 0) return partitions;
    return [...partitions].sort((a, b) => (this.membersOnPartitionRacks.get(a) ?? 0) - (this.membersOnPartitionRacks.get(b) ?? 0));
  }

  /** Index of the first member, from firstIndex round the list, on one of the partition's racks; -1 if none. */
  nextRackConsumer(tp: TP, consumers: readonly string[], firstIndex: number): number {
    const racks = this.partitionRacks.get(tp);
    if (racks === undefined || racks.size === 0) return -1;
    for (let i = 0; i < consumers.length; i++) {
      const index = (firstIndex + i) % consumers.length;
      const rack = this.consumerRacks.get(consumers[index]!);
      if (rack !== undefined && racks.has(rack)) return index;
    }
    return -1;
  }
}
