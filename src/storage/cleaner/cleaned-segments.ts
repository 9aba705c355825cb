import { MemorySegment } from '../memory-segment.js';
import type { Segment } from '../segment.js';

/**
 * Points of a cleaning pass where a crash leaves a distinct state on disk. Tests stop the
 * process at each of them (`LogCleanerOptions.onStep`) to prove that recovery keeps every key's
 * latest value.
 */
export type CleanerStep =
  /** The offset map of the dirty section is built; nothing is written yet. */
  | 'offset-map-built'
  /** A group's cleaned copy is written and synced next to the segments it replaces. */
  | 'cleaned-segment-written'
  /** The swap record is durable: from here on, recovery completes the swap. */
  | 'swap-committed'
  /** Files are renamed and removed; the swap record is still there. */
  | 'swap-renamed'
  /** The log reads the cleaned segment. */
  | 'segments-replaced'
  /** The pass is done and its end offset checkpointed. */
  | 'checkpointed';

export type StepHook = (step: CleanerStep) => void | Promise<void>;

/** Where one log's cleaned segments are written, and the cleaner's checkpoint for that log. */
export interface CleanedSegmentStore {
  /** Starts the cleaned copy of a group of segments whose first one starts at `baseOffset`. */
  create(baseOffset: number): Promise<CleanedSegmentWriter>;
  /** The first dirty offset recorded by the last pass, or null. */
  readCheckpoint(): Promise<number | null>;
  writeCheckpoint(offset: number): Promise<void>;
}

export interface CleanedSegmentWriter {
  /** Adds a batch (offsets already final) after those appended before. */
  append(batch: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number): Promise<void>;
  readonly bytesWritten: number;
  /** Syncs the copy and returns it as a segment covering offsets up to `nextOffset` (exclusive). */
  finish(nextOffset: number, lastModifiedMs: number): Promise<Segment>;
  /**
   * Makes the swap durable: once the swap record is written, the replaced segments are gone for
   * good, at once or at the next start. Throws only before that point.
   */
  install(replaced: readonly Segment[], onStep?: StepHook): Promise<void>;
  /** Removes the copy unless it was installed. */
  abandon(): Promise<void>;
}

/** The memory store's cleaned segments: a MemorySegment, nothing to make durable. */
export class MemoryCleanedSegments implements CleanedSegmentStore {
  private checkpoint: number | null = null;

  constructor(private readonly nowMs: () => number) {}

  async create(baseOffset: number): Promise<CleanedSegmentWriter> {
    const segment = new MemorySegment(baseOffset, this.nowMs());
    let bytesWritten = 0;
    return {
      get bytesWritten() {
        return bytesWritten;
      },
      async append(batch, base, lastOffset, maxTimestamp) {
        segment.append(batch, [{ position: 0, size: batch.length, baseOffset: base, lastOffset, maxTimestamp }], segment.lastModifiedMs);
        bytesWritten += batch.length;
      },
      async finish(nextOffset, lastModifiedMs) {
        segment.nextOffset = nextOffset;
        segment.lastModifiedMs = lastModifiedMs;
        return segment;
      },
      async install() {},
      async abandon() {},
    };
  }

  async readCheckpoint(): Promise<number | null> {
    return this.checkpoint;
  }

  async writeCheckpoint(offset: number): Promise<void> {
    this.checkpoint = offset;
  }
}
