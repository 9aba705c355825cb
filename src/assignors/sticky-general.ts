import { compareJavaStrings } from './common.js';
import { PartitionMovements } from './partition-movements.js';
import type { StickyResult } from './sticky-constrained.js';
import type { PreviousOwnership, StickyInput, TP } from './sticky-input.js';
import type { StickyRackInfo } from './sticky-racks.js';

/** Members ordered by how many partitions they hold, then by member id (Java's TreeSet with SubscriptionComparator). */
class MembersBySize {
  private readonly order: string[] = [];

  constructor(private readonly sizeOf: (member: string) => number) {}

  private compare(a: string, b: string): number {
    return this.sizeOf(a) - this.sizeOf(b) || compareJavaStrings(a, b);
  }

  add(member: string): void {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = this.compare(this.order[mid]!, member);
      if (c === 0) return;
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    this.order.splice(lo, 0, member);
  }

  /** Must be called before the member's size changes, as Java removes before it mutates. */
  remove(member: string): void {
    const i = this.order.indexOf(member);
    if (i >= 0) this.order.splice(i, 1);
  }

  first(): string | undefined {
    return this.order[0];
  }

  last(): string | undefined {
    return this.order[this.order.length - 1];
  }

  [Symbol.iterator](): Iterator<string> {
    return this.order[Symbol.iterator]();
  }
}

/**
 * Java repeats its balancing passes until a pass moves nothing, and for some inputs that never
 * happens: the same moves repeat forever (the Java leader hangs; the TypeScript port would block
 * the event loop). Terminating runs need a handful of passes (at most 6 in our randomized
 * comparisons with Java), so after this many we stop and treat the result as Java treats a
 * finished balancing (keep it only if it is better balanced than before).
 */
export const MAX_REASSIGNMENT_PASSES = 100;

interface PreviousOwner {
  consumer: string;
  generation: number;
}

/**
 * Java's AbstractStickyAssignor.GeneralAssignmentBuilder, used when members subscribe to different
 * topics. It keeps every still-valid previous assignment, gives each unassigned partition to the
 * least loaded member that can take it, then moves partitions from heavier to lighter members
 * until no single move improves the balance, preferring to send a partition back to the member
 * that owned it in an older generation. If that balancing does not lower the balance score, the
 * pre-balancing assignment is kept. With rack-aware assignment, owned partitions off the member's
 * rack are dropped first and unassigned partitions go to members on their racks when possible.
 */
class GeneralAssignment {
  private readonly potentialConsumers = new Map<string, string[]>();
  private readonly potentialTopics = new Map<string, Set<string>>();
  private readonly maxAssignmentSize = new Map<string, number>();
  private current = new Map<string, Set<TP>>();
  private partitionConsumer = new Map<TP, string>();
  private sortedAllPartitions: TP[];
  private readonly bySize = new MembersBySize((m) => this.current.get(m)!.size);
  private readonly movements = new PartitionMovements();
  private revocationRequired = false;

  constructor(
    private readonly input: StickyInput,
    private readonly previous: PreviousOwnership,
    private readonly racks: StickyRackInfo,
  ) {
    const { registry } = input;
    for (const topic of registry.topics()) this.potentialConsumers.set(topic, []);
    for (const member of input.members) {
      this.potentialTopics.set(member.memberId, new Set(member.existingTopics));
      let max = 0;
      for (const topic of member.existingTopics) {
        this.potentialConsumers.get(topic)!.push(member.memberId);
        max += registry.partitionsOf(topic).length;
      }
      this.maxAssignmentSize.set(member.memberId, max);
    }
    for (const [consumer, owned] of previous.owned) {
      this.current.set(consumer, new Set(owned));
      for (const tp of owned) this.partitionConsumer.set(tp, consumer);
    }
    const topicsByPotential = [...registry.topics()].sort(
      (a, b) => this.potentialConsumers.get(a)!.length - this.potentialConsumers.get(b)!.length || compareJavaStrings(a, b),
    );
    this.sortedAllPartitions = topicsByPotential.flatMap((t) => [...registry.partitionsOf(t)]);
  }

  build(): StickyResult {
    const prevAssignment = this.previousGenerationOwners();
    const assignedPartitions = this.keepOwnedPartitions();
    const unassigned = assignedPartitions.size === 0 ? this.sortedAllPartitions : this.sortedAllPartitions.filter((tp) => !assignedPartitions.has(tp));
    for (const consumer of this.current.keys()) this.bySize.add(consumer);
    this.balance(prevAssignment, unassigned);
    const assignment = new Map<string, TP[]>();
    for (const m of this.input.members) assignment.set(m.memberId, [...this.current.get(m.memberId)!]);
    return { assignment, partitionsTransferringOwnership: null };
  }

  /** Java's prepopulateCurrentAssignments: claims from generations older than the newest. */
  private previousGenerationOwners(): Map<TP, PreviousOwner> {
    const prev = new Map<TP, PreviousOwner>();
    for (const member of this.input.members) {
      if (member.generation >= this.previous.maxGeneration) continue;
      for (const tp of member.claimed) {
        const existing = prev.get(tp);
        if (existing === undefined || member.generation > existing.generation) {
          prev.set(tp, { consumer: member.memberId, generation: member.generation });
        }
      }
    }
    return prev;
  }

  /** Keeps owned partitions of topics the owner still subscribes to; returns them. */
  private keepOwnedPartitions(): Set<TP> {
    const kept = new Set<TP>();
    for (const [consumer, partitions] of this.current) {
      const subscription = this.input.byId.get(consumer)!.topics;
      for (const tp of [...partitions]) {
        if (!subscription.has(tp.topic) || this.racks.racksMismatch(consumer, tp)) {
          // Java leaves the stale entry in currentPartitionConsumer; it is overwritten when the
          // partition is assigned again below.
          partitions.delete(tp);
          this.revocationRequired = true;
        } else {
          kept.add(tp);
        }
      }
    }
    return kept;
  }

  private size(consumer: string): number {
    return this.current.get(consumer)!.size;
  }

  private isBalanced(): boolean {
    const min = this.size(this.bySize.first()!);
    const max = this.size(this.bySize.last()!);
    if (min >= max - 1) return true;
    const holder = new Map<TP, string>();
    for (const [consumer, partitions] of this.current) for (const tp of partitions) holder.set(tp, consumer);
    for (const consumer of this.bySize) {
      const count = this.size(consumer);
      if (count === this.maxAssignmentSize.get(consumer)) continue;
      const mine = this.current.get(consumer)!;
      for (const topic of this.potentialTopics.get(consumer)!) {
        for (const tp of this.input.registry.partitionsOf(topic)) {
          if (mine.has(tp)) continue;
          const other = holder.get(tp);
          if (other !== undefined && count + 1 < this.size(other)) return false;
        }
      }
    }
    return true;
  }

  private canConsumerParticipate(consumer: string): boolean {
    const partitions = this.current.get(consumer)!;
    if (partitions.size < this.maxAssignmentSize.get(consumer)!) return true;
    for (const tp of partitions) if (this.potentialConsumers.get(tp.topic)!.length >= 2) return true;
    return false;
  }

  /** Gives the partition to the least loaded member that may take it (on its rack, if asked). */
  private assignToLeastLoaded(tp: TP, matchRacks: boolean): boolean {
    for (const consumer of this.bySize) {
      if (!this.potentialTopics.get(consumer)!.has(tp.topic)) continue;
      if (matchRacks && this.racks.racksMismatch(consumer, tp)) continue;
      this.bySize.remove(consumer);
      this.current.get(consumer)!.add(tp);
      this.partitionConsumer.set(tp, consumer);
      this.bySize.add(consumer);
      return true;
    }
    return false;
  }

  private balance(prevAssignment: Map<TP, PreviousOwner>, unassignedIn: TP[]): void {
    const initializing = this.size(this.bySize.last()!) === 0;
    let toAssign = unassignedIn;
    if (this.racks.enabled) {
      // First to members on the partition's rack, then the rest to anyone.
      toAssign = unassignedIn.filter((tp) => !(this.potentialConsumers.get(tp.topic)!.length > 0 && this.assignToLeastLoaded(tp, true)));
    }
    for (const tp of toAssign) {
      if (this.potentialConsumers.get(tp.topic)!.length > 0) this.assignToLeastLoaded(tp, false);
    }

    // Partitions of topics with a single potential consumer, and members that cannot gain or
    // lose anything, take no part in the balancing.
    const reassignable = (tp: TP): boolean => this.potentialConsumers.get(tp.topic)!.length >= 2;
    this.sortedAllPartitions = this.sortedAllPartitions.filter(reassignable);
    const unassigned = unassignedIn.filter(reassignable);
    const fixed = new Map<string, Set<TP>>();
    for (const consumer of this.potentialTopics.keys()) {
      if (!this.canConsumerParticipate(consumer)) {
        this.bySize.remove(consumer);
        fixed.set(consumer, this.current.get(consumer)!);
        this.current.delete(consumer);
      }
    }

    const preBalance = copyAssignment(this.current);
    const preBalanceOwners = new Map(this.partitionConsumer);
    // Without revocations forced by subscription changes, first try moving only new partitions.
    if (!this.revocationRequired) this.performReassignments(unassigned, prevAssignment);
    const reassigned = this.performReassignments(this.sortedAllPartitions, prevAssignment);
    if (!initializing && reassigned && balanceScore(this.current) >= balanceScore(preBalance)) {
      this.current = preBalance;
      this.partitionConsumer = preBalanceOwners;
    }
    for (const [consumer, partitions] of fixed) this.current.set(consumer, partitions);
  }

  private performReassignments(partitions: readonly TP[], prevAssignment: Map<TP, PreviousOwner>): boolean {
    let reassigned = false;
    let modified: boolean;
    let passes = 0;
    do {
      modified = false;
      for (let i = 0; i < partitions.length && !this.isBalanced(); i++) {
        const tp = partitions[i]!;
        const consumer = this.partitionConsumer.get(tp)!;
        const prev = prevAssignment.get(tp);
        if (prev !== undefined && this.current.has(prev.consumer) && this.size(consumer) > this.size(prev.consumer) + 1) {
          this.reassignPartition(tp, prev.consumer);
          reassigned = modified = true;
          continue;
        }
        for (const other of this.potentialConsumers.get(tp.topic)!) {
          if (this.size(consumer) > this.size(other) + 1) {
            this.reassignPartition(tp, this.leastLoadedFor(tp));
            reassigned = modified = true;
            break;
          }
        }
      }
    } while (modified && ++passes < MAX_REASSIGNMENT_PASSES);
    return reassigned;
  }

  private leastLoadedFor(tp: TP): string {
    for (const consumer of this.bySize) if (this.potentialTopics.get(consumer)!.has(tp.topic)) return consumer;
    throw new Error(`sticky assignment: no member can take ${tp.topic}-${tp.partition}`);
  }

  private reassignPartition(tp: TP, newConsumer: string): void {
    const consumer = this.partitionConsumer.get(tp)!;
    const toMove = this.movements.partitionToMove(tp, consumer, newConsumer);
    const oldConsumer = this.partitionConsumer.get(toMove)!;
    this.bySize.remove(oldConsumer);
    this.bySize.remove(newConsumer);
    this.movements.movePartition(toMove, oldConsumer, newConsumer);
    this.current.get(oldConsumer)!.delete(toMove);
    this.current.get(newConsumer)!.add(toMove);
    this.partitionConsumer.set(toMove, newConsumer);
    this.bySize.add(newConsumer);
    this.bySize.add(oldConsumer);
  }
}

function copyAssignment(assignment: Map<string, Set<TP>>): Map<string, Set<TP>> {
  const copy = new Map<string, Set<TP>>();
  for (const [consumer, partitions] of assignment) copy.set(consumer, new Set(partitions));
  return copy;
}

/** Sum over member pairs of the difference in partition counts; 0 is perfectly balanced. */
function balanceScore(assignment: Map<string, Set<TP>>): number {
  const sizes = [...assignment.values()].map((s) => s.size);
  let score = 0;
  for (let i = 0; i < sizes.length; i++) for (let j = i + 1; j < sizes.length; j++) score += Math.abs(sizes[i]! - sizes[j]!);
  return score;
}

export function assignGeneral(input: StickyInput, previous: PreviousOwnership, racks: StickyRackInfo): StickyResult {
  return new GeneralAssignment(input, previous, racks).build();
}
