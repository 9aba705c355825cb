/**
 * The transaction coordinator's model of one transactional id, after Kafka's
 * TransactionMetadata: the producer id and epoch it hands out, the state of the current
 * transaction and what it touched.
 */

/** Kafka's transaction states, spelled as DescribeTransactions and ListTransactions print them. */
export type TxnState = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort' | 'Dead' | 'PrepareEpochFence';

export const TXN_STATES: readonly TxnState[] = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'];

/** No producer id / epoch (RecordBatch.NO_PRODUCER_ID, NO_PRODUCER_EPOCH). */
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;

/** Kafka never hands out epoch 32767, so a coordinator can always fence the producer once more. */
const EPOCH_EXHAUSTED_AT = 32_767 - 1;

export function isEpochExhausted(epoch: number): boolean {
  return epoch >= EPOCH_EXHAUSTED_AT;
}

export interface TxnTopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * What the coordinator persists for a transactional id (Kafka's TransactionLogValue). Replaying
 * the latest value of every id gives the coordinator back; there is no in-memory-only pending
 * state because the shell persists and applies each call's records before the next call runs.
 */
export interface TxnMetadataValue {
  readonly producerId: number;
  /** The id before the last rotation (epoch exhaustion), so a retried InitProducerId is recognised. */
  readonly previousProducerId: number;
  readonly producerEpoch: number;
  /** The epoch before the last bump (KIP-360: a retried bump gets the same answer). */
  readonly lastProducerEpoch: number;
  readonly txnTimeoutMs: number;
  readonly state: TxnState;
  /** Partitions of the current transaction, sorted by topic then partition. */
  readonly partitions: readonly TxnTopicPartition[];
  /** Consumer groups whose offsets the transaction commits (AddOffsetsToTxn), sorted. */
  readonly groups: readonly string[];
  /** When the first partition or group was added, -1 when no transaction is running. */
  readonly txnStartTimestampMs: number;
  /** Any change; transactional ids expire from it. */
  readonly txnLastUpdateTimestampMs: number;
}

/** States a transactional id may be expired from (Kafka's `isExpirationAllowed`). */
export function expirationAllowed(state: TxnState): boolean {
  return state === 'Empty' || state === 'CompleteCommit' || state === 'CompleteAbort';
}

/** Whether a transaction is between its first AddPartitions and the end of its markers. */
export function hasPendingTransaction(state: TxnState): boolean {
  return state === 'Ongoing' || state === 'PrepareCommit' || state === 'PrepareAbort';
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export function compareTopicPartitions(a: TxnTopicPartition, b: TxnTopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/** The union of two partition sets, sorted and without duplicates. */
export function mergePartitions(current: readonly TxnTopicPartition[], added: readonly TxnTopicPartition[]): TxnTopicPartition[] {
  const byKey = new Map<string, TxnTopicPartition>();
  for (const tp of [...current, ...added]) byKey.set(tpKey(tp.topic, tp.partition), { topic: tp.topic, partition: tp.partition });
  return [...byKey.values()].sort(compareTopicPartitions);
}

export function mergeGroups(current: readonly string[], added: string): string[] {
  return [...new Set([...current, added])].sort();
}

/**
 * The partition of Kafka's `__consumer_offsets` a group maps to (50 partitions by default), which
 * is how Kafka names a group's offsets among a transaction's partitions in DescribeTransactions.
 */
export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';
const CONSUMER_OFFSETS_PARTITIONS = 50;

export function consumerOffsetsPartitionFor(groupId: string, javaStringHash: (s: string) => number): number {
  const h = javaStringHash(groupId);
  // Kafka's Utils.abs maps Integer.MIN_VALUE to 0.
  return (h === -2147483648 ? 0 : Math.abs(h)) % CONSUMER_OFFSETS_PARTITIONS;
}
