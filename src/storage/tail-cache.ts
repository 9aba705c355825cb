import { BatchRuns, runFromAppend } from './batch-runs.js';
import type { AppendedBatch, SegmentRead } from './segment.js';
import type { BufferRecycler } from '../common/buffer-recycler.js';

/** A read of the cache: its chunks stay valid until `release` (when the cache recycles buffers). */
export interface TailRead extends SegmentRead {
  release?: () => void;
}

/** Default budget for recently appended batches across all partitions of a store. */
export const DEFAULT_TAIL_CACHE_BYTES = 64 * 1024 * 1024;

interface QueuedRun {
  cache: TailCache;
  /** The cache's generation when queued: a cleared cache ignores runs queued before. */
  generation: number;
}

/**
 * One memory budget shared by every partition's tail cache. Runs are evicted oldest first across
 * the whole store, so busy partitions keep more of their tail and idle ones give theirs up.
 *
 * Cached runs may be views into request frames (no copy on append), so the budget counts the
 * memory they pin: each underlying buffer once, for its whole size, as long as any run uses it.
 */
export class TailCacheBudget {
  totalBytes = 0;
  private queue: QueuedRun[] = [];
  private head = 0;
  private readonly pins = new Map<ArrayBufferLike, number>();

  /**
   * @param recycler when frames come from recycled buffers: the cache holds each buffer it keeps a
   *   view of, and gives every read its own hold until the reader releases it.
   */
  constructor(
    readonly limitBytes: number = DEFAULT_TAIL_CACHE_BYTES,
    readonly recycler: BufferRecycler | null = null,
  ) {}

  /** A new, empty cache for one partition. */
  createCache(): TailCache {
    return new TailCache(this);
  }

  /** @internal Called by a cache after it stored a run. */
  added(cache: TailCache, data: Buffer): void {
    this.pin(data);
    this.queue.push({ cache, generation: cache.generation });
    while (this.totalBytes > this.limitBytes && this.head < this.queue.length) {
      const oldest = this.queue[this.head]!;
      this.queue[this.head] = undefined as unknown as QueuedRun;
      this.head++;
      if (oldest.generation === oldest.cache.generation) oldest.cache.evictOldest();
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** @internal Counts the buffer behind `data` (once, however many runs share it). */
  pin(data: Buffer): void {
    const n = this.pins.get(data.buffer) ?? 0;
    if (n === 0) {
      this.totalBytes += data.buffer.byteLength;
      this.recycler?.retain(data);
    }
    this.pins.set(data.buffer, n + 1);
  }

  /** @internal A run no longer holds `data`: its buffer stops counting when nothing else does. */
  unpin(data: Buffer): void {
    const n = this.pins.get(data.buffer) ?? 0;
    if (n <= 1) {
      if (n === 1) {
        this.totalBytes -= data.buffer.byteLength;
        this.recycler?.release(data);
      }
      this.pins.delete(data.buffer);
    } else {
      this.pins.set(data.buffer, n - 1);
    }
  }
}

/**
 * The newest batches of one partition, in memory: always a contiguous run ending at the log end,
 * so a read at or after `firstOffset` is served without touching the file.
 */
export class TailCache {
  private readonly runs = new BatchRuns();
  generation = 0;
  /** Runs dropped by `evictBelow` whose entries are still queued in the budget, oldest first. */
  private droppedEarly = 0;

  constructor(private readonly budget: TailCacheBudget) {}

  /** Base offset of the oldest cached batch, Infinity when nothing is cached. */
  get firstOffset(): number {
    return this.runs.firstOffset;
  }

  get bytes(): number {
    return this.runs.bytes;
  }

  add(data: Buffer, batches: readonly AppendedBatch[]): void {
    if (this.budget.limitBytes <= 0) return;
    // Always a view: the budget counts the buffers it pins, so memory stays bounded exactly.
    const run = runFromAppend(data, batches, 0);
    this.runs.push(run);
    this.budget.added(this, run.data);
  }

  read(fetchOffset: number, maxBytes: number): TailRead {
    const read = this.runs.read(fetchOffset, maxBytes, true);
    const recycler = this.budget.recycler;
    if (recycler === null || read.chunks.length === 0) return read;
    // Taken while the cache still holds them, so eviction cannot recycle them under the reader.
    for (const chunk of read.chunks) recycler.retain(chunk);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      for (const chunk of read.chunks) recycler.release(chunk);
    };
    return { ...read, release };
  }

  /** @internal Drops the oldest run (unless `evictBelow` already dropped the run this call stands for). */
  evictOldest(): void {
    if (this.droppedEarly > 0) {
      this.droppedEarly--;
      return;
    }
    const run = this.runs.shift();
    if (run !== null) this.budget.unpin(run.data);
  }

  /** Drops every run starting below `offset`: the log cleaner replaced the segments they came from. */
  evictBelow(offset: number): void {
    while (this.runs.firstOffset < offset) {
      this.budget.unpin(this.runs.shift()!.data);
      this.droppedEarly++;
    }
  }

  clear(): void {
    for (const run of this.runs.held()) this.budget.unpin(run.data);
    this.runs.clear();
    this.droppedEarly = 0;
    this.generation++;
  }
}
