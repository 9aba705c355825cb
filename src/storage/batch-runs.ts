import type { StoredBatchHeader } from './batches.js';
import type { AppendedBatch, SegmentRead } from './segment.js';

/** One append's bytes held in memory, with where each batch starts. */
export interface BatchRun {
  data: Buffer;
  baseOffsets: number[];
  lastOffsets: number[];
  positions: number[];
  maxTimestamps: number[];
}

/**
 * `data` is usually a view into a request frame, which nothing writes to once it is appended.
 * Keeping the view saves copying every appended byte (a fifth of the broker's CPU when producing
 * 1 KiB records). The cost is pinning the whole buffer behind it (a socket read, a frame holding
 * other partitions' batches): callers that bound memory count whole buffers (TailCacheBudget),
 * or ask for a copy of any view that is less than `keepViewMinShare` of its buffer.
 */
export function runFromAppend(data: Buffer, batches: readonly AppendedBatch[], keepViewMinShare: number): BatchRun {
  const first = batches[0]!;
  const last = batches[batches.length - 1]!;
  const view = data.subarray(first.position, last.position + last.size);
  const kept = view.length >= view.buffer.byteLength * keepViewMinShare ? view : Buffer.from(view);
  return {
    data: kept,
    baseOffsets: batches.map((b) => b.baseOffset),
    lastOffsets: batches.map((b) => b.lastOffset),
    positions: batches.map((b) => b.position - first.position),
    maxTimestamps: batches.map((b) => b.maxTimestamp),
  };
}

/**
 * Consecutive runs of batches kept in memory, oldest first: the memory store's segments and the
 * file store's tail cache. Reads return subarrays of the stored buffers (no copy).
 */
export class BatchRuns {
  private runs: BatchRun[] = [];
  private head = 0;
  bytes = 0;

  get isEmpty(): boolean {
    return this.head >= this.runs.length;
  }

  /** Base offset of the oldest batch held, or Infinity when empty. */
  get firstOffset(): number {
    return this.isEmpty ? Infinity : this.runs[this.head]!.baseOffsets[0]!;
  }

  push(run: BatchRun): void {
    this.runs.push(run);
    this.bytes += run.data.length;
  }

  /** Drops the oldest run and returns it (null when empty). */
  shift(): BatchRun | null {
    if (this.isEmpty) return null;
    const run = this.runs[this.head]!;
    this.runs[this.head] = undefined as unknown as BatchRun;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.runs.length) {
      this.runs = this.runs.slice(this.head);
      this.head = 0;
    }
    this.bytes -= run.data.length;
    return run;
  }

  /** Every run held, oldest first. */
  *held(): IterableIterator<BatchRun> {
    for (let r = this.head; r < this.runs.length; r++) yield this.runs[r]!;
  }

  clear(): void {
    this.runs = [];
    this.head = 0;
    this.bytes = 0;
  }

  read(fetchOffset: number, maxBytes: number, atLeastOne: boolean): SegmentRead {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let full = false;
    let r = this.runContaining(fetchOffset);
    for (let first = true; r < this.runs.length && !full; r++, first = false) {
      const run = this.runs[r]!;
      let b = first ? batchContaining(run, fetchOffset) : 0;
      // In a gap left by compaction the batch found ends before the offset asked for: skip it.
      while (first && b < run.lastOffsets.length && run.lastOffsets[b]! < fetchOffset) b++;
      if (b === run.positions.length) continue;
      const start = run.positions[b]!;
      let end = start;
      for (; b < run.positions.length; b++) {
        const size = (b + 1 < run.positions.length ? run.positions[b + 1]! : run.data.length) - run.positions[b]!;
        const takeAnyway = atLeastOne && bytes === 0 && end === start;
        if (bytes + (end - start) + size > maxBytes && !takeAnyway) {
          full = true;
          break;
        }
        end += size;
      }
      if (end > start) {
        chunks.push(run.data.subarray(start, end));
        bytes += end - start;
      }
    }
    return { chunks, bytes, full };
  }

  /** First batch ending at or after `minOffset` with max timestamp >= `timestampMs`. */
  findTimestamp(timestampMs: number, minOffset: number): StoredBatchHeader | null {
    for (let r = Math.max(this.head, this.runContaining(minOffset)); r < this.runs.length; r++) {
      const run = this.runs[r]!;
      for (let b = 0; b < run.baseOffsets.length; b++) {
        if (run.lastOffsets[b]! < minOffset || run.maxTimestamps[b]! < timestampMs) continue;
        const size = (b + 1 < run.positions.length ? run.positions[b + 1]! : run.data.length) - run.positions[b]!;
        return { baseOffset: run.baseOffsets[b]!, lastOffset: run.lastOffsets[b]!, maxTimestamp: run.maxTimestamps[b]!, size };
      }
    }
    return null;
  }

  /** Index of the last run whose first batch starts at or before `offset` (the first run if none). */
  private runContaining(offset: number): number {
    let lo = this.head;
    let hi = this.runs.length - 1;
    let found = this.head;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.runs[mid]!.baseOffsets[0]! <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}

function batchContaining(run: BatchRun, offset: number): number {
  let lo = 0;
  let hi = run.baseOffsets.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (run.baseOffsets[mid]! <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
