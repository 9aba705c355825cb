import type { PartitionDamage } from './damage.js';
import type { RepairReport } from './repair.js';

export type { DamagedBytes, PartitionDamage } from './damage.js';
export type { LostRange, RepairReport } from './repair.js';
import type { CleanableLog } from './cleaner/types.js';
import type { ProducerStateManager } from './producer-state.js';

/**
 * The storage contract the broker builds on. A partition log holds RecordBatch v2 bytes exactly as
 * clients sent them (after the broker rewrote baseOffset); it never decodes records.
 */

export interface AppendResult {
  /** Offset given to the first record of the first batch appended. */
  baseOffset: number;
  /** Offset of the last record appended. */
  lastOffset: number;
  /** Log-end offset after the append. */
  logEndOffset: number;
}

export interface ReadResult {
  /**
   * Whole batches, verbatim, starting with the batch that contains `fetchOffset` (which may
   * begin before it: clients skip the records below their position). Several buffers when the
   * read spans segments or cache entries; they are written to the socket back to back.
   */
  chunks: Buffer[];
  /** Total bytes in `chunks`. */
  bytes: number;
  logStartOffset: number;
  logEndOffset: number;
  /**
   * Present when the chunks are views of recycled buffers (the file store's tail cache): call it
   * once they are written. Never calling it is safe (the buffers are then not recycled); reading
   * the chunks after calling it is not.
   */
  release?: () => void;
}

export interface TimestampLookup {
  /** First offset whose batch max timestamp is >= the target timestamp. */
  offset: number;
  /** That batch's max timestamp. */
  timestamp: number;
}

/** One segment as ListOffsets v0 sees it. */
export interface SegmentSummary {
  baseOffset: number;
  sizeBytes: number;
  /** When the segment last changed (file mtime after a restart). */
  lastModifiedMs: number;
}

export interface PartitionLog {
  readonly topic: string;
  readonly partition: number;
  /** First offset still in the log (moves forward with retention and DeleteRecords). */
  readonly logStartOffset: number;
  /** Offset the next record will get; equals the high watermark on a single node. */
  readonly logEndOffset: number;
  /** Bytes held by the partition's segments. */
  readonly sizeBytes: number;
  /**
   * Producer state derived from the batches appended (KIP-98): sequences for de-duplication,
   * epochs for fencing, open transactions (the last stable offset) and aborted ones. Restored at
   * start-up from a snapshot and the log after it.
   */
  readonly producers: ProducerStateManager;

  /**
   * Appends one or more validated v2 batches laid back to back in `batches`. Rewrites each
   * batch's baseOffset in place (the CRC does not cover it), then writes the bytes: when this
   * returns, the data is in the operating system (it survives a crash of our process). Readers
   * and `waitForData` listeners see it at once. The store may keep `batches` itself (a view, not
   * a copy, when the batches fill most of their buffer): the caller must not write to it again.
   */
  append(batches: Buffer, nowMs: number): AppendResult;

  /**
   * Resolves once everything appended so far is on stable storage (fdatasync). Calls that
   * arrive close together share one sync (group commit).
   */
  sync(): Promise<void>;

  /**
   * Reads whole batches from `fetchOffset`, stopping once `maxBytes` is reached; the first batch
   * is returned even when larger than `maxBytes`, so a consumer can always make progress
   * (KIP-74). Throws OffsetOutOfRangeError when fetchOffset is outside [logStart, logEnd].
   */
  read(fetchOffset: number, maxBytes: number): Promise<ReadResult>;

  /** ListOffsets by timestamp: null when no batch has a timestamp at or after `timestampMs`. */
  offsetForTimestamp(timestampMs: number): Promise<TimestampLookup | null>;

  /** Max timestamp over the whole log, and the offset of the record carrying it (ListOffsets -3). */
  maxTimestamp(): Promise<TimestampLookup | null>;

  /** Every segment, oldest first (ListOffsets v0 answers with segment base offsets). */
  segmentSummaries(): SegmentSummary[];

  /** DeleteRecords: moves the log start offset forward (never back), dropping whole segments. */
  deleteRecordsBefore(offset: number): Promise<number>;

  /** Calls `listener` once, the next time data is appended. Returns a function that cancels it. */
  onceAppended(listener: () => void): () => void;

  /**
   * Closes the active segment and starts a new one at the log end (no-op when the active segment
   * is empty). Lets `deleteRecordsBefore` free everything below a snapshot written just after.
   */
  roll(): void;
}

export interface TopicInfo {
  name: string;
  /** Kafka topic id, in Kafka's printed (base64url, 22 chars) form. */
  id: string;
  partitions: number;
  /** Topic-level config overrides (retention.ms, segment.bytes, cleanup.policy, ...). */
  configs: Record<string, string>;
}

export interface LogStore {
  /** Kafka-style cluster id (22 chars base64url): persisted in `<dataDir>/meta.json`, or made up per process in memory. */
  readonly clusterId: string;
  /** Every topic, sorted by name (internal logs are not listed). */
  listTopics(): TopicInfo[];
  topic(name: string): TopicInfo | undefined;
  createTopic(name: string, partitions: number, configs: Record<string, string>): Promise<TopicInfo>;
  deleteTopic(name: string): Promise<void>;
  /** Grows a topic to `totalPartitions` partitions. */
  createPartitions(name: string, totalPartitions: number): Promise<void>;
  alterTopicConfigs(name: string, configs: Record<string, string | null>): Promise<void>;
  /** An online partition (undefined for an unknown one, or one offline because of damage). */
  partition(topic: string, partition: number): PartitionLog | undefined;
  /** Why a partition is offline: damage below its recovery point found at start-up. */
  partitionDamage(topic: string, partition: number): PartitionDamage | undefined;
  /** Every offline partition, by topic and partition. */
  damagedPartitions(): PartitionDamage[];
  /** Partitions repaired while the store opened (`repair` option), with what each lost. */
  readonly repairs: readonly RepairReport[];
  /** Topic partitions whose `cleanup.policy` includes `compact`: the log cleaner's work list. */
  compactedLogs(): CleanableLog[];
  /** Applies retention by time and size to every partition; returns the segments deleted. */
  enforceRetention(nowMs: number): Promise<number>;
  /**
   * A single-partition log outside the topic namespace (not listed, no retention), with the same
   * durability and recovery as a topic partition: the group coordinator keeps its records here and
   * replays them at start. `name` is `[a-zA-Z0-9_.]+`; opening the same name twice gives the same log.
   */
  openInternalLog(name: string): Promise<PartitionLog>;
  /** Syncs everything and closes files. */
  close(): Promise<void>;
}

export class OffsetOutOfRangeError extends Error {
  override name = 'OffsetOutOfRangeError';
  constructor(
    readonly fetchOffset: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {
    super(`offset ${fetchOffset} is outside [${logStartOffset}, ${logEndOffset}]`);
  }
}

/**
 * A refused store operation, carrying the Kafka error code the broker should answer with
 * (TOPIC_ALREADY_EXISTS, UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS,
 * INVALID_CONFIG).
 */
export class StorageError extends Error {
  override name = 'StorageError';
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}
