import { ErrorCode } from '../../protocol/errors.js';
import type { EndTxnRequest, EndTxnResponseInit } from '../../protocol/messages/index.js';
import { emit, persist, type TxnCtx } from './context.js';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID, type TxnMetadataValue } from './metadata.js';
import { PARKED, type MarkerJob, type TxnEndReason, type TxnResult } from './types.js';

/** Samsa's single transaction coordinator never changes, so its epoch (written in markers) is 0. */
export const COORDINATOR_EPOCH = 0;

function endError(errorCode: number): EndTxnResponseInit {
  return { throttleTimeMs: 0, errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH };
}

/**
 * EndTxn, after Kafka's TransactionCoordinator.endTransaction for clients of transaction version
 * 1 (the epoch must match exactly; it is bumped only by InitProducerId and fencing). An Ongoing
 * transaction moves to PrepareCommit/PrepareAbort and its markers are written; Kafka answers once
 * the Prepare record is durable, Samsa once the markers are in every partition (the markers are
 * local writes), so a producer never meets its own transaction in a Prepare state. Retries of a
 * finished end are answered NONE; the wrong outcome for the state is INVALID_TXN_STATE.
 */
export function handleEndTxn(ctx: TxnCtx, requestId: number, body: EndTxnRequest): EndTxnResponseInit | typeof PARKED {
  const result: TxnResult = body.committed ? 'commit' : 'abort';
  if (body.transactionalId === '') return endError(ErrorCode.INVALID_REQUEST);
  const meta = ctx.state.get(body.transactionalId);
  if (meta === undefined || meta.producerId !== body.producerId) return endError(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  if (body.producerEpoch !== meta.producerEpoch) return endError(ErrorCode.PRODUCER_FENCED);
  const done = { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch };
  switch (meta.state) {
    case 'Ongoing': {
      prepareEnd(ctx, body.transactionalId, meta, result, 'client', meta.producerEpoch);
      const parked = ctx.parkedEndTxn.get(body.transactionalId) ?? [];
      parked.push(requestId);
      ctx.parkedEndTxn.set(body.transactionalId, parked);
      return PARKED;
    }
    case 'CompleteCommit':
      return result === 'commit' ? done : endError(ErrorCode.INVALID_TXN_STATE);
    case 'CompleteAbort':
      return result === 'abort' ? done : endError(ErrorCode.INVALID_TXN_STATE);
    case 'PrepareCommit':
      return endError(result === 'commit' ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
    case 'PrepareAbort':
      return endError(result === 'abort' ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
    case 'Empty':
      return endError(ErrorCode.INVALID_TXN_STATE);
    case 'Dead':
    case 'PrepareEpochFence':
      throw new Error(`transactional id ${body.transactionalId} is in state ${meta.state}, which is never stored`);
  }
}

/**
 * Moves an Ongoing transaction to PrepareCommit/PrepareAbort under `epoch` (one more than the
 * current epoch when the producer is being fenced: by a new instance or by its timeout) and
 * asks the shell for the markers.
 */
export function prepareEnd(ctx: TxnCtx, transactionalId: string, meta: TxnMetadataValue, result: TxnResult, reason: TxnEndReason, epoch: number): void {
  const fencing = epoch !== meta.producerEpoch;
  const value: TxnMetadataValue = {
    ...meta,
    state: result === 'commit' ? 'PrepareCommit' : 'PrepareAbort',
    producerEpoch: epoch,
    lastProducerEpoch: fencing ? NO_PRODUCER_EPOCH : meta.lastProducerEpoch,
    txnLastUpdateTimestampMs: ctx.nowMs,
  };
  persist(ctx, transactionalId, value);
  ctx.out.markers.push(markerJob(transactionalId, value));
  emit(ctx, {
    type: 'transaction-ending',
    transactionalId,
    producerId: meta.producerId,
    producerEpoch: epoch,
    result,
    reason,
    partitions: meta.partitions.length,
    groups: meta.groups.length,
  });
}

/** The markers of a transaction in a Prepare state. */
export function markerJob(transactionalId: string, meta: TxnMetadataValue): MarkerJob {
  return {
    transactionalId,
    producerId: meta.producerId,
    producerEpoch: meta.producerEpoch,
    result: meta.state === 'PrepareCommit' ? 'commit' : 'abort',
    partitions: meta.partitions,
    groups: meta.groups,
    coordinatorEpoch: COORDINATOR_EPOCH,
  };
}

/**
 * Every marker of `job` is written: the transaction is complete (Kafka's prepareComplete), and
 * parked EndTxn calls are answered. A job that no longer matches the metadata is stale and ignored.
 */
export function completeEnd(ctx: TxnCtx, job: MarkerJob): void {
  const meta = ctx.state.get(job.transactionalId);
  const preparing = job.result === 'commit' ? 'PrepareCommit' : 'PrepareAbort';
  if (meta === undefined || meta.state !== preparing || meta.producerId !== job.producerId || meta.producerEpoch !== job.producerEpoch) return;
  persist(ctx, job.transactionalId, {
    ...meta,
    state: job.result === 'commit' ? 'CompleteCommit' : 'CompleteAbort',
    partitions: [],
    groups: [],
    txnLastUpdateTimestampMs: ctx.nowMs,
  });
  answerParked(ctx, job.transactionalId, { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch });
  emit(ctx, {
    type: 'transaction-completed',
    transactionalId: job.transactionalId,
    producerId: meta.producerId,
    producerEpoch: meta.producerEpoch,
    result: job.result,
    durationMs: meta.txnStartTimestampMs >= 0 ? ctx.nowMs - meta.txnStartTimestampMs : 0,
  });
}

/** Answers every EndTxn waiting on the transactional id. */
export function answerParked(ctx: TxnCtx, transactionalId: string, response: EndTxnResponseInit): void {
  const parked = ctx.parkedEndTxn.get(transactionalId);
  if (parked === undefined) return;
  ctx.parkedEndTxn.delete(transactionalId);
  for (const requestId of parked) ctx.out.completions.push({ requestId, response });
}

/**
 * The transaction ran past its timeout: abort it under a bumped epoch, which fences the producer
 * (its next request gets PRODUCER_FENCED or INVALID_PRODUCER_EPOCH), as Kafka's
 * abortTimedOutTransactions does.
 */
export function abortTimedOut(ctx: TxnCtx, transactionalId: string): void {
  const meta = ctx.state.get(transactionalId);
  if (meta === undefined || meta.state !== 'Ongoing' || ctx.nowMs < meta.txnStartTimestampMs + meta.txnTimeoutMs) return;
  emit(ctx, { type: 'producer-fenced', transactionalId, producerId: meta.producerId, fencedEpoch: meta.producerEpoch, newEpoch: meta.producerEpoch + 1 });
  prepareEnd(ctx, transactionalId, meta, 'abort', 'timeout', meta.producerEpoch + 1);
}
