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
  const consumers = [...previous.owned.keys()];
  const total = registry.totalCount;
  const minQuota = Math.floor(total / consumers.length);
  const maxQuota = Math.ceil(total / consumers.length);
  const expectedOverMin = total % consumers.length;
  let currentOverMin = 0;

  const assignment = new Map<string, TP[]>(consumers.map((c) => [c, []]));
  const maybeRevoked = new Map<TP, string>();
  const transferring = new Map<TP, string>();
  const assigned = new Set<TP>();
  const underMin: string[] = [];
  let exactlyMin: string[] = [];

  for (const [consumer, claimed] of previous.owned) {
    const owned = [...claimed].sort(byPartitionThenTopic).filter((tp) => !previous.claimedByMultiple.has(tp));
    const target = assignment.get(consumer)!;
    let keep: number;
    if (owned.length < minQuota) {
      keep = owned.length;
      underMin.push(consumer);
    } else if (owned.length >= maxQuota && currentOverMin < expectedOverMin) {
      keep = maxQuota;
      currentOverMin++;
      if (currentOverMin === expectedOverMin) exactlyMin = [];
    } else {
      keep = minQuota;
      if (currentOverMin < expectedOverMin) exactlyMin.push(consumer);
    }
    for (const tp of owned.slice(0, keep)) {
      target.push(tp);
      assigned.add(tp);
    }
    for (const tp of owned.slice(keep)) maybeRevoked.set(tp, consumer);
  }

  const unassigned: TP[] = [];
  for (const topic of [...registry.topics()].sort(compareJavaStrings)) {
    for (const tp of registry.partitionsOf(topic)) if (!assigned.has(tp)) unassigned.push(tp);
  }
  underMin.sort(compareJavaStrings);
  exactlyMin.sort(compareJavaStrings);

  const assignNew = (tp: TP, consumer: string): number => {
    const list = assignment.get(consumer)!;
    list.push(tp);
    const previousOwner = maybeRevoked.get(tp);
    if ((previousOwner !== undefined && previousOwner !== consumer) || previous.claimedByMultiple.has(tp)) {
      transferring.set(tp, consumer);
    }
    return list.length;
  };

  // Round-robin over the members under minQuota, mirroring Java's LinkedList iterator: a member
  // that reaches minQuota leaves the list (and may take one more later, from exactlyMin).
  let cursor = 0;
  for (const tp of unassigned) {
    let consumer: string;
    if (cursor < underMin.length) {
      consumer = underMin[cursor++]!;
    } else if (underMin.length === 0 && exactlyMin.length === 0) {
      throw new Error('sticky assignment: no member left to take a partition');
    } else if (underMin.length === 0) {
      consumer = exactlyMin.shift()!;
    } else {
      cursor = 0;
      consumer = underMin[cursor++]!;
    }
    const count = assignNew(tp, consumer);
    if (count === minQuota) {
      underMin.splice(--cursor, 1);
      exactlyMin.push(consumer);
    } else if (count === maxQuota) {
      currentOverMin++;
    }
  }

  if (underMin.length > 0) {
    const short = underMin.find((c) => assignment.get(c)!.length !== minQuota);
    if (currentOverMin !== expectedOverMin || short !== undefined) {
      throw new Error('sticky assignment: a member was left below its quota');
    }
  }
  return { assignment, partitionsTransferringOwnership: transferring };
}
