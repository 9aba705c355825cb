import { compareJavaStrings } from './common.js';
import type { PartitionRegistry, PreviousOwnership, TP } from './sticky-input.js';

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
 * (Java's rack-aware steps are skipped: without partition replica racks they never apply.)
 */
export function assignConstrained(registry: PartitionRegistry, previous: PreviousOwnership): StickyResult {
  return new ConstrainedAssignment(registry, previous).build();
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
    this.fillRoundRobin(unassigned);
    const short = this.underMin.find((c) => this.assignment.get(c)!.length !== this.minQuota);
    if (this.underMin.length > 0 && (this.currentOverMin !== this.expectedOverMin || short !== undefined)) {
      throw new Error('sticky assignment: a member was left below its quota');
    }
    return { assignment: this.assignment, partitionsTransferringOwnership: this.transferring };
  }

  /** Step 1, in Java's member order: keep owned partitions up to the member's quota. */
  private keepOwned(consumer: string, claimed: readonly TP[]): void {
    const owned = [...claimed].sort(byPartitionThenTopic).filter((tp) => !this.previous.claimedByMultiple.has(tp));
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
