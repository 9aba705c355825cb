import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { COMPACTION_DEFAULTS, type LogConfig } from '../log-config.js';
import { planCleaning, type CleaningPlan, type CompactionSettings } from './cleanable.js';
import type { CleanerStep } from './cleaned-segments.js';
import { cleanLog, CleaningAbortedError } from './clean-log.js';
import { OFFSET_MAP_ENTRY_BYTES } from './offset-map.js';
import { Throttle } from './throttle.js';
import type { CleanableLog, CleanedLogStats, CleanerEvent } from './types.js';

/** Kafka's broker defaults for the cleaner (`log.cleaner.*`). */
export const LOG_CLEANER_DEFAULTS = {
  enabled: true,
  /** `log.cleaner.dedupe.buffer.size`: 128 MiB, about 5 million distinct keys per pass. */
  dedupeBufferBytes: 128 * 1024 * 1024,
  /** `log.cleaner.io.max.bytes.per.second`: no limit. */
  ioMaxBytesPerSecond: Infinity,
  /** `log.cleaner.backoff.ms`: the pause between rounds when nothing was cleanable. */
  backoffMs: 15_000,
  /** `log.cleaner.io.buffer.size`: Kafka splits it between reading and writing. */
  ioBufferBytes: 512 * 1024,
  /** The longest stretch of cleaning work before the event loop gets a turn (requests, timers). */
  maxBusyMs: 5,
} as const;

export interface LogCleanerOptions {
  /** `log.cleaner.enable`: clean in the background. `runNow()` cleans whatever this says. Default true. */
  enabled?: boolean;
  dedupeBufferBytes?: number;
  ioMaxBytesPerSecond?: number;
  backoffMs?: number;
  ioBufferBytes?: number;
  maxBusyMs?: number;
  clock: Clock;
  log: Logger;
  onEvent?: (event: CleanerEvent) => void;
  /** The last offset of an active idempotent producer's last batch on a partition, if known. */
  producerLastOffset?: (topic: string, partition: number, producerId: number) => number | undefined;
  /** Test hook: called at each step of a pass where a crash leaves a distinct state. */
  onStep?: (step: CleanerStep, where: { topic: string; partition: number }) => void | Promise<void>;
}

/** The logs the cleaner looks after: the store's compacted topic partitions. */
export interface CleanerSource {
  compactedLogs(): CleanableLog[];
}

export function compactionSettings(c: LogConfig): CompactionSettings {
  return {
    segmentBytes: c.segmentBytes,
    deleteRetentionMs: c.deleteRetentionMs ?? COMPACTION_DEFAULTS.deleteRetentionMs,
    minCompactionLagMs: c.minCompactionLagMs ?? COMPACTION_DEFAULTS.minCompactionLagMs,
    maxCompactionLagMs: c.maxCompactionLagMs ?? COMPACTION_DEFAULTS.maxCompactionLagMs,
    minCleanableDirtyRatio: c.minCleanableDirtyRatio ?? COMPACTION_DEFAULTS.minCleanableDirtyRatio,
  };
}

type ResolvedOptions = Required<Omit<LogCleanerOptions, 'onEvent' | 'producerLastOffset' | 'onStep'>> & Pick<LogCleanerOptions, 'onEvent' | 'producerLastOffset' | 'onStep'>;

/**
 * The background log cleaner (Kafka's LogCleaner with one cleaner thread): each round picks the
 * compacted partition with the highest dirty ratio above its `min.cleanable.dirty.ratio` (or one
 * past `max.compaction.lag.ms`), cleans it, and goes on until none is left, then waits
 * `backoffMs`. The work runs on the event loop in short stretches (`maxBusyMs`), with I/O paced by
 * `ioMaxBytesPerSecond`, so produce and fetch keep being served. A partition whose cleaning fails
 * is left alone until the broker restarts (Kafka marks it uncleanable).
 */
export class LogCleaner {
  private readonly o: ResolvedOptions;
  private readonly checkpoints = new WeakMap<CleanableLog, number | null>();
  private readonly uncleanable = new WeakSet<CleanableLog>();
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private lastYieldMs = 0;
  private readonly throttle: Throttle;

  constructor(
    private readonly source: CleanerSource,
    options: LogCleanerOptions,
  ) {
    this.o = { ...LOG_CLEANER_DEFAULTS, ...stripUndefined(options) } as ResolvedOptions;
    const check = (ok: boolean, message: string) => {
      if (!ok) throw new RangeError(`invalid log cleaner option: ${message}`);
    };
    check(this.o.dedupeBufferBytes >= 2 * OFFSET_MAP_ENTRY_BYTES, `dedupeBufferBytes must be at least ${2 * OFFSET_MAP_ENTRY_BYTES}, got ${this.o.dedupeBufferBytes}`);
    check(this.o.ioMaxBytesPerSecond > 0, `ioMaxBytesPerSecond must be positive, got ${this.o.ioMaxBytesPerSecond}`);
    check(this.o.backoffMs > 0, `backoffMs must be positive, got ${this.o.backoffMs}`);
    check(this.o.ioBufferBytes >= 1024, `ioBufferBytes must be at least 1024, got ${this.o.ioBufferBytes}`);
    this.throttle = new Throttle(this.o.ioMaxBytesPerSecond);
  }

  /** Starts the background rounds (when enabled). */
  start(): void {
    if (this.o.enabled) this.schedule();
  }

  /** Cleans every partition that is cleanable now, then resolves with what each pass did. */
  runNow(): Promise<CleanedLogStats[]> {
    const round = this.queue.then(() => this.round());
    this.queue = round.catch(() => {});
    return round;
  }

  /** Stops the rounds; a pass in progress stops at its next batch and leaves the log as it was. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.queue;
  }

  private schedule(): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runNow().finally(() => this.schedule());
    }, this.o.backoffMs);
    this.timer.unref();
  }

  private async round(): Promise<CleanedLogStats[]> {
    const done: CleanedLogStats[] = [];
    const skipped = new Set<CleanableLog>();
    while (!this.stopping) {
      const next = await this.filthiestLog(skipped);
      if (next === null) break;
      const stats = await this.clean(next.log, next.plan, next.reason);
      if (stats === null) skipped.add(next.log);
      else done.push(stats);
    }
    return done;
  }

  private async filthiestLog(skipped: Set<CleanableLog>): Promise<{ log: CleanableLog; plan: CleaningPlan; reason: CleanedLogStats['reason'] } | null> {
    const nowMs = this.o.clock.nowMs();
    let best: { log: CleanableLog; plan: CleaningPlan; reason: CleanedLogStats['reason'] } | null = null;
    for (const log of this.source.compactedLogs()) {
      if (log.isClosed || skipped.has(log) || this.uncleanable.has(log)) continue;
      let checkpoint = this.checkpoints.get(log);
      if (checkpoint === undefined) {
        checkpoint = await log.cleanedSegments.readCheckpoint();
        this.checkpoints.set(log, checkpoint);
      }
      const plan = planCleaning({
        segments: log.allSegments(),
        logStartOffset: log.logStartOffset,
        logEndOffset: log.logEndOffset,
        checkpoint,
        firstUnstableOffset: log.producers?.firstUnstableOffset() ?? null,
        nowMs,
        settings: compactionSettings(log.currentConfig),
      });
      if (!plan.eligible) continue;
      if (best === null || plan.cleanableRatio > best.plan.cleanableRatio) {
        best = { log, plan, reason: plan.cleanableRatio > compactionSettings(log.currentConfig).minCleanableDirtyRatio ? 'dirty-ratio' : 'max-compaction-lag' };
      }
    }
    return best;
  }

  /** One pass over one log; null when it did not complete. */
  private async clean(log: CleanableLog, plan: CleaningPlan, reason: CleanedLogStats['reason']): Promise<CleanedLogStats | null> {
    const where = { topic: log.topic, partition: log.partition };
    const startedMs = performance.now();
    const throttledBefore = this.throttle.sleptMs;
    const onStep = this.o.onStep;
    const producerLastOffset = this.o.producerLastOffset;
    try {
      const result = await cleanLog(log, plan, {
        nowMs: this.o.clock.nowMs(),
        settings: compactionSettings(log.currentConfig),
        dedupeBufferBytes: this.o.dedupeBufferBytes,
        readChunkBytes: Math.max(1024, this.o.ioBufferBytes / 2),
        throttle: this.throttle,
        pause: () => this.pause(),
        ...(producerLastOffset !== undefined
          ? { producerLastOffset: (pid: number) => producerLastOffset(log.topic, log.partition, pid) }
          : log.producers !== undefined
            ? { producerLastOffset: (pid: number) => log.producers!.producer(pid)?.batches.at(-1)?.lastOffset }
            : {}),
        ...(log.producers !== undefined ? { abortedTransactions: log.producers.abortedIndex() } : {}),
        ...(onStep !== undefined ? { onStep: (step: CleanerStep) => onStep(step, where) } : {}),
      });
      this.checkpoints.set(log, result.endOffset);
      const stats: CleanedLogStats = { ...result, reason, durationMs: Math.round(performance.now() - startedMs), throttledMs: Math.round(this.throttle.sleptMs - throttledBefore) };
      this.o.log.info('log cleaned', {
        partition: `${log.topic}-${log.partition}`,
        offsets: `${stats.firstDirtyOffset}..${stats.endOffset}`,
        bytes: `${stats.bytesBefore} -> ${stats.bytesAfter}`,
        records: `${stats.recordsKept}/${stats.recordsRead}`,
        durationMs: stats.durationMs,
      });
      this.o.onEvent?.({ kind: 'log-cleaned', stats });
      return stats;
    } catch (err) {
      // A topic deleted while being cleaned is not a failure either.
      if (err instanceof CleaningAbortedError || log.isClosed) {
        const reason = err instanceof CleaningAbortedError ? err.message : 'the partition was deleted';
        this.o.log.debug('log cleaning aborted', { partition: `${log.topic}-${log.partition}`, reason });
        this.o.onEvent?.({ kind: 'log-cleaning-aborted', ...where, reason });
        return null;
      }
      this.uncleanable.add(log);
      const error = err instanceof Error ? err.message : String(err);
      this.o.log.error('log cleaning failed; the partition is not cleaned again until the broker restarts', { partition: `${log.topic}-${log.partition}`, error });
      this.o.onEvent?.({ kind: 'log-cleaning-failed', ...where, error });
      return null;
    }
  }

  private async pause(): Promise<void> {
    if (this.stopping) throw new CleaningAbortedError('the cleaner is stopping');
    const now = performance.now();
    if (now - this.lastYieldMs < this.o.maxBusyMs) return;
    await yieldToEventLoop();
    this.lastYieldMs = performance.now();
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
