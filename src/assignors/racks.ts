import type { AssignmentInput, AssignorMember } from './types.js';

/** A member's rack as Java reads it: the subscription's RackId, an empty one meaning none. */
export function memberRack(member: Pick<AssignorMember, 'rackId'>): string | null {
  return member.rackId === null || member.rackId === '' ? null : member.rackId;
}

/** The distinct racks of a partition's replicas (empty when unknown). */
export function replicaRacks(input: AssignmentInput, topic: string, partition: number): Set<string> {
  return new Set(input.partitionRacks?.get(topic)?.[partition] ?? []);
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/**
 * Java's AbstractPartitionAssignor.useRackAwareAssignment (KIP-881): only when some member rack
 * holds replicas, and some partition is not on every rack that holds replicas (otherwise every
 * member is equally close to every partition).
 */
export function useRackAwareAssignment(
  memberRacks: ReadonlySet<string>,
  allReplicaRacks: ReadonlySet<string>,
  racksPerPartition: Iterable<ReadonlySet<string>>,
): boolean {
  if (memberRacks.size === 0) return false;
  let overlap = false;
  for (const r of memberRacks) if (allReplicaRacks.has(r)) overlap = true;
  if (!overlap) return false;
  for (const racks of racksPerPartition) if (!sameSet(racks, allReplicaRacks)) return true;
  return false;
}
