/**
 * Partitions by topic id, the unit of KIP-848 assignments (the heartbeat names topics by id).
 * Values are treated as immutable once built; every helper returns a new map.
 */
export type TopicPartitionsMap = ReadonlyMap<string, ReadonlySet<number>>;

/** The record and wire form: topics and partitions sorted. */
export interface TopicPartitionsEntry {
  readonly topicId: string;
  readonly partitions: readonly number[];
}

export const EMPTY_PARTITIONS: TopicPartitionsMap = new Map();

export function fromEntries(entries: readonly { topicId: string; partitions: readonly number[] }[] | null | undefined): TopicPartitionsMap {
  const out = new Map<string, Set<number>>();
  for (const e of entries ?? []) {
    let set = out.get(e.topicId);
    if (set === undefined) out.set(e.topicId, (set = new Set()));
    for (const p of e.partitions) set.add(p);
  }
  for (const [t, s] of out) if (s.size === 0) out.delete(t);
  return out;
}

export function toEntries(map: TopicPartitionsMap): TopicPartitionsEntry[] {
  return [...map.keys()]
    .sort()
    .map((topicId) => ({ topicId, partitions: [...map.get(topicId)!].sort((a, b) => a - b) }))
    .filter((e) => e.partitions.length > 0);
}

export function partitionsEqual(a: TopicPartitionsMap, b: TopicPartitionsMap): boolean {
  if (countPartitions(a) !== countPartitions(b)) return false;
  for (const [t, set] of a) {
    const other = b.get(t);
    if (other === undefined) {
      if (set.size > 0) return false;
      continue;
    }
    for (const p of set) if (!other.has(p)) return false;
  }
  return true;
}

export function countPartitions(map: TopicPartitionsMap): number {
  let n = 0;
  for (const s of map.values()) n += s.size;
  return n;
}

export function hasPartition(map: TopicPartitionsMap, topicId: string, partition: number): boolean {
  return map.get(topicId)?.has(partition) ?? false;
}

/** True when every partition of `owned` is in `map` (Kafka's isSubset of a heartbeat's owned list). */
export function isSubset(owned: readonly { topicId: string; partitions: readonly number[] }[], map: TopicPartitionsMap): boolean {
  return owned.every((t) => {
    const set = map.get(t.topicId);
    return set !== undefined && t.partitions.every((p) => set.has(p));
  });
}

/** `a` without the topics not in `keep`. */
export function onlyTopics(map: TopicPartitionsMap, keep: (topicId: string) => boolean): TopicPartitionsMap {
  return new Map([...map].filter(([t]) => keep(t)));
}
