import { javaStringHash } from '../../assignors/java-hash-order.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  DescribeTransactionsRequest,
  DescribeTransactionsResponseInit,
  DescribeTransactionsTransactionStateInit,
  ListTransactionsRequest,
  ListTransactionsResponseInit,
} from '../../protocol/messages/index.js';
import type { TxnCtx } from './context.js';
import { CONSUMER_OFFSETS_TOPIC, consumerOffsetsPartitionFor, TXN_STATES, type TxnMetadataValue, type TxnState } from './metadata.js';

/**
 * The partitions of a transaction as Kafka reports them: its topic partitions, and for each group
 * whose offsets it commits, the `__consumer_offsets` partition Kafka would keep them in.
 */
export function reportedPartitions(meta: TxnMetadataValue): Array<{ topic: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  const add = (topic: string, partition: number) => {
    const list = byTopic.get(topic) ?? [];
    if (!list.includes(partition)) list.push(partition);
    byTopic.set(topic, list);
  };
  for (const tp of meta.partitions) add(tp.topic, tp.partition);
  for (const g of meta.groups) add(CONSUMER_OFFSETS_TOPIC, consumerOffsetsPartitionFor(g, javaStringHash));
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

/** DescribeTransactions (KIP-664): state, producer, timeout, start time and partitions of each id. */
export function handleDescribeTransactions(ctx: TxnCtx, body: DescribeTransactionsRequest): DescribeTransactionsResponseInit {
  const transactionStates: DescribeTransactionsTransactionStateInit[] = body.transactionalIds.map((transactionalId) => {
    const empty = { transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] };
    if (transactionalId === '') return { ...empty, errorCode: ErrorCode.INVALID_REQUEST };
    const meta = ctx.state.get(transactionalId);
    if (meta === undefined) return { ...empty, errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND };
    return {
      errorCode: ErrorCode.NONE,
      transactionalId,
      transactionState: meta.state,
      transactionTimeoutMs: meta.txnTimeoutMs,
      transactionStartTimeMs: meta.txnStartTimestampMs,
      producerId: meta.producerId,
      producerEpoch: meta.producerEpoch,
      topics: reportedPartitions(meta).map((t) => ({ topic: t.topic, partitions: t.partitions })),
    };
  });
  return { throttleTimeMs: 0, transactionStates };
}

/**
 * ListTransactions (KIP-664; v1 adds KIP-994's duration filter): every transactional id matching
 * the state, producer id and "running longer than" filters; unknown state names are echoed back.
 */
export function handleListTransactions(ctx: TxnCtx, body: ListTransactionsRequest): ListTransactionsResponseInit {
  const unknownStateFilters = body.stateFilters.filter((s) => !TXN_STATES.includes(s as TxnState));
  const states = new Set(body.stateFilters);
  const producerIds = new Set(body.producerIdFilters);
  const durationMs = body.durationFilter ?? -1;
  const transactionStates = [];
  for (const transactionalId of ctx.state.transactionalIds()) {
    const meta = ctx.state.get(transactionalId)!;
    if (producerIds.size > 0 && !producerIds.has(meta.producerId)) continue;
    if (states.size > 0 && !states.has(meta.state)) continue;
    if (durationMs >= 0 && ctx.nowMs - meta.txnStartTimestampMs <= durationMs) continue;
    transactionStates.push({ transactionalId, producerId: meta.producerId, transactionState: meta.state });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
}
