import { BatchRuns, runFromAppend } from './batch-runs.js';
import type { AppendedBatch, SegmentRead } from './segment.js';

/** Default budget for recently appended batches across all partitions of a store. */
export const DEFAULT_TAIL_CACHE_BYTES = 64 * 1024 * 1024;

interface QueuedRun {
  cache: TailCache;
  bytes: number;
  /** The cache's generation when queued: a cleared cache ignores runs queued before. */
  generation: number;
}

/**
 * One memory budget shared by every partition's tail cache. Runs are evicted oldest first across
 * the whole store, so busy partitions keep more of their tail and idle ones give theirs up.
 */
export class TailCacheBudget {
  totalBytes = 0;
  private queue: QueuedRun[] = [];
  private head = 0;

  constructor(readonly limitBytes: number = DEFAULT_TAIL_CACHE_BYTES) {}

  /** A new, empty cache for one partition. */
  createCache(): TailCache {
    return new TailCache(this);
  }

  /** @internal Called by a cache after it stored a run. */
  added(cache: TailCache, bytes: number): void {
    this.totalBytes += bytes;
    this.queue.push({ cache, bytes, generation: cache.generation });
    while (this.totalBytes > this.limitBytes && this.head < this.queue.length) {
      const oldest = this.queue[this.head]!;
      this.queue[this.head] = undefined as unknown as QueuedRun;
      this.head++;
      if (oldest.generation === oldest.cache.generation) this.totalBytes -= oldest.cache.evictOldest();
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** @internal Called by a cache that dropped everything it held. */
  released(bytes: number): void {
    this.totalBytes -= bytes;
  }
}

/**
 * The newest batches of one partition, in memory: always a contiguous run ending at the log end,
 * so a read at or after `firstOffset` is served without touching the file.
 */
export class TailCache {
  private readonly runs = new BatchRuns();
  generation = 0;

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
    const run = runFromAppend(data, batches);
    this.runs.push(run);
    this.budget.added(this, run.data.length);
  }

  read(fetchOffset: number, maxBytes: number): SegmentRead {
    return this.runs.read(fetchOffset, maxBytes, true);
  }

  /** @internal Drops the oldest run, returning its size. */
  evictOldest(): number {
    return this.runs.shift();
  }

  clear(): void {
    this.budget.released(this.runs.bytes);
    this.runs.clear();
    this.generation++;
  }
}
