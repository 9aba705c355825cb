import type { StoredBatchHeader } from './batches.js';
import { BatchRuns, runFromAppend } from './batch-runs.js';
import type { AppendedBatch, Segment, SegmentRead } from './segment.js';

/** A segment held entirely in memory (`dataDir: null`): same offsets, rolls and retention as files. */
export class MemorySegment implements Segment {
  private readonly runs = new BatchRuns();
  nextOffset: number;
  maxTimestamp = -1;
  firstTimestamp = -1;
  lastModifiedMs: number;
  readonly needsSync = false;
  private destroyed = false;

  constructor(
    readonly baseOffset: number,
    createdMs: number,
  ) {
    this.nextOffset = baseOffset;
    this.lastModifiedMs = createdMs;
  }

  get sizeBytes(): number {
    return this.runs.bytes;
  }

  append(data: Buffer, batches: readonly AppendedBatch[], nowMs: number): void {
    if (this.runs.isEmpty) this.firstTimestamp = batches[0]!.maxTimestamp;
    // Held until retention: a view that would pin a buffer four times its size is copied out.
    this.runs.push(runFromAppend(data, batches, 0.25));
    for (const b of batches) if (b.maxTimestamp > this.maxTimestamp) this.maxTimestamp = b.maxTimestamp;
    this.nextOffset = batches[batches.length - 1]!.lastOffset + 1;
    this.lastModifiedMs = nowMs;
  }

  async read(fetchOffset: number, maxBytes: number, atLeastOne: boolean): Promise<SegmentRead | null> {
    if (this.destroyed) return null;
    return this.runs.read(fetchOffset, maxBytes, atLeastOne);
  }

  async findTimestamp(timestampMs: number, minOffset: number): Promise<StoredBatchHeader | null> {
    return this.runs.findTimestamp(timestampMs, minOffset);
  }

  seal(): void {}

  async sync(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {}

  async destroy(): Promise<void> {
    this.destroyed = true;
    this.runs.clear();
  }
}
