import type { StoredBatchHeader } from './batches.js';

/** A batch as the log hands it to a segment: its place in the appended buffer and its offsets. */
export interface AppendedBatch {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

/** Bytes read from a segment: whole batches, verbatim. */
export interface SegmentRead {
  chunks: Buffer[];
  bytes: number;
  /** True when the read stopped because the next batch would pass `maxBytes`. */
  full: boolean;
}

/**
 * One segment of a partition log: a run of batches from `baseOffset`. The last segment of a log
 * is the active one (appended to); the others are closed (sealed) and only read or deleted.
 */
export interface Segment {
  readonly baseOffset: number;
  /** Offset after the last batch (equals `baseOffset` while empty). */
  readonly nextOffset: number;
  readonly sizeBytes: number;
  /** Largest batch max timestamp, -1 when no batch carries one. */
  readonly maxTimestamp: number;
  /** Kafka's fallback for retention when batches carry no timestamp: when the segment last changed. */
  readonly lastModifiedMs: number;
  /** Max timestamp of the first batch, or -1: the time base for `segment.ms`. */
  readonly firstTimestamp: number;
  /** True while data is written but not yet fdatasynced. */
  readonly needsSync: boolean;

  /** Writes batches (already stamped with their offsets) before returning. */
  append(data: Buffer, batches: readonly AppendedBatch[], nowMs: number): void;
  /**
   * Whole batches from the one containing `fetchOffset`, up to `maxBytes`; with `atLeastOne` the
   * first batch is returned even when larger (KIP-74). Null when the segment was deleted meanwhile.
   */
  read(fetchOffset: number, maxBytes: number, atLeastOne: boolean): Promise<SegmentRead | null>;
  /** First batch ending at or after `minOffset` whose max timestamp is >= `timestampMs`. */
  findTimestamp(timestampMs: number, minOffset: number): Promise<StoredBatchHeader | null>;
  /** Closes the segment for appends (a file segment persists its indexes). */
  seal(): void;
  /** fdatasync if needed; resolves true when one was issued. */
  sync(): Promise<boolean>;
  /** Releases the segment's resources, keeping its data. */
  close(): Promise<void>;
  /** Deletes the segment's data once no read is using it. */
  destroy(): Promise<void>;
}
