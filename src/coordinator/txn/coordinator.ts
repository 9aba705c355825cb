import { DeadlineQueue } from '../../common/deadline-queue.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { EndTxnResponseInit } from '../../protocol/messages/index.js';
import { handleAddOffsets, handleAddPartitions, verifyMember } from './add-partitions.js';
import { handleDescribeTransactions, handleListTransactions } from './admin.js';
import { resolveTxnCoordinatorConfig, type TxnCoordinatorConfig } from './config.js';
import { emit, persist, TxnOutput, type TxnCtx } from './context.js';
import { TxnDurableState } from './durable-state.js';
import { abortTimedOut, answerParked, completeEnd, handleEndTxn, markerJob } from './end-txn.js';
import { handleInitProducerId } from './init-producer-id.js';
import { expirationAllowed, type TxnMetadataValue } from './metadata.js';
import type { TxnRecord } from './records.js';
import {
  PARKED,
  type MarkerJob,
  type TxnCompletion,
  type TxnCoordinatorApi,
  type TxnCoordinatorApis,
  type TxnCoordinatorRequest,
  type TxnCoordinatorResult,
} from './types.js';

export interface TxnCoordinatorOptions {
  config?: Partial<TxnCoordinatorConfig>;
}

/**
 * Kafka's transaction coordinator as a pure state machine: no I/O, no clock, no timers.
 * Lifecycle: `replay` every record of the transaction log, `load(nowMs)`, then `handle`
 * requests, `tick` at `nextDeadlineMs()` and report written markers with `markersWritten`.
 * Each call returns records the shell must append to the log and then `replay` before the call's
 * answers go out, and marker jobs it must run once those records are durable.
 *
 * The metadata of every transactional id changes only through `replay`; deadlines (transaction
 * timeouts, transactional-id expiry) are derived from it there, so a restarted coordinator has
 * the same timers. What lives only in memory: parked EndTxn calls, and the next producer id of
 * the current block (a restart moves to a fresh block, so no id is handed out twice).
 */
export class TxnCoordinator {
  readonly config: TxnCoordinatorConfig;
  private readonly state = new TxnDurableState();
  private readonly deadlines = new DeadlineQueue();
  private readonly parkedEndTxn = new Map<string, number[]>();
  private nextProducerId = 0;
  private producerIdBlockEnd = 0;
  private loaded = false;

  constructor(options: TxnCoordinatorOptions = {}) {
    this.config = resolveTxnCoordinatorConfig(options.config);
  }

  /** Applies one durable record: the only way transaction metadata changes. */
  replay(record: TxnRecord): void {
    this.state.apply(record);
    if (record.type === 'txn-metadata') this.refreshDeadlines(record.transactionalId, record.value);
  }

  /** Starts serving what was replayed; transactions caught in a Prepare state get their markers again. */
  load(nowMs: number): TxnCoordinatorResult<void> {
    if (this.loaded) throw new Error('the transaction coordinator is already loaded');
    this.loaded = true;
    // Ids of the last block may have been handed out before the restart: start a new block.
    this.nextProducerId = this.state.blockEnd ?? this.config.firstProducerId;
    this.producerIdBlockEnd = this.nextProducerId;
    return this.run(nowMs, (ctx) => {
      for (const transactionalId of this.state.transactionalIds()) {
        const meta = this.state.get(transactionalId)!;
        if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') ctx.out.markers.push(markerJob(transactionalId, meta));
      }
    });
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  handle<A extends TxnCoordinatorApi>(request: TxnCoordinatorRequest<A>, nowMs: number): TxnCoordinatorResult<TxnCoordinatorApis[A]['response']> {
    if (!this.loaded) throw new Error('the transaction coordinator must be loaded before it handles requests');
    let response: unknown;
    const result = this.run(nowMs, (ctx) => {
      response = dispatch(ctx, request as TxnCoordinatorRequest);
    });
    return { ...result, response: response as TxnCoordinatorApis[A]['response'] | typeof PARKED };
  }

  /** Runs every deadline due at `nowMs`: transaction timeouts abort, idle transactional ids expire. */
  tick(nowMs: number): TxnCoordinatorResult<void> {
    if (!this.loaded) return { records: [], response: undefined, completions: [], markers: [], events: [] };
    return this.run(nowMs, (ctx) => {
      for (const key of this.deadlines.popExpired(nowMs)) {
        const transactionalId = key.slice(key.indexOf(':') + 1);
        if (key.startsWith('timeout:')) abortTimedOut(ctx, transactionalId);
        else expire(ctx, transactionalId);
      }
    });
  }

  nextDeadlineMs(): number | null {
    return this.deadlines.nextDeadlineMs();
  }

  /** Every marker of `job` is in place: the transaction completes and its EndTxn is answered. */
  markersWritten(job: MarkerJob, nowMs: number): TxnCoordinatorResult<void> {
    return this.run(nowMs, (ctx) => completeEnd(ctx, job));
  }

  /**
   * Writing the markers of `job` failed; the shell retries them. The outcome is already durable,
   * so a parked EndTxn is answered NONE now (Kafka answers at that point too), instead of
   * holding the producer while storage recovers.
   */
  markersDelayed(job: MarkerJob, nowMs: number): TxnCoordinatorResult<void> {
    return this.run(nowMs, (ctx) =>
      answerParked(ctx, job.transactionalId, { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: job.producerId, producerEpoch: job.producerEpoch }),
    );
  }

  /**
   * May this producer append transactional data to the partition (KIP-890 verification)? NONE, or
   * the error the coordinator would give for it (see verifyMember).
   */
  verifyPartition(transactionalId: string, producerId: number, producerEpoch: number, topic: string, partition: number): number {
    return verifyMember(this.state.get(transactionalId), producerId, producerEpoch, { topic, partition });
  }

  /** May this producer commit transactional offsets for the group (it called AddOffsetsToTxn)? */
  verifyGroup(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): number {
    return verifyMember(this.state.get(transactionalId), producerId, producerEpoch, { groupId });
  }

  /** The coordinator stops: parked EndTxn calls are answered NOT_COORDINATOR, so clients retry elsewhere. */
  unload(): TxnCompletion[] {
    const completions: TxnCompletion[] = [];
    const response: EndTxnResponseInit = { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR, producerId: -1, producerEpoch: -1 };
    for (const ids of this.parkedEndTxn.values()) for (const requestId of ids) completions.push({ requestId, response });
    this.parkedEndTxn.clear();
    this.loaded = false;
    return completions;
  }

  // ---- inspection ----

  transaction(transactionalId: string): TxnMetadataValue | undefined {
    return this.state.get(transactionalId);
  }

  transactionalIds(): string[] {
    return this.state.transactionalIds();
  }

  snapshotRecords(): TxnRecord[] {
    return this.state.snapshotRecords();
  }

  durableFingerprint(): string {
    return this.state.fingerprint();
  }

  private run(nowMs: number, body: (ctx: TxnCtx) => void): TxnCoordinatorResult<void> {
    const out = new TxnOutput();
    const ctx: TxnCtx = {
      config: this.config,
      state: this.state,
      out,
      nowMs,
      parkedEndTxn: this.parkedEndTxn,
      allocateProducerId: () => this.allocateProducerId(out),
    };
    body(ctx);
    return { records: out.records, response: undefined, completions: out.completions, markers: out.markers, events: out.events };
  }

  /** The next producer id; a block is reserved by a record (durable before any answer) when one runs out. */
  private allocateProducerId(out: TxnOutput): number {
    if (this.nextProducerId >= this.producerIdBlockEnd) {
      const firstProducerId = this.nextProducerId;
      out.records.push({ type: 'producer-id-block', firstProducerId, size: this.config.producerIdBlockSize });
      this.producerIdBlockEnd = firstProducerId + this.config.producerIdBlockSize;
    }
    return this.nextProducerId++;
  }

  /** Deadlines follow the metadata: a timeout while Ongoing, expiry while idle. */
  private refreshDeadlines(transactionalId: string, meta: TxnMetadataValue | null): void {
    this.deadlines.delete(`timeout:${transactionalId}`);
    this.deadlines.delete(`expire:${transactionalId}`);
    if (meta === null) return;
    if (meta.state === 'Ongoing') this.deadlines.set(`timeout:${transactionalId}`, meta.txnStartTimestampMs + meta.txnTimeoutMs);
    else if (expirationAllowed(meta.state)) this.deadlines.set(`expire:${transactionalId}`, meta.txnLastUpdateTimestampMs + this.config.transactionalIdExpirationMs);
  }
}

/** An idle transactional id is forgotten (Kafka's removeExpiredTransactionalIds writes a tombstone). */
function expire(ctx: TxnCtx, transactionalId: string): void {
  const meta = ctx.state.get(transactionalId);
  if (meta === undefined || !expirationAllowed(meta.state)) return;
  if (ctx.nowMs < meta.txnLastUpdateTimestampMs + ctx.config.transactionalIdExpirationMs) return;
  persist(ctx, transactionalId, null);
  emit(ctx, { type: 'transactional-id-expired', transactionalId, producerId: meta.producerId });
}

function dispatch(ctx: TxnCtx, request: TxnCoordinatorRequest): unknown {
  switch (request.api) {
    case 'init-producer-id':
      return handleInitProducerId(ctx, (request as TxnCoordinatorRequest<'init-producer-id'>).body);
    case 'add-partitions':
      return handleAddPartitions(ctx, (request as TxnCoordinatorRequest<'add-partitions'>).body);
    case 'add-offsets':
      return handleAddOffsets(ctx, (request as TxnCoordinatorRequest<'add-offsets'>).body);
    case 'end-txn':
      return handleEndTxn(ctx, request.requestId, (request as TxnCoordinatorRequest<'end-txn'>).body);
    case 'describe':
      return handleDescribeTransactions(ctx, (request as TxnCoordinatorRequest<'describe'>).body);
    case 'list':
      return handleListTransactions(ctx, (request as TxnCoordinatorRequest<'list'>).body);
  }
}
