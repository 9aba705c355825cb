import { openSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BATCH } from '../protocol/record-batch-header.js';
import { storedHeaderAt, type StoredBatchHeader } from './batches.js';
import { closeAsync, fdatasyncAsync, readAt, syncDir, writeAllSync, writeFileAtomicSync } from './file-io.js';
import { segmentFileStem } from './names.js';
import { SegmentIndex } from './segment-index.js';
import type { AppendedBatch, Segment, SegmentRead } from './segment.js';

export const LOG_EXTENSION = '.log';
export const OFFSET_INDEX_EXTENSION = '.index';
export const TIME_INDEX_EXTENSION = '.timeindex';

/** Smallest read issued while scanning headers, so short scans still cost one syscall. */
const MIN_WINDOW_BYTES = 16 * 1024;

export function segmentPaths(dir: string, baseOffset: number): { log: string; offsetIndex: string; timeIndex: string } {
  const stem = join(dir, segmentFileStem(baseOffset));
  return { log: stem + LOG_EXTENSION, offsetIndex: stem + OFFSET_INDEX_EXTENSION, timeIndex: stem + TIME_INDEX_EXTENSION };
}

export interface FileSegmentInit {
  dir: string;
  baseOffset: number;
  fd: number;
  sizeBytes: number;
  nextOffset: number;
  index: SegmentIndex;
  sealed: boolean;
  lastModifiedMs: number;
  /** True for a file just created (its directory is fsynced with its first sync). */
  created?: boolean;
  /**
   * True when the bytes found on disk may not be on stable storage yet (recovered after a crash):
   * the next sync fdatasyncs them, so the recovery point can move past them.
   */
  unsynced?: boolean;
}

/**
 * A segment file `<baseOffset>.log` with its in-memory sparse indexes. Appends are synchronous
 * positional writes (in the page cache when `append` returns, so they survive our process dying);
 * reads are asynchronous and count themselves so a deleted segment's descriptor is closed only
 * once no read still uses it.
 */
export class FileSegment implements Segment {
  readonly baseOffset: number;
  sizeBytes: number;
  nextOffset: number;
  lastModifiedMs: number;
  private readonly dir: string;
  private readonly index: SegmentIndex;
  private fd: number;
  private sealed: boolean;
  private syncedBytes: number;
  /** A new file's directory entry must reach the disk too before its data counts as durable. */
  private dirNeedsSync: boolean;
  private pendingOps = 0;
  private released = false;
  private whenIdle: (() => void) | null = null;

  constructor(init: FileSegmentInit) {
    this.dir = init.dir;
    this.baseOffset = init.baseOffset;
    this.fd = init.fd;
    this.sizeBytes = init.sizeBytes;
    this.nextOffset = init.nextOffset;
    this.index = init.index;
    this.sealed = init.sealed;
    this.lastModifiedMs = init.lastModifiedMs;
    this.syncedBytes = init.unsynced === true ? 0 : init.sizeBytes;
    this.dirNeedsSync = init.created ?? false;
  }

  /** Creates the empty active segment file at `baseOffset`. */
  static create(dir: string, baseOffset: number, indexIntervalBytes: number, nowMs: number): FileSegment {
    const fd = openSync(segmentPaths(dir, baseOffset).log, 'wx+');
    return new FileSegment({ dir, baseOffset, fd, sizeBytes: 0, nextOffset: baseOffset, index: new SegmentIndex(baseOffset, indexIntervalBytes), sealed: false, lastModifiedMs: nowMs, created: true });
  }

  get maxTimestamp(): number {
    return this.index.maxTimestamp;
  }

  get firstTimestamp(): number {
    return this.index.firstTimestamp;
  }

  get needsSync(): boolean {
    return !this.released && this.sizeBytes > this.syncedBytes;
  }

  append(data: Buffer, batches: readonly AppendedBatch[], nowMs: number): void {
    if (this.sealed || this.released) throw new Error(`segment ${this.baseOffset} is closed for appends`);
    const first = batches[0]!;
    const last = batches[batches.length - 1]!;
    const end = last.position + last.size;
    writeAllSync(this.fd, data, first.position, end, this.sizeBytes);
    for (const b of batches) this.index.onBatch(b.baseOffset, this.sizeBytes + (b.position - first.position), b.size, b.maxTimestamp);
    this.sizeBytes += end - first.position;
    this.nextOffset = last.lastOffset + 1;
    this.lastModifiedMs = nowMs;
  }

  async read(fetchOffset: number, maxBytes: number, atLeastOne: boolean): Promise<SegmentRead | null> {
    if (!this.begin()) return null;
    try {
      const end = this.sizeBytes;
      const cursor = new HeaderCursor(this.fd, end, Math.max(0, maxBytes) + 2 * this.index.intervalBytes + BATCH.HEADER_BYTES);
      let pos = this.index.positionFor(fetchOffset);
      for (;;) {
        if (pos >= end) return { chunks: [], bytes: 0, full: false };
        const header = await cursor.headerAt(pos);
        if (header.lastOffset >= fetchOffset) break;
        pos += header.size;
      }
      const start = pos;
      let full = false;
      while (pos < end) {
        const size = (await cursor.headerAt(pos)).size;
        if (pos - start + size > maxBytes && !(atLeastOne && pos === start)) {
          full = true;
          break;
        }
        pos += size;
      }
      const chunk = await cursor.bytes(start, pos);
      return { chunks: chunk.length > 0 ? [chunk] : [], bytes: chunk.length, full };
    } finally {
      this.end();
    }
  }

  async findTimestamp(timestampMs: number, minOffset: number): Promise<StoredBatchHeader | null> {
    if (!this.begin()) return null;
    try {
      const end = this.sizeBytes;
      const cursor = new HeaderCursor(this.fd, end, 4 * this.index.intervalBytes);
      let pos = Math.max(this.index.scanStartForTimestamp(timestampMs), this.index.positionFor(minOffset));
      while (pos < end) {
        const header = await cursor.headerAt(pos);
        if (header.lastOffset >= minOffset && header.maxTimestamp >= timestampMs) return header;
        pos += header.size;
      }
      return null;
    } finally {
      this.end();
    }
  }

  /** Persists the indexes next to the closed segment, so a restart need not scan it. */
  seal(): void {
    if (this.sealed) return;
    this.sealed = true;
    this.writeIndexFiles();
  }

  async sync(): Promise<boolean> {
    if (!this.needsSync || !this.begin()) return false;
    try {
      const target = this.sizeBytes;
      await fdatasyncAsync(this.fd);
      if (this.dirNeedsSync) {
        await syncDir(this.dir);
        this.dirNeedsSync = false;
      }
      if (target > this.syncedBytes) this.syncedBytes = target;
      return true;
    } finally {
      this.end();
    }
  }

  /**
   * Closes the file. A clean close also saves the active segment's index, so the next start need
   * not scan it (the store marks the shutdown clean once every log closed this way).
   */
  async close(): Promise<void> {
    // Unchanged since it was loaded from its files: they are already right (a quick stop after a quick start).
    if (!this.sealed && !this.released && this.sizeBytes > 0 && this.index.changedSinceLoad) this.writeIndexFiles();
    await this.release();
  }

  private writeIndexFiles(): void {
    const paths = segmentPaths(this.dir, this.baseOffset);
    const { offsetIndex, timeIndex } = this.index.serialize();
    writeFileAtomicSync(paths.offsetIndex, offsetIndex);
    writeFileAtomicSync(paths.timeIndex, timeIndex);
  }

  async destroy(): Promise<void> {
    await this.release();
    const paths = segmentPaths(this.dir, this.baseOffset);
    await Promise.all([paths.log, paths.offsetIndex, paths.timeIndex].map((p) => rm(p, { force: true })));
  }

  private begin(): boolean {
    if (this.released) return false;
    this.pendingOps++;
    return true;
  }

  private end(): void {
    this.pendingOps--;
    if (this.pendingOps === 0 && this.whenIdle !== null) this.whenIdle();
  }

  /** Stops new operations and closes the descriptor once running ones finish. */
  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.pendingOps > 0) await new Promise<void>((resolve) => (this.whenIdle = resolve));
    const fd = this.fd;
    this.fd = -1;
    await closeAsync(fd);
  }
}

/**
 * Reads batch headers from a segment through a window buffer, so a scan of nearby headers and the
 * bytes that follow usually costs a single read.
 */
class HeaderCursor {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly fd: number,
    private readonly end: number,
    private readonly windowBytes: number,
  ) {}

  async headerAt(pos: number): Promise<StoredBatchHeader> {
    if (pos < this.windowStart || pos + BATCH.HEADER_BYTES > this.windowStart + this.window.length) {
      const length = Math.min(this.end - pos, Math.max(this.windowBytes, MIN_WINDOW_BYTES));
      if (length < BATCH.HEADER_BYTES) throw new Error(`segment ends inside a batch header at ${pos}`);
      this.window = await readAt(this.fd, pos, length);
      this.windowStart = pos;
    }
    return storedHeaderAt(this.window, pos - this.windowStart);
  }

  async bytes(start: number, end: number): Promise<Buffer> {
    if (start >= this.windowStart && end <= this.windowStart + this.window.length) {
      return this.window.subarray(start - this.windowStart, end - this.windowStart);
    }
    return readAt(this.fd, start, end - start);
  }
}
