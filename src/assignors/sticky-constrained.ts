import { compareJavaStrings } from './common.js';
import type { PartitionRegistry, PreviousOwnership, TP } from './sticky-input.js';
import type { StickyRackInfo } from './sticky-racks.js';

export interface StickyResult {
  assignment: Map<string, TP[]>;
  /**
   * Partitions given to a member other than their previous owner, computed by the constrained
   * algorithm as it goes; null when the general algorithm ran (the cooperative assignor then
   * computes it from the owned partitions).
   */
  partitionsTransferringOwnership: Map<TP, string> | null;
}

function byPartitionThenTopic(a: TP, b: TP): number {
  return a.partition - b.partition || compareJavaStrings(a.topic, b.topic);
}

/**
 * Java's AbstractStickyAssignor.ConstrainedAssignmentBuilder, used when every member subscribes to
 * the same topics. With N members and P partitions every member ends with floor(P/N) or
 * ceil(P/N) partitions, exactly P mod N of them with the larger count:
 *
 * 1. Walking the members in Java's HashMap order, each keeps its previously owned partitions
 *    (sorted by partition number, then topic) up to the quota: all of them if under floor(P/N);
 *    ceil(P/N) while fewer than P mod N members have taken that many; floor(P/N) otherwise.
 * 2. The remaining partitions, in topic then partition order, are dealt round-robin to the members
 *    still under floor(P/N) (sorted by member id), then one each to members at floor(P/N) that
 *    may still take one more.
 *
 * With rack-aware assignment, step 1 keeps only owned partitions on the member's rack, and before
 * step 2 the unassigned partitions (fewest members on their racks first) go round-robin to members
 * on their racks, within the same quotas.
 */
export function assignConstrained(registry: PartitionRegistry, previous: PreviousOwnership, racks: StickyRackInfo): StickyResult {
  return new ConstrainedAssignment(registry, previous, racks).build();
}

class ConstrainedAssignment {
  private readonly minQuota: number;
  private readonly maxQuota: number;
  /** How many members end with maxQuota partitions (0 when minQuota == maxQuota). */
  private readonly expectedOverMin: number;
  private currentOverMin = 0;
  private readonly assignment: Map<string, TP[]>;
  /** Owned partitions a member could not keep, by their previous owner. */
  private readonly maybeRevoked = new Map<TP, string>();
  private readonly transferring = new Map<TP, string>();
  private readonly assigned = new Set<TP>();
  /** Members below minQuota, then members at minQuota that may take one more (Java's two LinkedLists). */
  private readonly underMin: string[] = [];
  private exactlyMin: string[] = [];

  constructor(
    private readonly registry: PartitionRegistry,
    private readonly previous: PreviousOwnership,
    private readonly racks: StickyRackInfo,
  ) {
    const consumers = [...previous.owned.keys()];
    const total = registry.totalCount;
    this.minQuota = Math.floor(total / consumers.length);
    this.maxQuota = Math.ceil(total / consumers.length);
    this.expectedOverMin = total % consumers.length;
    this.assignment = new Map(consumers.map((c) => [c, []]));
  }

  build(): StickyResult {
    for (const [consumer, claimed] of this.previous.owned) this.keepOwned(consumer, claimed);
    const unassigned: TP[] = [];
    for (const topic of [...this.registry.topics()].sort(compareJavaStrings)) {
      for (const tp of this.registry.partitionsOf(topic)) if (!this.assigned.has(tp)) unassigned.push(tp);
    }
    this.underMin.sort(compareJavaStrings);
    this.exactlyMin.sort(compareJavaStrings);
    const remaining = this.fillWithinRacks(this.racks.sortByMembersOnRacks(unassigned));
    this.fillRoundRobin(remaining);
    const short = this.underMin.find((c) => this.assignment.get(c)!.length !== this.minQuota);
    if (this.underMin.length > 0 && (this.currentOverMin !== this.expectedOverMin || short !== undefined)) {
      throw new Error('sticky assignment: a member was left below its quota');
    }
    return { assignment: this.assignment, partitionsTransferringOwnership: this.transferring };
  }

  /** Step 1, in Java's member order: keep owned partitions up to the member's quota. */
  private keepOwned(consumer: string, claimed: readonly TP[]): void {
    const onRack = claimed.filter((tp) => {
      const mismatch = this.racks.racksMismatch(consumer, tp);
      if (mismatch) this.maybeRevoked.set(tp, consumer);
      return !mismatch;
    });
    const owned = onRack.sort(byPartitionThenTopic).filter((tp) => !this.previous.claimedByMultiple.has(tp));
    let keep: number;
    if (owned.length < this.minQuota) {
      keep = owned.length;
      this.underMin.push(consumer);
    } else if (owned.length >= this.maxQuota && this.currentOverMin < this.expectedOverMin) {
      keep = this.maxQuota;
      this.currentOverMin++;
      if (this.currentOverMin === this.expectedOverMin) this.exactlyMin = [];
    } else {
      keep = this.minQuota;
      if (this.currentOverMin < this.expectedOverMin) this.exactlyMin.push(consumer);
    }
    const target = this.assignment.get(consumer)!;
    for (const tp of owned.slice(0, keep)) {
      target.push(tp);
      this.assigned.add(tp);
    }
    for (const tp of owned.slice(keep)) this.maybeRevoked.set(tp, consumer);
  }

  /**
   * Rack-aware step (Java's assignRackAwareRoundRobin): each partition goes to the next member
   * under minQuota on one of its racks, else to the first member at minQuota on one of its racks
   * that may still take one more. Returns the partitions left for the plain round-robin.
   */
  private fillWithinRacks(unassigned: readonly TP[]): TP[] {
    if (!this.racks.enabled) return [...unassigned];
    const left: TP[] = [];
    let nextUnfilled = 0;
    for (const tp of unassigned) {
      let consumer: string | undefined;
      let next = this.racks.nextRackConsumer(tp, this.underMin, nextUnfilled);
      if (next >= 0) {
        consumer = this.underMin[next]!;
        const count = this.assignment.get(consumer)!.length + 1;
        if (count >= this.minQuota) {
          this.underMin.splice(this.underMin.indexOf(consumer), 1);
          if (count < this.maxQuota && this.currentOverMin < this.expectedOverMin) this.exactlyMin.push(consumer);
        } else {
          next++;
        }
        nextUnfilled = this.underMin.length === 0 ? 0 : next % this.underMin.length;
      } else if (this.exactlyMin.length > 0) {
        const first = this.racks.nextRackConsumer(tp, this.exactlyMin, 0);
        if (first >= 0) {
          consumer = this.exactlyMin[first]!;
          if (this.assignment.get(consumer)!.length + 1 === this.maxQuota) {
            this.exactlyMin.splice(first, 1);
            this.currentOverMin++;
            if (this.currentOverMin === this.expectedOverMin) this.exactlyMin = [];
          }
        }
      }
      if (consumer !== undefined) this.assignNew(tp, consumer);
      else left.push(tp);
    }
    return left;
  }

  /**
   * Step 2: round-robin over the members under minQuota, mirroring Java's LinkedList iterator; a
   * member that reaches minQuota leaves that list for exactlyMin, whose members take one more each.
   */
  private fillRoundRobin(unassigned: readonly TP[]): void {
    const underMin = this.underMin;
    let cursor = 0;
    for (const tp of unassigned) {
      let consumer: string;
      if (cursor < underMin.length) {
        consumer = underMin[cursor++]!;
      } else if (underMin.length === 0 && this.exactlyMin.length === 0) {
        throw new Error('sticky assignment: no member left to take a partition');
      } else if (underMin.length === 0) {
        consumer = this.exactlyMin.shift()!;
      } else {
        cursor = 0;
        consumer = underMin[cursor++]!;
      }
      const count = this.assignNew(tp, consumer);
      if (count === this.minQuota) {
        underMin.splice(--cursor, 1);
        this.exactlyMin.push(consumer);
      } else if (count === this.maxQuota) {
        this.currentOverMin++;
      }
    }
  }

  private assignNew(tp: TP, consumer: string): number {
    const list = this.assignment.get(consumer)!;
    list.push(tp);
    const previousOwner = this.maybeRevoked.get(tp);
    if ((previousOwner !== undefined && previousOwner !== consumer) || this.previous.claimedByMultiple.has(tp)) {
      this.transferring.set(tp, consumer);
    }
    return list.length;
  }
}
