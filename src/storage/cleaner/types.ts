import type { LogConfig } from '../log-config.js';
import type { Segment } from '../segment.js';
import type { CleanedSegmentStore } from './cleaned-segments.js';

/** What the cleaner needs of a partition log (SegmentedPartitionLog provides it). */
export interface CleanableLog {
  readonly topic: string;
  readonly partition: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly currentConfig: LogConfig;
  readonly isClosed: boolean;
  readonly cleanedSegments: CleanedSegmentStore;
  /** Every segment, oldest first; the last is the active one. */
  allSegments(): readonly Segment[];
  replaceSegments(replaced: readonly Segment[], cleaned: Segment, install: () => Promise<void>): Promise<boolean>;
  /**
   * The partition's transactions (absent for logs without producer state): the cleaner stops
   * before the first open transaction and leaves aborted records out of its offset map, as
   * Kafka's does, so an aborted write never hides the committed value of its key.
   */
  readonly producers?: TransactionView;
}

/** What the cleaner needs of a partition's producer state. */
export interface TransactionView {
  /** First offset of the oldest open transaction, null when none is open. */
  firstUnstableOffset(): number | null;
  /** Aborted transactions: producer id and the offsets from its first batch to the abort marker. */
  abortedIndex(): readonly { producerId: number; firstOffset: number; lastOffset: number }[];
  /** A producer's last batch, whose offsets the cleaner keeps even when emptied. */
  producer(producerId: number): { batches: readonly { lastOffset: number }[] } | undefined;
}

/** What one cleaning pass of one partition did (the `log-cleaned` event). */
export interface CleanedLogStats {
  topic: string;
  partition: number;
  /** Where the dirty section started, and where this pass stopped (the next pass starts there). */
  firstDirtyOffset: number;
  endOffset: number;
  firstUncleanableOffset: number;
  /** Why the log was picked: its dirty ratio, or max.compaction.lag.ms passed. */
  reason: 'dirty-ratio' | 'max-compaction-lag';
  dirtyRatio: number;
  /** Bytes read building the offset map and cleaning, and bytes written. */
  bytesRead: number;
  bytesWritten: number;
  /** Size of the cleaned range before and after. */
  bytesBefore: number;
  bytesAfter: number;
  recordsRead: number;
  recordsKept: number;
  /** Records dropped because they have no key (written before the topic was compacted). */
  keylessRecordsRemoved: number;
  tombstonesRemoved: number;
  /** Distinct keys in the offset map, and its share of the map's capacity. */
  keysMapped: number;
  mapUtilization: number;
  segmentsBefore: number;
  segmentsAfter: number;
  durationMs: number;
  /** Time spent waiting for the I/O throttle. */
  throttledMs: number;
}

/** Facts the cleaner reports; the broker publishes them on diagnostics_channel. */
export type CleanerEvent =
  | { kind: 'log-cleaned'; stats: CleanedLogStats }
  | { kind: 'log-cleaning-aborted'; topic: string; partition: number; reason: string }
  | { kind: 'log-cleaning-failed'; topic: string; partition: number; error: string };
