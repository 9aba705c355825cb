// Helpers shared by the assignor tests (not used by the assignors themselves).
import type { AssignmentInput, Assignor, AssignorMember, MemberAssignment } from './types.js';

export interface MemberSpec {
  topics: string[];
  /** "topic-partition" strings, e.g. ["t-0", "t-2"]. */
  owned?: string[];
  generation?: number;
  instance?: string;
  userData?: Buffer | null;
  rack?: string;
}

export function parsePartition(s: string): { topic: string; partition: number } {
  const i = s.lastIndexOf('-');
  return { topic: s.slice(0, i), partition: Number(s.slice(i + 1)) };
}

export function grouped(list: readonly string[]): { topic: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const s of list) {
    const { topic, partition } = parsePartition(s);
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

export function member(memberId: string, spec: MemberSpec): AssignorMember {
  return {
    memberId,
    groupInstanceId: spec.instance ?? null,
    topics: spec.topics,
    ownedPartitions: grouped(spec.owned ?? []),
    generationId: spec.generation ?? -1,
    rackId: spec.rack ?? null,
    userData: spec.userData ?? null,
  };
}

/** Replica racks per topic as "a|b|a,b": partition by partition, comma-separated racks. */
export type RackSpec = Record<string, string>;

export function input(counts: Record<string, number>, members: Record<string, MemberSpec>, racks?: RackSpec): AssignmentInput {
  const out: AssignmentInput = {
    members: Object.entries(members).map(([id, spec]) => member(id, spec)),
    partitionsPerTopic: new Map(Object.entries(counts)),
  };
  if (racks !== undefined) {
    out.partitionRacks = new Map(Object.entries(racks).map(([t, spec]) => [t, spec.split('|').map((r) => (r === '' ? [] : r.split(',')))]));
  }
  return out;
}

/** The assignment as { member: ["topic-partition", ...] } in the assignor's (sorted) order. */
export function flat(result: Map<string, MemberAssignment>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, a] of result) out[id] = a.partitions.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`));
  return out;
}

export function run(assignor: Assignor, counts: Record<string, number>, members: Record<string, MemberSpec>, racks?: RackSpec): Record<string, string[]> {
  return flat(assignor.assign(input(counts, members, racks)));
}
