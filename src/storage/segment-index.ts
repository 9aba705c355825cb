import { readInt64, writeInt64 } from '../protocol/record-batch-header.js';

/** Kafka's `index.interval.bytes` default: one index entry per ~4 KiB of log. */
export const DEFAULT_INDEX_INTERVAL_BYTES = 4096;

const OFFSET_ENTRY_BYTES = 8;
const TIME_ENTRY_BYTES = 12;

/**
 * The sparse offset index and time index of one segment, kept in memory and written next to a
 * segment when it is closed. An offset entry maps a batch's base offset to its byte position; a
 * time entry (ts, offset) says every batch up to the one at `offset` has max timestamp <= ts, so
 * a lookup lands at most one index interval before the batch wanted and finishes with a short
 * header scan (as Kafka's `.index` and `.timeindex` do).
 */
export class SegmentIndex {
  private readonly entryOffsets: number[] = [];
  private readonly entryPositions: number[] = [];
  private readonly timeValues: number[] = [];
  private readonly timeOffsets: number[] = [];
  private bytesSinceEntry = 0;
  private lastBatchBaseOffset = -1;
  /** Largest batch max timestamp seen, -1 when none. */
  maxTimestamp = -1;

  constructor(
    readonly baseOffset: number,
    readonly intervalBytes: number = DEFAULT_INDEX_INTERVAL_BYTES,
  ) {}

  get entryCount(): number {
    return this.entryOffsets.length;
  }

  /** Max timestamp of the segment's first batch, or -1 (used for `segment.ms`). */
  get firstTimestamp(): number {
    return this.timeValues.length > 0 ? this.timeValues[0]! : -1;
  }

  /** Records an appended batch; adds entries once `intervalBytes` have passed since the last one. */
  onBatch(baseOffset: number, position: number, sizeBytes: number, maxTimestamp: number): void {
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
    if (this.entryOffsets.length === 0 || this.bytesSinceEntry >= this.intervalBytes) {
      this.entryOffsets.push(baseOffset);
      this.entryPositions.push(position);
      this.timeValues.push(this.maxTimestamp);
      this.timeOffsets.push(baseOffset);
      this.bytesSinceEntry = 0;
    }
    this.bytesSinceEntry += sizeBytes;
    this.lastBatchBaseOffset = baseOffset;
  }

  /** The last offset index entry (the newest indexed batch), or null when empty. */
  lastEntry(): { offset: number; position: number } | null {
    const n = this.entryOffsets.length;
    return n === 0 ? null : { offset: this.entryOffsets[n - 1]!, position: this.entryPositions[n - 1]! };
  }

  /** Byte position of the last indexed batch starting at or before `offset` (0 if none). */
  positionFor(offset: number): number {
    const i = lastAtOrBelow(this.entryOffsets, offset);
    return i < 0 ? 0 : this.entryPositions[i]!;
  }

  /**
   * Where to start scanning for the first batch whose max timestamp is >= `timestampMs`: just
   * after everything the time index proves is older.
   */
  scanStartForTimestamp(timestampMs: number): number {
    const i = lastBelow(this.timeValues, timestampMs);
    return i < 0 ? 0 : this.positionFor(this.timeOffsets[i]!);
  }

  /**
   * Files for a closed segment (or an active one at a clean shutdown): the offset index and the
   * time index (with a final max entry).
   */
  serialize(): { offsetIndex: Buffer; timeIndex: Buffer } {
    const offsetIndex = Buffer.alloc(this.entryOffsets.length * OFFSET_ENTRY_BYTES);
    for (let i = 0; i < this.entryOffsets.length; i++) {
      offsetIndex.writeUInt32BE(this.entryOffsets[i]! - this.baseOffset, i * OFFSET_ENTRY_BYTES);
      offsetIndex.writeUInt32BE(this.entryPositions[i]!, i * OFFSET_ENTRY_BYTES + 4);
    }
    const times = this.timeValues.slice();
    const timeOffsets = this.timeOffsets.slice();
    // The last entry carries the segment's max timestamp, so retention needs no scan after a restart.
    if (this.lastBatchBaseOffset >= 0 && (times.length === 0 || times[times.length - 1]! < this.maxTimestamp || timeOffsets[timeOffsets.length - 1]! < this.lastBatchBaseOffset)) {
      times.push(this.maxTimestamp);
      timeOffsets.push(this.lastBatchBaseOffset);
    }
    const timeIndex = Buffer.alloc(times.length * TIME_ENTRY_BYTES);
    for (let i = 0; i < times.length; i++) {
      writeInt64(timeIndex, i * TIME_ENTRY_BYTES, times[i]!);
      timeIndex.writeUInt32BE(timeOffsets[i]! - this.baseOffset, i * TIME_ENTRY_BYTES + 8);
    }
    return { offsetIndex, timeIndex };
  }

  /**
   * Loads a segment's index files, or returns null when they are missing pieces or
   * inconsistent (the caller then rebuilds the index by scanning the segment).
   */
  static deserialize(baseOffset: number, intervalBytes: number, logFileBytes: number, offsetIndex: Buffer, timeIndex: Buffer): SegmentIndex | null {
    if (offsetIndex.length % OFFSET_ENTRY_BYTES !== 0 || timeIndex.length % TIME_ENTRY_BYTES !== 0) return null;
    if (offsetIndex.length === 0 || timeIndex.length === 0) return null;
    const index = new SegmentIndex(baseOffset, intervalBytes);
    for (let at = 0; at < offsetIndex.length; at += OFFSET_ENTRY_BYTES) {
      const offset = baseOffset + offsetIndex.readUInt32BE(at);
      const position = offsetIndex.readUInt32BE(at + 4);
      const n = index.entryOffsets.length;
      if (n === 0 ? offset !== baseOffset || position !== 0 : offset <= index.entryOffsets[n - 1]! || position <= index.entryPositions[n - 1]!) return null;
      if (position >= logFileBytes) return null;
      index.entryOffsets.push(offset);
      index.entryPositions.push(position);
    }
    for (let at = 0; at < timeIndex.length; at += TIME_ENTRY_BYTES) {
      const ts = readInt64(timeIndex, at);
      const offset = baseOffset + timeIndex.readUInt32BE(at + 8);
      const n = index.timeValues.length;
      if (n > 0 && (ts < index.timeValues[n - 1]! || offset < index.timeOffsets[n - 1]!)) return null;
      index.timeValues.push(ts);
      index.timeOffsets.push(offset);
    }
    index.maxTimestamp = index.timeValues[index.timeValues.length - 1]!;
    index.lastBatchBaseOffset = index.timeOffsets[index.timeOffsets.length - 1]!;
    // Appends continue after the file (an active segment saved at a clean shutdown) one interval
    // after the last entry, as if the index had never left memory.
    index.bytesSinceEntry = logFileBytes - index.entryPositions[index.entryPositions.length - 1]!;
    return index;
  }
}

/** Index of the last element <= value in an ascending array, or -1. */
export function lastAtOrBelow(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** Index of the last element < value in an ascending array, or -1. */
export function lastBelow(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
