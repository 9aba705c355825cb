import { setBaseOffset } from '../protocol/record-batch-header.js';
import { splitBatches } from './batches.js';
import type { LogConfig } from './log-config.js';
import { ProducerStateManager } from './producer-state.js';
import type { AppendedBatch, Segment } from './segment.js';
import type { TailCache } from './tail-cache.js';
import { OffsetOutOfRangeError, type AppendResult, type PartitionLog, type ReadResult, type SegmentSummary, type TimestampLookup } from './types.js';
import type { CleanedSegmentStore } from './cleaner/cleaned-segments.js';

/** Index files store offsets relative to the segment base in 32 bits, as Kafka's do. */
const MAX_RELATIVE_OFFSET = 0xffff_fffe;
/** DeleteRecords' "up to the high watermark" (Kafka's `DeleteRecordsRequest.HIGH_WATERMARK`). */
export const DELETE_TO_HIGH_WATERMARK = -1;

/** Persists what the log derives from its batches (producer state snapshots, the aborted-transaction index). */
export interface PartitionLogObserver {
  /** A segment was rolled; `offset` is the new active segment's base (nothing below it will change). */
  onRolled(offset: number): void;
  /** The log start moved forward (retention, DeleteRecords). */
  onLogStartMoved(offset: number): void;
  /** The log is closing cleanly at `logEndOffset`. */
  close(logEndOffset: number): Promise<void>;
  /** The log's data is being removed. */
  destroy(): void;
}

/** What differs between the memory and file logs: how segments are made and state is persisted. */
export interface LogBackend {
  createSegment(baseOffset: number, nowMs: number): Segment;
  /** Persists a log start offset that lies past the first segment's base (DeleteRecords). */
  persistLogStartOffset(offset: number): Promise<void>;
  /** Where the log cleaner writes compacted copies of closed segments and keeps its checkpoint. */
  cleaned: CleanedSegmentStore;
}

export interface PartitionLogInit {
  topic: string;
  partition: number;
  /** Oldest first; the last is the active segment. At least one. */
  segments: Segment[];
  logStartOffset: number;
  backend: LogBackend;
  /** Read on every use, so topic config changes apply at once. */
  config: () => LogConfig;
  /** Recently appended batches, for tail reads without a syscall (file logs). */
  tail: TailCache | null;
  nowMs: number;
  /** Offset below which everything is on stable storage (default: the log end, all synced). */
  recoveryPoint?: number;
}

/**
 * A partition log made of segments, shared by the memory and file stores so both behave the same:
 * offset assignment by rewriting baseOffset, rolls, reads of whole batches (KIP-74), retention,
 * DeleteRecords, timestamp lookups and group commit.
 */
export class SegmentedPartitionLog implements PartitionLog {
  readonly topic: string;
  readonly partition: number;
  /** fdatasyncs issued, for tests of group commit. */
  fdatasyncCount = 0;
  /** Producer ids, sequences, open and aborted transactions, fed by every batch appended. */
  readonly producers = new ProducerStateManager();
  private observer: PartitionLogObserver | null = null;
  private segments: Segment[];
  private startOffset: number;
  private readonly backend: LogBackend;
  private readonly config: () => LogConfig;
  private readonly tail: TailCache | null;
  private readonly listeners = new Set<() => void>();
  /** When the active segment got its first batch (or the first batch's timestamp): the `segment.ms` base. */
  private activeSinceMs: number | null;
  /** The `nowMs` of the latest append: the creation time given to a segment rolled on demand. */
  private lastAppendMs: number;
  /**
   * Everything below this offset is on stable storage (Kafka's recovery point): it moves only
   * after an fdatasync, to the log end the sync started from. The store checkpoints it, and a
   * start-up after a crash treats a bad batch below it as damage, never as a torn write.
   */
  private durableOffset: number;
  /** Serialises changes to the list of closed segments (retention, DeleteRecords, the cleaner's swaps). */
  private segmentsLock: Promise<unknown> = Promise.resolve();
  /** Bumped whenever closed segments are replaced, so a read that raced a swap starts again. */
  private segmentsGeneration = 0;
  private syncRunning: Promise<void> | null = null;
  private syncWaiters: Deferred | null = null;
  private closed = false;

  constructor(init: PartitionLogInit) {
    if (init.segments.length === 0) throw new Error('a partition log needs at least one segment');
    this.topic = init.topic;
    this.partition = init.partition;
    this.segments = init.segments;
    this.backend = init.backend;
    this.config = init.config;
    this.tail = init.tail;
    this.startOffset = Math.min(Math.max(init.logStartOffset, this.segments[0]!.baseOffset), this.logEndOffset);
    this.lastAppendMs = init.nowMs;
    const active = this.active;
    this.activeSinceMs = active.sizeBytes === 0 ? null : active.firstTimestamp >= 0 ? active.firstTimestamp : init.nowMs;
    this.durableOffset = Math.min(init.recoveryPoint ?? this.logEndOffset, this.logEndOffset);
  }

  get recoveryPoint(): number {
    return this.durableOffset;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  get sizeBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.sizeBytes;
    return total;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /** Attaches the persistence of producer state (the file store, once it has loaded that state). */
  setObserver(observer: PartitionLogObserver): void {
    this.observer = observer;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  append(batches: Buffer, nowMs: number): AppendResult {
    if (this.closed) throw new Error(`log ${this.topic}-${this.partition} is closed`);
    const spans = splitBatches(batches);
    const config = this.config();
    this.lastAppendMs = nowMs;
    const baseOffset = this.logEndOffset;
    let next = baseOffset;
    const appended: AppendedBatch[] = spans.map((s) => {
      setBaseOffset(batches, s.position, next);
      const batch = { position: s.position, size: s.size, baseOffset: next, lastOffset: next + s.lastOffsetDelta, maxTimestamp: s.maxTimestamp };
      next = batch.lastOffset + 1;
      return batch;
    });
    let group: AppendedBatch[] = [];
    let groupBytes = 0;
    for (const batch of appended) {
      if (this.shouldRoll(batch, groupBytes, config, nowMs)) {
        this.writeGroup(batches, group, nowMs);
        group = [];
        groupBytes = 0;
        this.roll();
      }
      group.push(batch);
      groupBytes += batch.size;
    }
    this.writeGroup(batches, group, nowMs);
    this.notifyAppended();
    return { baseOffset, lastOffset: next - 1, logEndOffset: next };
  }

  /** Kafka rolls before a batch that would overflow the segment, or once `segment.ms` has passed. */
  private shouldRoll(batch: AppendedBatch, pendingBytes: number, config: LogConfig, nowMs: number): boolean {
    const active = this.active;
    const activeBytes = active.sizeBytes + pendingBytes;
    if (activeBytes === 0) return false;
    if (activeBytes + batch.size > config.segmentBytes) return true;
    if (batch.lastOffset - active.baseOffset > MAX_RELATIVE_OFFSET) return true;
    return this.activeSinceMs !== null && nowMs - this.activeSinceMs >= config.segmentMs;
  }

  private writeGroup(data: Buffer, group: AppendedBatch[], nowMs: number): void {
    if (group.length === 0) return;
    this.active.append(data, group, nowMs);
    // Before any roll that follows, so a snapshot at the new segment's base covers these batches.
    for (const b of group) this.producers.onBatchAppended(data, b.position, b.size, b.baseOffset, b.lastOffset, b.maxTimestamp);
    this.tail?.add(data, group);
    this.activeSinceMs ??= nowMs;
  }

  roll(): void {
    const active = this.active;
    if (active.sizeBytes === 0) return;
    active.seal();
    this.segments.push(this.backend.createSegment(active.nextOffset, this.lastAppendMs));
    this.activeSinceMs = null;
    this.observer?.onRolled(active.nextOffset);
  }

  private notifyAppended(): void {
    if (this.listeners.size === 0) return;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener();
  }

  onceAppended(listener: () => void): () => void {
    // A wrapper makes each registration distinct, so the same function can wait twice.
    const entry = () => listener();
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  async read(fetchOffset: number, maxBytes: number): Promise<ReadResult> {
    for (;;) {
      const generation = this.segmentsGeneration;
      const result = await this.readOnce(fetchOffset, maxBytes);
      // A segment replaced by the cleaner while we read it answers null: read the new one instead.
      if (result !== null || generation === this.segmentsGeneration) return result ?? this.result([], 0);
    }
  }

  /** Null when a segment went away under the read and nothing was read yet. */
  private async readOnce(fetchOffset: number, maxBytes: number): Promise<ReadResult | null> {
    this.checkInRange(fetchOffset);
    const chunks: Buffer[] = [];
    let bytes = 0;
    if (fetchOffset < this.logEndOffset) {
      if (this.tail !== null && fetchOffset >= this.tail.firstOffset) {
        const r = this.tail.read(fetchOffset, maxBytes);
        const result = this.result(r.chunks, r.bytes);
        if (r.release !== undefined) result.release = r.release;
        return result;
      }
      const segments = this.segments.slice(this.segmentIndexFor(fetchOffset));
      for (const segment of segments) {
        if (segment.nextOffset <= fetchOffset) continue;
        const r = await segment.read(Math.max(fetchOffset, segment.baseOffset), maxBytes - bytes, chunks.length === 0);
        if (r === null) {
          if (chunks.length > 0) break;
          // The cleaner replaced the segment: the caller reads again. Retention removed it: the
          // client resets like Kafka's would.
          this.checkInRange(fetchOffset);
          return null;
        }
        chunks.push(...r.chunks);
        bytes += r.bytes;
        if (r.full || bytes >= maxBytes) break;
      }
    }
    return this.result(chunks, bytes);
  }

  private result(chunks: Buffer[], bytes: number): ReadResult {
    return { chunks, bytes, logStartOffset: this.logStartOffset, logEndOffset: this.logEndOffset };
  }

  private checkInRange(offset: number): void {
    if (offset < this.logStartOffset || offset > this.logEndOffset) {
      throw new OffsetOutOfRangeError(offset, this.logStartOffset, this.logEndOffset);
    }
  }

  /** Index of the last segment whose base offset is <= `offset`. */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * ListOffsets by timestamp at batch granularity: the first batch at or after the log start whose
   * max timestamp reaches `timestampMs` (records are never decoded, so this is the batch's offset).
   */
  async offsetForTimestamp(timestampMs: number): Promise<TimestampLookup | null> {
    return this.withStableSegments(() => this.offsetForTimestampOnce(timestampMs));
  }

  /** Runs a lookup over the segments again if the cleaner replaced some while it ran. */
  private async withStableSegments<T>(lookup: () => Promise<T>): Promise<T> {
    for (;;) {
      const generation = this.segmentsGeneration;
      const result = await lookup();
      if (generation === this.segmentsGeneration) return result;
    }
  }

  private async offsetForTimestampOnce(timestampMs: number): Promise<TimestampLookup | null> {
    for (const segment of this.segments.slice()) {
      if (segment.sizeBytes === 0 || segment.nextOffset <= this.startOffset || segment.maxTimestamp < timestampMs) continue;
      const found = await segment.findTimestamp(timestampMs, this.startOffset);
      if (found !== null) return { offset: Math.max(found.baseOffset, this.startOffset), timestamp: found.maxTimestamp };
    }
    return null;
  }

  /** ListOffsets -3: the batch carrying the largest timestamp, reported at its last offset. */
  maxTimestamp(): Promise<TimestampLookup | null> {
    return this.withStableSegments(() => this.maxTimestampOnce());
  }

  private async maxTimestampOnce(): Promise<TimestampLookup | null> {
    let best: Segment | null = null;
    for (const segment of this.segments) {
      if (segment.sizeBytes === 0 || segment.nextOffset <= this.startOffset) continue;
      if (best === null || segment.maxTimestamp > best.maxTimestamp) best = segment;
    }
    if (best === null) return null;
    const found = await best.findTimestamp(best.maxTimestamp, this.startOffset);
    if (found === null) return null;
    return { offset: Math.max(found.lastOffset, this.startOffset), timestamp: found.maxTimestamp };
  }

  segmentSummaries(): SegmentSummary[] {
    return this.segments.map((s) => ({ baseOffset: s.baseOffset, sizeBytes: s.sizeBytes, lastModifiedMs: s.lastModifiedMs }));
  }

  async deleteRecordsBefore(offset: number): Promise<number> {
    const target = offset === DELETE_TO_HIGH_WATERMARK ? this.logEndOffset : offset;
    if (target < 0 || target > this.logEndOffset) throw new OffsetOutOfRangeError(offset, this.logStartOffset, this.logEndOffset);
    if (target <= this.startOffset) return this.startOffset;
    this.startOffset = target;
    this.logStartMoved();
    // Persist first: after a crash the start offset must not fall back below what was acknowledged.
    await this.backend.persistLogStartOffset(target);
    await this.withSegmentsLock(() => {
      let count = 0;
      while (count < this.segments.length && this.segments[count]!.nextOffset <= this.startOffset && !this.isEmptyActive(count)) count++;
      return this.deleteOldestSegments(count);
    });
    return this.startOffset;
  }

  private logStartMoved(): void {
    this.producers.onLogStartMoved(this.startOffset);
    this.observer?.onLogStartMoved(this.startOffset);
  }

  /**
   * Kafka's retention: drop the oldest segments whose largest timestamp is older than
   * `retention.ms`, then more while the partition stays above `retention.bytes`. The active
   * segment counts too (it is rolled first), so an idle partition's data does expire.
   */
  enforceRetention(nowMs: number): Promise<number> {
    // cleanup.policy=compact alone keeps data until the cleaner replaces it (Kafka's UnifiedLog
    // deletes by time and size only when the policy holds `delete`).
    if (this.config().delete === false) return Promise.resolve(0);
    return this.withSegmentsLock(() => this.deleteOldestSegments(this.expiredSegmentCount(nowMs)));
  }

  /** How many of the oldest segments retention time and size remove now. */
  private expiredSegmentCount(nowMs: number): number {
    const config = this.config();
    let count = 0;
    if (config.retentionMs >= 0) {
      while (count < this.segments.length) {
        const segment = this.segments[count]!;
        const largestMs = segment.maxTimestamp >= 0 ? segment.maxTimestamp : segment.lastModifiedMs;
        if (this.isEmptyActive(count) || nowMs - largestMs <= config.retentionMs) break;
        count++;
      }
    }
    if (config.retentionBytes >= 0) {
      let excess = this.sizeBytes - config.retentionBytes;
      for (let i = 0; i < count; i++) excess -= this.segments[i]!.sizeBytes;
      while (count < this.segments.length) {
        const segment = this.segments[count]!;
        if (this.isEmptyActive(count) || excess - segment.sizeBytes < 0) break;
        excess -= segment.sizeBytes;
        count++;
      }
    }
    return count;
  }

  /** The active segment while it holds nothing (closed segments may be empty after compaction). */
  private isEmptyActive(index: number): boolean {
    return index === this.segments.length - 1 && this.segments[index]!.sizeBytes === 0;
  }

  private withSegmentsLock<T>(change: () => Promise<T>): Promise<T> {
    const run = this.segmentsLock.then(change);
    this.segmentsLock = run.catch(() => {});
    return run;
  }

  /** The settings the log follows now (topic configs over the store's defaults). */
  get currentConfig(): LogConfig {
    return this.config();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Every segment, oldest first; the last is the active one (the cleaner rewrites only the others). */
  allSegments(): readonly Segment[] {
    return this.segments.slice();
  }

  /** Where the cleaner writes compacted segments for this log. */
  get cleanedSegments(): CleanedSegmentStore {
    return this.backend.cleaned;
  }

  /**
   * The log cleaner's swap: `replaced`, consecutive closed segments, give way to `cleaned`, which
   * holds what compaction kept of their batches (same offsets, gaps allowed) and covers the same
   * offset range. `install` makes the change durable; it runs under the segments lock, after the
   * check that every replaced segment is still in the log (retention may have removed some while
   * the cleaner worked; then nothing happens and this returns false). Readers switch at once: the
   * tail cache forgets the replaced range, reads in flight on a replaced segment start again on the
   * new one, and the replaced segments close once their last read ends.
   */
  replaceSegments(replaced: readonly Segment[], cleaned: Segment, install: () => Promise<void>): Promise<boolean> {
    return this.withSegmentsLock(async () => {
      const at = this.segments.indexOf(replaced[0]!);
      const inLog = !this.closed && at >= 0 && at + replaced.length < this.segments.length && replaced.every((s, i) => this.segments[at + i] === s);
      if (!inLog) return false;
      await install();
      const end = replaced[replaced.length - 1]!.nextOffset;
      this.segments.splice(at, replaced.length, cleaned);
      this.segmentsGeneration++;
      this.tail?.evictBelow(end);
      for (const old of replaced) old.close().catch(() => {});
      return true;
    });
  }

  private async deleteOldestSegments(count: number): Promise<number> {
    if (count === 0) return 0;
    if (count >= this.segments.length) this.roll();
    const removed = this.segments.splice(0, count);
    this.startOffset = Math.max(this.startOffset, this.segments[0]!.baseOffset);
    this.logStartMoved();
    await Promise.all(removed.map((s) => s.destroy()));
    return count;
  }

  /**
   * Group commit: one fdatasync covers everything appended before it started. Callers arriving
   * while one runs share the next one, which starts as soon as the running one ends (before its
   * own callers resume, so their next appends join the group after).
   */
  sync(): Promise<void> {
    if (this.syncRunning !== null) {
      this.syncWaiters ??= deferred();
      return this.syncWaiters.promise;
    }
    if (!this.segments.some((s) => s.needsSync)) {
      // Nothing waits for a sync: everything appended is on stable storage already.
      this.durableOffset = this.logEndOffset;
      return Promise.resolve();
    }
    const running = this.syncSegments();
    this.syncRunning = running;
    const done = () => {
      this.syncRunning = null;
      const waiters = this.syncWaiters;
      this.syncWaiters = null;
      if (waiters !== null) this.sync().then(waiters.resolve, waiters.reject);
    };
    running.then(done, done);
    return running;
  }

  private async syncSegments(): Promise<void> {
    // Everything below this offset was written before the syncs below start.
    const target = this.logEndOffset;
    const dirty = this.segments.filter((s) => s.needsSync);
    const issued = await Promise.all(dirty.map((s) => s.sync()));
    for (const didSync of issued) if (didSync) this.fdatasyncCount++;
    if (target > this.durableOffset) this.durableOffset = target;
  }

  /** Syncs and releases the segments; data stays. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.segmentsLock;
    await this.sync();
    await this.observer?.close(this.logEndOffset);
    this.tail?.clear();
    await Promise.all(this.segments.map((s) => s.close()));
  }

  /** Removes every segment's data (topic deletion). */
  async destroy(): Promise<void> {
    this.closed = true;
    // A cleaner swap in progress finishes first, so no file of it lands in a removed directory.
    await this.segmentsLock;
    this.observer?.destroy();
    this.tail?.clear();
    await Promise.all(this.segments.map((s) => s.destroy()));
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
