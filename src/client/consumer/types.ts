import type { RecordHeader } from '../../protocol/record-batch.js';
import type { TopicPartition } from '../group/types.js';

export type { TopicPartition };

/** One consumed record. `key`, `value` and header values are views into the fetched bytes. */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: ConsumedMessage;
  /** Stop fetching and delivering this partition (resume with consumer.resume). */
  pause(): void;
}

export interface Batch {
  topic: string;
  partition: number;
  /** The partition's high watermark as of the fetch that brought these records. */
  highWatermark: number;
  messages: ConsumedMessage[];
  firstOffset(): number | null;
  lastOffset(): number | null;
  /** Records after the last one of this batch that the broker had when it answered. */
  offsetLag(): number;
}

export interface EachBatchPayload {
  batch: Batch;
  /**
   * Marks records up to and including `offset` processed (committed by auto-commit, commit() or
   * on revoke). With `eachBatchAutoResolve` (default) the whole batch is resolved when the
   * handler returns.
   */
  resolveOffset(offset: number): void;
  /** Kept for kafkajs compatibility: heartbeats run in the background, this does nothing. */
  heartbeat(): Promise<void>;
  /** Commits what was resolved so far, now. */
  commitOffsetsIfNecessary(): Promise<void>;
  /** False once the consumer stops or the partition is being revoked: return early. */
  isRunning(): boolean;
  isStale(): boolean;
  pause(): void;
}

export type EachMessageHandler = (payload: EachMessagePayload) => Promise<void> | void;
export type EachBatchHandler = (payload: EachBatchPayload) => Promise<void> | void;

export interface RunOptions {
  eachMessage?: EachMessageHandler;
  eachBatch?: EachBatchHandler;
  /** How many partitions are processed at once; records of one partition always in order. */
  partitionsConsumedConcurrently?: number;
  eachBatchAutoResolve?: boolean;
}

/**
 * Called around rebalances, awaited before the member rejoins (or finishes the rebalance).
 * Before onPartitionsRevoked runs, the consumer has stopped delivering those partitions, waited
 * for their in-flight records and (with `commitOnRevoke`, the default) committed what was processed.
 */
export interface RebalanceListener {
  onPartitionsAssigned?(partitions: TopicPartition[]): Promise<void> | void;
  onPartitionsRevoked?(partitions: TopicPartition[]): Promise<void> | void;
  /**
   * The member was no longer in the generation that owned these (session lost, fenced, poll
   * timeout): nothing can be committed for them any more. Defaults to onPartitionsRevoked, as in
   * the Java client.
   */
  onPartitionsLost?(partitions: TopicPartition[]): Promise<void> | void;
}

export interface TopicPartitionOffset extends TopicPartition {
  offset: number;
}

export interface SubscribeOptions {
  topics?: string[];
  pattern?: RegExp;
  /** Shorthand for autoOffsetReset 'earliest' (kafkajs's fromBeginning). */
  fromBeginning?: boolean;
}
