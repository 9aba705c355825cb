import type { TopicPartition } from './types.js';

/** A key for maps and sets: `topic:partition` (Kafka topic names never contain ':'). */
export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}:${tp.partition}`;
}

export function comparePartitions(a: TopicPartition, b: TopicPartition): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

/** Sorted, de-duplicated copy. */
export function sortPartitions(list: Iterable<TopicPartition>): TopicPartition[] {
  const seen = new Map<string, TopicPartition>();
  for (const tp of list) seen.set(partitionKey(tp), { topic: tp.topic, partition: tp.partition });
  return [...seen.values()].sort(comparePartitions);
}

/** Partitions of `a` not in `b`, sorted. */
export function subtractPartitions(a: readonly TopicPartition[], b: readonly TopicPartition[]): TopicPartition[] {
  const keys = new Set(b.map(partitionKey));
  return sortPartitions(a.filter((tp) => !keys.has(partitionKey(tp))));
}

export function samePartitions(a: readonly TopicPartition[], b: readonly TopicPartition[]): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(a.map(partitionKey));
  return b.every((tp) => keys.has(partitionKey(tp)));
}

/** `[{topic, partitions}]` (the consumer protocol's shape), topics and partitions sorted. */
export function groupByTopic(list: readonly TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const tp of sortPartitions(list)) {
    let ps = byTopic.get(tp.topic);
    if (ps === undefined) byTopic.set(tp.topic, (ps = []));
    ps.push(tp.partition);
  }
  return [...byTopic.entries()].map(([topic, partitions]) => ({ topic, partitions }));
}

export function flattenTopics(list: ReadonlyArray<{ topic: string; partitions: readonly number[] }>): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const t of list) for (const partition of t.partitions) out.push({ topic: t.topic, partition });
  return sortPartitions(out);
}

export function formatPartitions(list: readonly TopicPartition[]): string {
  return groupByTopic(list).map((t) => `${t.topic}[${t.partitions.join(',')}]`).join(' ');
}
