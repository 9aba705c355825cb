import type { TxnTopicPartition } from '../../coordinator/txn/index.js';
import type { BrokerContext } from '../context.js';
import { visibleTopic } from '../topics.js';

/** Splits requested partitions into those that exist and those that do not (deleted topics, bad indexes). */
export function existingPartitions(ctx: BrokerContext, topics: ReadonlyArray<{ name: string; partitions: readonly number[] }>): { known: TxnTopicPartition[]; unknown: TxnTopicPartition[] } {
  const known: TxnTopicPartition[] = [];
  const unknown: TxnTopicPartition[] = [];
  for (const t of topics) {
    const count = visibleTopic(ctx, t.name)?.partitions ?? 0;
    for (const partition of t.partitions) (partition >= 0 && partition < count ? known : unknown).push({ topic: t.name, partition });
  }
  return { known, unknown };
}

/** Per-topic results with one error code per partition, in request order. */
export function resultsByTopic<R>(
  partitions: ReadonlyArray<{ topic: string; partition: number; errorCode: number }>,
  make: (name: string, results: Array<{ partitionIndex: number; partitionErrorCode: number }>) => R,
): R[] {
  const byTopic = new Map<string, Array<{ partitionIndex: number; partitionErrorCode: number }>>();
  for (const p of partitions) {
    const list = byTopic.get(p.topic) ?? [];
    list.push({ partitionIndex: p.partition, partitionErrorCode: p.errorCode });
    byTopic.set(p.topic, list);
  }
  return [...byTopic].map(([name, results]) => make(name, results));
}
