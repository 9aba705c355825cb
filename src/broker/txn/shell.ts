import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import {
  TXN_PARKED,
  TxnCoordinator,
  type MarkerJob,
  type TxnCoordinatorApi,
  type TxnCoordinatorApis,
  type TxnCoordinatorConfig,
  type TxnCoordinatorResult,
} from '../../coordinator/txn/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { LogStore, PartitionLog } from '../../storage/types.js';
import type { BrokerConfig } from '../config.js';
import type { GroupCoordinatorShell } from '../groups/shell.js';
import { publishTxnEvent, TXN_EVENTS, txnEventName } from './events.js';
import { encodeTxnRecords, readTxnLog, TXN_LOG_NAME } from './internal-log.js';
import { writeMarkers } from './markers.js';

/** The transaction coordinator cannot serve the request (stopping, or its log could not be written). */
export class TxnCoordinatorUnavailable extends Error {
  override name = 'TxnCoordinatorUnavailable';
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

export interface TxnShellOptions {
  readonly store: LogStore;
  readonly config: BrokerConfig;
  readonly log: Logger;
  readonly clock: Clock;
  readonly groups: GroupCoordinatorShell;
  /** Records in the log beyond which it is compacted (when at least half are stale). Default 20000. */
  readonly compactAfterRecords?: number;
}

const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;
const MARKER_RETRY_FIRST_MS = 200;
const MARKER_RETRY_MAX_MS = 10_000;

/** The coordinator settings that come from the broker's options. */
export function txnCoordinatorConfigOf(config: BrokerConfig, firstProducerId: number): Partial<TxnCoordinatorConfig> {
  return {
    transactionMaxTimeoutMs: config.transactionMaxTimeoutMs,
    transactionalIdExpirationMs: config.transactionalIdExpirationMs,
    firstProducerId,
  };
}

/**
 * The transaction coordinator's I/O shell, built like the group coordinator's: calls into the
 * pure core run one at a time; the records of each call are appended to the internal log and
 * applied before the next; answers go out once those records are durable. It owns the core's
 * one timer, replays the log at start, compacts it now and then, and runs the core's marker
 * jobs (control batches into partitions, outcomes to the group coordinator), retrying them with
 * backoff until storage takes them.
 */
export class TxnCoordinatorShell {
  private core: TxnCoordinator;
  private queue: Promise<void> = Promise.resolve();
  private durable: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private timerAtMs: number | null = null;
  private nextRequestId = 0;
  private readonly waiting = new Map<number, { resolve: (response: unknown) => void; reject: (err: Error) => void }>();
  private readonly markerRuns = new Set<Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private recordsInLog = 0;
  private nextCompactionCheck: number;
  private readonly compactAfterRecords: number;
  private closed = false;

  private constructor(
    private readonly o: TxnShellOptions,
    private readonly log: PartitionLog,
  ) {
    this.core = this.newCore();
    this.compactAfterRecords = o.compactAfterRecords ?? 20_000;
    this.nextCompactionCheck = this.compactAfterRecords;
  }

  static async open(options: TxnShellOptions): Promise<TxnCoordinatorShell> {
    const log = await options.store.openInternalLog(TXN_LOG_NAME);
    const shell = new TxnCoordinatorShell(options, log);
    await shell.load();
    return shell;
  }

  /** The live core, for inspection (tests, tools embedded in the broker). */
  get coordinator(): TxnCoordinator {
    return this.core;
  }

  /** Resolves with the core's answer once durable; rejects with TxnCoordinatorUnavailable when it cannot serve. */
  handle<A extends TxnCoordinatorApi>(api: A, body: TxnCoordinatorApis[A]['request']): Promise<TxnCoordinatorApis[A]['response']> {
    if (this.closed) return Promise.reject(new TxnCoordinatorUnavailable(ErrorCode.NOT_COORDINATOR, 'the transaction coordinator is stopping'));
    return new Promise((resolve, reject) => {
      const requestId = ++this.nextRequestId;
      this.waiting.set(requestId, { resolve: resolve as (r: unknown) => void, reject });
      this.serialize(async () => {
        let result: TxnCoordinatorResult<unknown>;
        try {
          result = this.core.handle({ api, requestId, body }, this.o.clock.nowMs());
        } catch (err) {
          this.logFailure(`handling ${api}`, err);
          this.rebuild();
          throw err;
        }
        await this.commit(result, requestId);
      }).catch((err: unknown) => this.failRequest(requestId, err));
    });
  }

  /** KIP-890 verification for Produce (see TxnCoordinator.verifyPartition). */
  verifyPartition(transactionalId: string, producerId: number, producerEpoch: number, topic: string, partition: number): number {
    if (this.closed) return ErrorCode.NOT_COORDINATOR;
    return this.core.verifyPartition(transactionalId, producerId, producerEpoch, topic, partition);
  }

  /** Verification for TxnOffsetCommit: the producer added the group to its transaction. */
  verifyGroup(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): number {
    if (this.closed) return ErrorCode.NOT_COORDINATOR;
    return this.core.verifyGroup(transactionalId, producerId, producerEpoch, groupId);
  }

  /** Stops: parked EndTxn calls are answered NOT_COORDINATOR; markers being written finish first. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearTimer();
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    await Promise.allSettled([...this.markerRuns]);
    await this.serialize(() => this.deliverAnswers(this.core.unload().map((c) => [c.requestId, c.response]))).catch(() => undefined);
    await this.durable.catch(() => undefined);
  }

  // ---- internals ----

  private newCore(): TxnCoordinator {
    // Producer ids continue from the clock on a store without a transaction log (a store from
    // before it, or in memory), so they do not repeat ids an earlier run handed out.
    return new TxnCoordinator({ config: txnCoordinatorConfigOf(this.o.config, this.o.clock.nowMs()) });
  }

  private async load(): Promise<void> {
    const startedMs = this.o.clock.nowMs();
    const core = this.newCore();
    this.recordsInLog = await readTxnLog(this.log, (r) => core.replay(r));
    this.nextCompactionCheck = Math.max(this.compactAfterRecords, this.recordsInLog + this.compactAfterRecords / 2);
    this.core = core;
    const result = core.load(this.o.clock.nowMs());
    await this.serialize(() => this.commit(result));
    publishTxnEvent(TXN_EVENTS.loaded, {
      ...this.ref(),
      transactionalIds: core.transactionalIds().length,
      records: this.recordsInLog,
      pendingMarkers: result.markers.length,
      durationMs: this.o.clock.nowMs() - startedMs,
    });
  }

  private serialize(op: () => Promise<void> | void): Promise<void> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Persists then applies the call's records; answers and markers follow once they are durable. */
  private async commit(result: TxnCoordinatorResult<unknown>, ownRequestId?: number, answerEarly = false): Promise<void> {
    const answers: Array<[number, unknown]> = result.completions.map((c) => [c.requestId, c.response]);
    if (ownRequestId !== undefined && result.response !== TXN_PARKED) answers.push([ownRequestId, result.response]);
    if (result.records.length > 0) {
      const nowMs = this.o.clock.nowMs();
      try {
        this.log.append(await encodeTxnRecords(result.records, nowMs), nowMs);
      } catch (err) {
        this.logFailure('appending to the transaction log', err);
        this.failAnswers(answers.map(([id]) => id));
        this.rebuild();
        return;
      }
      for (const r of result.records) this.core.replay(r);
      this.recordsInLog += result.records.length;
      if (this.o.config.flushPolicy === 'acks-all') this.durable = this.log.sync();
    }
    for (const e of result.events) publishTxnEvent(txnEventName(e), { ...this.ref(), ...e } as never);
    if (answerEarly) {
      // The outcome was durable before the markers went out and the markers are durable: a
      // crash before this Complete record is durable only makes a restart write them again.
      this.deliverAnswers(answers);
      answers.length = 0;
    }
    this.durable.then(
      () => {
        this.deliverAnswers(answers);
        for (const job of result.markers) this.startMarkers(job, 0);
      },
      (err: unknown) => {
        this.logFailure('syncing the transaction log', err);
        this.failAnswers(answers.map(([id]) => id));
        this.durable = Promise.resolve();
        this.serialize(() => this.rebuild());
      },
    );
    this.armTimer();
    if (this.recordsInLog >= this.nextCompactionCheck) await this.compact();
  }

  private startMarkers(job: MarkerJob, attempt: number): void {
    if (this.closed) return;
    const run = (async () => {
      try {
        await writeMarkers(
          {
            store: this.o.store,
            log: this.o.log,
            clock: this.o.clock,
            flushPolicy: this.o.config.flushPolicy,
            completeGroupOffsets: (groupId, producerId, committed) => this.o.groups.completeTransaction(groupId, producerId, committed),
          },
          job,
        );
      } catch (err) {
        this.markersFailed(job, attempt, err);
        return;
      }
      await this.serialize(() => this.commit(this.core.markersWritten(job, this.o.clock.nowMs()), undefined, true)).catch((err: unknown) => this.logFailure('completing a transaction', err));
    })();
    this.markerRuns.add(run);
    void run.finally(() => this.markerRuns.delete(run));
  }

  private markersFailed(job: MarkerJob, attempt: number, err: unknown): void {
    const error = err instanceof Error ? err.message : String(err);
    this.o.log.warn('transaction markers could not be written; retrying', { transactionalId: job.transactionalId, result: job.result, attempt, error });
    publishTxnEvent(TXN_EVENTS.markersFailed, { ...this.ref(), transactionalId: job.transactionalId, producerId: job.producerId, result: job.result, error, attempt });
    if (this.closed) return;
    if (attempt === 0) void this.serialize(() => this.commit(this.core.markersDelayed(job, this.o.clock.nowMs()))).catch(() => undefined);
    const delayMs = Math.min(MARKER_RETRY_MAX_MS, MARKER_RETRY_FIRST_MS * 2 ** attempt);
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.startMarkers(job, attempt + 1);
    }, delayMs);
    timer.unref();
    this.retryTimers.add(timer);
  }

  private deliverAnswers(answers: Array<[number, unknown]>): void {
    for (const [id, response] of answers) {
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      w?.resolve(response);
    }
  }

  private failAnswers(ids: number[]): void {
    const error = new TxnCoordinatorUnavailable(ErrorCode.NOT_COORDINATOR, 'the transaction log could not be written');
    for (const id of ids) this.failRequest(id, error);
  }

  private failRequest(requestId: number, err: unknown): void {
    const w = this.waiting.get(requestId);
    this.waiting.delete(requestId);
    w?.reject(err instanceof Error ? err : new Error(String(err)));
  }

  /** A fresh core from what the log holds (after a failed write or a broken invariant). */
  private rebuild(): void {
    const old = this.core;
    this.deliverAnswers(old.unload().map((c) => [c.requestId, c.response]));
    const core = this.newCore();
    for (const r of old.snapshotRecords()) core.replay(r);
    this.core = core;
    const result = core.load(this.o.clock.nowMs());
    for (const job of result.markers) this.startMarkers(job, 0);
    this.armTimer();
  }

  /** Rewrites the log as a snapshot of the live state, then drops what came before. */
  private async compact(): Promise<void> {
    const snapshot = this.core.snapshotRecords();
    if (this.recordsInLog < 2 * snapshot.length) {
      this.nextCompactionCheck = this.recordsInLog + this.compactAfterRecords / 2;
      return;
    }
    const startOffset = this.log.logEndOffset;
    try {
      const nowMs = this.o.clock.nowMs();
      if (snapshot.length > 0) this.log.append(await encodeTxnRecords(snapshot, nowMs), nowMs);
      await this.log.sync();
      await this.log.deleteRecordsBefore(startOffset);
    } catch (err) {
      this.logFailure('compacting the transaction log', err);
      this.nextCompactionCheck = this.recordsInLog + this.compactAfterRecords;
      return;
    }
    this.recordsInLog = snapshot.length;
    this.nextCompactionCheck = Math.max(this.compactAfterRecords, 2 * snapshot.length + this.compactAfterRecords / 2);
  }

  private armTimer(): void {
    const next = this.closed ? null : this.core.nextDeadlineMs();
    if (next === this.timerAtMs) return;
    this.clearTimer();
    if (next === null) return;
    const delayMs = Math.min(MAX_TIMER_DELAY_MS, Math.max(0, next - this.o.clock.nowMs()));
    this.timerAtMs = next;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAtMs = null;
      void this.serialize(async () => {
        try {
          await this.commit(this.core.tick(this.o.clock.nowMs()));
        } catch (err) {
          this.logFailure('running transaction timers', err);
          this.rebuild();
        }
      });
    }, delayMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAtMs = null;
  }

  private ref(): { nodeId: number; port: number } {
    return { nodeId: this.o.config.nodeId, port: this.o.config.port };
  }

  private logFailure(what: string, err: unknown): void {
    this.o.log.error(`transaction coordinator: error ${what}`, { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
}
