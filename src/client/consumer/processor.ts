import type { DecodedRecord } from '../../protocol/record-batch.js';
import { backoffMs } from '../net/backoff.js';
import { publishHandlerError } from './events.js';
import type { ResolvedConsumerOptions } from './options.js';
import { fetchBytesOf, type PartitionRegistry, type PartitionState } from './partition-state.js';
import type { Batch, ConsumedMessage, RunOptions } from './types.js';

export interface ProcessorHooks {
  /** A handler finished: the application made progress (poll). */
  onProgress(): void;
  /** A record (or a batch's records) counted as processed: its offset may be committed. */
  onProcessed(): void;
  /** A partition's buffer has room again: fetch more. */
  onDrained(): void;
  /** No handler runs and no fetched record can be handed over now: the consumer has caught up. */
  onCaughtUp(): void;
  /** commitOffsetsIfNecessary() from an eachBatch handler. */
  commitPartition(state: PartitionState): Promise<void>;
}

function toMessage(topic: string, partition: number, r: DecodedRecord): ConsumedMessage {
  return { topic, partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers };
}

/**
 * Hands buffered records to the application: records of one partition strictly in order and one
 * handler call at a time, up to `partitionsConsumedConcurrently` partitions at once. A record
 * counts as processed when its handler returns; only processed records are committed. A handler
 * that throws gets the same records again after a backoff (at-least-once), and the error is
 * published on `samsa:client:consumer:handler-error`.
 */
export class Processor {
  private run: Required<Pick<RunOptions, 'partitionsConsumedConcurrently' | 'eachBatchAutoResolve'>> & RunOptions = { partitionsConsumedConcurrently: 1, eachBatchAutoResolve: true };
  private running = false;
  private active = 0;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private rotation = 0;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly activeTasks = new Set<Promise<void>>();
  private idle = false;

  constructor(
    private readonly partitions: PartitionRegistry,
    private readonly options: ResolvedConsumerOptions,
    private readonly hooks: ProcessorHooks,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(run: RunOptions): void {
    this.run = { ...run, partitionsConsumedConcurrently: run.partitionsConsumedConcurrently ?? 1, eachBatchAutoResolve: run.eachBatchAutoResolve ?? true };
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops delivering; resolves when every handler in progress has returned. */
  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loopDone;
    await Promise.all([...this.activeTasks]);
  }

  notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** True while no handler runs and no fetched record can be handed over. */
  get caughtUp(): boolean {
    return this.idle;
  }

  /** When the oldest handler still running started, or null when none runs. */
  oldestActiveStartMs(): number | null {
    let oldest: number | null = null;
    for (const s of this.partitions.all()) if (s.activeSinceMs !== null && (oldest === null || s.activeSinceMs < oldest)) oldest = s.activeSinceMs;
    return oldest;
  }

  private deliverable(s: PartitionState, nowMs: number): boolean {
    return s.buffer.length > 0 && !s.paused && !s.revoking && s.activeSinceMs === null && s.retryAtMs <= nowMs;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const nowMs = this.options.client.clock.nowMs();
      const states = this.partitions.all();
      let started = 0;
      let nextRetryMs = Infinity;
      for (let i = 0; i < states.length && this.active < this.run.partitionsConsumedConcurrently; i++) {
        const s = states[(this.rotation + i) % states.length]!;
        if (this.deliverable(s, nowMs)) {
          this.startTask(s, nowMs);
          started++;
        } else if (s.buffer.length > 0 && s.retryAtMs > nowMs) {
          nextRetryMs = Math.min(nextRetryMs, s.retryAtMs);
        }
      }
      this.rotation = states.length === 0 ? 0 : (this.rotation + 1) % states.length;
      if (started > 0) continue;
      if (this.active === 0) {
        this.idle = true;
        this.hooks.onCaughtUp();
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (Number.isFinite(nextRetryMs)) this.timer = setTimeout(() => this.notify(), Math.max(1, nextRetryMs - nowMs));
      });
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      this.idle = false;
    }
  }

  private startTask(s: PartitionState, nowMs: number): void {
    this.active++;
    s.startHandler(nowMs);
    const task = this.process(s).finally(() => {
      s.finishHandler();
      this.active--;
      this.activeTasks.delete(task);
      this.hooks.onProgress();
      if (s.bufferedBytes < fetchBytesOf(s, this.options.maxBytesPerPartition)) this.hooks.onDrained();
      this.notify();
    });
    this.activeTasks.add(task);
  }

  private async process(s: PartitionState): Promise<void> {
    const chunk = s.buffer[0]!;
    const epoch = s.epoch;
    let failedAt: number | null = null;
    // The chunk is in the handler's hands: fetch what follows it meanwhile.
    s.handedOverBytes = chunk.sizeBytes;
    if (s.bufferedBytes - s.handedOverBytes < fetchBytesOf(s, this.options.maxBytesPerPartition)) this.hooks.onDrained();
    try {
      if (this.run.eachBatch !== undefined) failedAt = await this.deliverBatch(s, epoch);
      else failedAt = await this.deliverMessages(s, epoch);
    } finally {
      if (s.epoch === epoch) s.handedOverBytes = 0;
      if (s.epoch === epoch && chunk.index >= chunk.records.length && s.buffer[0] === chunk) {
        s.buffer.shift();
        s.bufferedBytes -= chunk.sizeBytes;
      }
    }
    if (failedAt !== null && s.epoch === epoch && !s.revoking) {
      // Deliver again from the first record not processed, after a backoff.
      s.handlerFailures++;
      const delayMs = backoffMs(s.handlerFailures - 1, this.options.client.retryBackoffMs, this.options.client.retryBackoffMaxMs, this.options.client.random);
      s.seek(s.processed ?? failedAt);
      s.retryAtMs = this.options.client.clock.nowMs() + delayMs;
      this.hooks.onDrained();
    } else if (failedAt === null) {
      s.handlerFailures = 0;
    }
  }

  /** eachMessage, record by record; returns the offset of a record whose handler threw. */
  private async deliverMessages(s: PartitionState, epoch: number): Promise<number | null> {
    const chunk = s.buffer[0]!;
    const handler = this.run.eachMessage!;
    const pause = () => {
      s.paused = true;
    };
    while (chunk.index < chunk.records.length) {
      if (!this.running || s.revoking || s.paused || s.epoch !== epoch) return null;
      const r = chunk.records[chunk.index]!;
      try {
        await handler({ topic: s.topic, partition: s.partition, message: toMessage(s.topic, s.partition, r), pause });
      } catch (error) {
        this.reportError(s, r.offset, error);
        return r.offset;
      }
      if (s.epoch !== epoch) return null;
      s.processed = r.offset + 1;
      chunk.index++;
      this.hooks.onProcessed();
    }
    return null;
  }

  /** eachBatch with the records of one fetch; returns the first offset not processed if it threw. */
  private async deliverBatch(s: PartitionState, epoch: number): Promise<number | null> {
    const chunk = s.buffer[0]!;
    const records = chunk.index === 0 ? chunk.records : chunk.records.slice(chunk.index);
    const messages = new Array<ConsumedMessage>(records.length);
    for (let i = 0; i < records.length; i++) messages[i] = toMessage(s.topic, s.partition, records[i]!);
    const stale = () => !this.running || s.revoking || s.epoch !== epoch;
    const resolveOffset = (offset: number) => {
      if (s.epoch === epoch && (s.processed === null || offset + 1 > s.processed)) {
        s.processed = offset + 1;
        this.hooks.onProcessed();
      }
    };
    const batch: Batch = {
      topic: s.topic,
      partition: s.partition,
      highWatermark: chunk.highWatermark,
      messages,
      firstOffset: () => messages[0]?.offset ?? null,
      lastOffset: () => messages.at(-1)?.offset ?? null,
      offsetLag: () => Math.max(0, chunk.highWatermark - 1 - (messages.at(-1)?.offset ?? chunk.highWatermark - 1)),
    };
    try {
      await this.run.eachBatch!({
        batch,
        resolveOffset,
        heartbeat: async () => {},
        commitOffsetsIfNecessary: () => this.hooks.commitPartition(s),
        isRunning: () => !stale(),
        isStale: stale,
        pause: () => {
          s.paused = true;
        },
      });
    } catch (error) {
      const first = s.processed ?? records[0]!.offset;
      this.reportError(s, first, error);
      chunk.index = chunk.records.length;
      return first;
    }
    if (this.run.eachBatchAutoResolve && messages.length > 0) resolveOffset(messages.at(-1)!.offset);
    chunk.index = chunk.records.length;
    return null;
  }

  private reportError(s: PartitionState, offset: number, error: unknown): void {
    const retryInMs = backoffMs(s.handlerFailures, this.options.client.retryBackoffMs, this.options.client.retryBackoffMaxMs, () => 0.5);
    publishHandlerError({ clientId: this.options.client.clientId, groupId: this.options.groupId, topic: s.topic, partition: s.partition, offset, error, retryInMs });
    this.options.client.logger.error('consumer handler failed; the records will be delivered again', { topic: s.topic, partition: s.partition, offset, error: String(error) });
  }
}
