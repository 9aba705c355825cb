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
  // Typed columns, not arrays of numbers: a clean start loads a 1 GiB segment's ~250,000
  // entries in about a millisecond instead of tens (the index is the whole cost of loading a
  // segment after a clean shutdown).
  private readonly entryOffsets = new Column();
  private readonly entryPositions = new Column();
  private readonly timeValues = new Column();
  private readonly timeOffsets = new Column();
  private bytesSinceEntry = 0;
  private lastBatchBaseOffset = -1;
  /** Largest batch max timestamp seen, -1 when none. */
  maxTimestamp = -1;
  /** False while the index is exactly what its files hold (loaded, nothing added since). */
  changedSinceLoad = true;

  constructor(
    readonly baseOffset: number,
    readonly intervalBytes: number = DEFAULT_INDEX_INTERVAL_BYTES,
  ) {}

  get entryCount(): number {
    return this.entryOffsets.length;
  }

  /** Max timestamp of the segment's first batch, or -1 (used for `segment.ms`). */
  get firstTimestamp(): number {
    return this.timeValues.length > 0 ? this.timeValues.at(0) : -1;
  }

  /** Records an appended batch; adds entries once `intervalBytes` have passed since the last one. */
  onBatch(baseOffset: number, position: number, sizeBytes: number, maxTimestamp: number): void {
    this.changedSinceLoad = true;
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
    return n === 0 ? null : { offset: this.entryOffsets.at(n - 1), position: this.entryPositions.at(n - 1) };
  }

  /** Byte position of the last indexed batch starting at or before `offset` (0 if none). */
  positionFor(offset: number): number {
    const i = lastAtOrBelow(this.entryOffsets.values, offset, this.entryOffsets.length);
    return i < 0 ? 0 : this.entryPositions.at(i);
  }

  /**
   * Where to start scanning for the first batch whose max timestamp is >= `timestampMs`: just
   * after everything the time index proves is older.
   */
  scanStartForTimestamp(timestampMs: number): number {
    const i = lastBelow(this.timeValues.values, timestampMs, this.timeValues.length);
    return i < 0 ? 0 : this.positionFor(this.timeOffsets.at(i));
  }

  /**
   * Files for a closed segment (or an active one at a clean shutdown): the offset index and the
   * time index (with a final max entry).
   */
  serialize(): { offsetIndex: Buffer; timeIndex: Buffer } {
    const entries = this.entryOffsets.length;
    const offsetIndex = Buffer.alloc(entries * OFFSET_ENTRY_BYTES);
    const ov = new DataView(offsetIndex.buffer, offsetIndex.byteOffset, offsetIndex.length);
    for (let i = 0; i < entries; i++) {
      ov.setUint32(i * OFFSET_ENTRY_BYTES, this.entryOffsets.at(i) - this.baseOffset);
      ov.setUint32(i * OFFSET_ENTRY_BYTES + 4, this.entryPositions.at(i));
    }
    const times = this.timeValues.length;
    // The last entry carries the segment's max timestamp, so retention needs no scan after a restart.
    const lastTime = times > 0 ? this.timeValues.at(times - 1) : -Infinity;
    const lastTimeOffset = times > 0 ? this.timeOffsets.at(times - 1) : -Infinity;
    const extra = this.lastBatchBaseOffset >= 0 && (times === 0 || lastTime < this.maxTimestamp || lastTimeOffset < this.lastBatchBaseOffset) ? 1 : 0;
    const timeIndex = Buffer.alloc((times + extra) * TIME_ENTRY_BYTES);
    const tv = new DataView(timeIndex.buffer, timeIndex.byteOffset, timeIndex.length);
    const putTime = (i: number, ts: number, offset: number): void => {
      const hi = Math.floor(ts / TWO_POW_32);
      tv.setInt32(i * TIME_ENTRY_BYTES, hi);
      tv.setUint32(i * TIME_ENTRY_BYTES + 4, ts - hi * TWO_POW_32);
      tv.setUint32(i * TIME_ENTRY_BYTES + 8, offset - this.baseOffset);
    };
    for (let i = 0; i < times; i++) putTime(i, this.timeValues.at(i), this.timeOffsets.at(i));
    if (extra === 1) putTime(times, this.maxTimestamp, this.lastBatchBaseOffset);
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
    const entries = offsetIndex.length / OFFSET_ENTRY_BYTES;
    const ov = new DataView(offsetIndex.buffer, offsetIndex.byteOffset, offsetIndex.length);
    const offsets = index.entryOffsets.reserve(entries);
    const positions = index.entryPositions.reserve(entries);
    let previousOffset = -1;
    let previousPosition = -1;
    for (let i = 0; i < entries; i++) {
      const offset = baseOffset + ov.getUint32(i * OFFSET_ENTRY_BYTES);
      const position = ov.getUint32(i * OFFSET_ENTRY_BYTES + 4);
      if (i === 0 ? offset !== baseOffset || position !== 0 : offset <= previousOffset || position <= previousPosition) return null;
      if (position >= logFileBytes) return null;
      offsets[i] = previousOffset = offset;
      positions[i] = previousPosition = position;
    }
    const times = timeIndex.length / TIME_ENTRY_BYTES;
    const tv = new DataView(timeIndex.buffer, timeIndex.byteOffset, timeIndex.length);
    const values = index.timeValues.reserve(times);
    const timeOffsets = index.timeOffsets.reserve(times);
    let previousTime = -Infinity;
    let previousTimeOffset = -Infinity;
    for (let i = 0; i < times; i++) {
      const ts = tv.getInt32(i * TIME_ENTRY_BYTES) * TWO_POW_32 + tv.getUint32(i * TIME_ENTRY_BYTES + 4);
      const offset = baseOffset + tv.getUint32(i * TIME_ENTRY_BYTES + 8);
      if (ts < previousTime || offset < previousTimeOffset) return null;
      values[i] = previousTime = ts;
      timeOffsets[i] = previousTimeOffset = offset;
    }
    index.maxTimestamp = previousTime;
    index.lastBatchBaseOffset = previousTimeOffset;
    // Appends continue after the file (an active segment saved at a clean shutdown) one interval
    // after the last entry, as if the index had never left memory.
    index.bytesSinceEntry = logFileBytes - previousPosition;
    index.changedSinceLoad = false;
    return index;
  }
}

const TWO_POW_32 = 4294967296;

/** A growable column of numbers in a Float64Array (offsets and timestamps pass 2^32). */
class Column {
  values = new Float64Array(16);
  length = 0;

  at(i: number): number {
    return this.values[i]!;
  }

  push(v: number): void {
    if (this.length === this.values.length) this.grow(this.length * 2);
    this.values[this.length++] = v;
  }

  /** Makes the column `n` long (contents to be filled by the caller) and returns its storage. */
  reserve(n: number): Float64Array {
    if (n > this.values.length) this.grow(n);
    this.length = n;
    return this.values;
  }

  private grow(capacity: number): void {
    const next = new Float64Array(Math.max(16, capacity));
    next.set(this.values.subarray(0, this.length));
    this.values = next;
  }
}

/** Index of the last element <= value among the first `length` of an ascending array, or -1. */
export function lastAtOrBelow(sorted: ArrayLike<number>, value: number, length = sorted.length): number {
  let lo = 0;
  let hi = length - 1;
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

/** Index of the last element < value among the first `length` of an ascending array, or -1. */
export function lastBelow(sorted: ArrayLike<number>, value: number, length = sorted.length): number {
  let lo = 0;
  let hi = length - 1;
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
