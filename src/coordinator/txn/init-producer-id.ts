import { ErrorCode } from '../../protocol/errors.js';
import type { InitProducerIdRequest, InitProducerIdResponseInit } from '../../protocol/messages/index.js';
import { emit, persist, type TxnCtx } from './context.js';
import { prepareEnd } from './end-txn.js';
import { isEpochExhausted, NO_PRODUCER_EPOCH, NO_PRODUCER_ID, type TxnMetadataValue } from './metadata.js';

function initError(errorCode: number): InitProducerIdResponseInit {
  return { throttleTimeMs: 0, errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH };
}

interface Expected {
  producerId: number;
  epoch: number;
}

/**
 * InitProducerId, after Kafka's TransactionCoordinator.handleInitProducerId. Without a
 * transactional id: a fresh producer id at epoch 0, whatever the request carries (an idempotent
 * producer recovering under KIP-360 gets a new id too). With one: the id's producer epoch is
 * bumped, which fences any older instance (its requests now carry a stale epoch); a transaction
 * still running is aborted first under a bumped epoch and the caller is told to retry
 * (CONCURRENT_TRANSACTIONS), so its second call bumps again. A v3+ producer recovering from an
 * abortable error sends its current id and epoch (KIP-360) and keeps its id unless another
 * instance took over since. Epochs near 32767 rotate to a new producer id.
 */
export function handleInitProducerId(ctx: TxnCtx, body: InitProducerIdRequest): InitProducerIdResponseInit {
  const transactionalId = body.transactionalId;
  const hasId = body.producerId !== NO_PRODUCER_ID;
  const hasEpoch = body.producerEpoch !== NO_PRODUCER_EPOCH;
  if (hasId !== hasEpoch) return initError(ErrorCode.INVALID_REQUEST);
  if (transactionalId === null) {
    const producerId = ctx.allocateProducerId();
    emit(ctx, { type: 'producer-id-allocated', transactionalId: null, producerId, producerEpoch: 0 });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  }
  if (transactionalId === '') return initError(ErrorCode.INVALID_REQUEST);
  if (body.transactionTimeoutMs <= 0 || body.transactionTimeoutMs > ctx.config.transactionMaxTimeoutMs) {
    return initError(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  }
  const expected: Expected | null = hasId ? { producerId: body.producerId, epoch: body.producerEpoch } : null;
  const meta = ctx.state.get(transactionalId) ?? freshMetadata(ctx, body.transactionTimeoutMs);
  if (expected !== null && !isValidProducerId(meta, expected)) return initError(ErrorCode.PRODUCER_FENCED);
  switch (meta.state) {
    case 'PrepareAbort':
    case 'PrepareCommit':
      return initError(ErrorCode.CONCURRENT_TRANSACTIONS);
    case 'Ongoing': {
      // Fence the running instance and abort its transaction under the bumped epoch. That epoch is
      // never returned: the client retries and the next call bumps once more (Kafka does the same,
      // so a fence that exhausts the epochs leads to a new producer id on the retry).
      const fencedEpoch = meta.producerEpoch + 1;
      emit(ctx, { type: 'producer-fenced', transactionalId, producerId: meta.producerId, fencedEpoch: meta.producerEpoch, newEpoch: fencedEpoch });
      prepareEnd(ctx, transactionalId, meta, 'abort', 'fenced-by-new-producer', fencedEpoch);
      return initError(ErrorCode.CONCURRENT_TRANSACTIONS);
    }
    case 'Empty':
    case 'CompleteAbort':
    case 'CompleteCommit':
      break;
    case 'Dead':
    case 'PrepareEpochFence':
      throw new Error(`transactional id ${transactionalId} is in state ${meta.state}, which is never stored`);
  }
  const next = nextProducerIdAndEpoch(ctx, meta, expected, body.transactionTimeoutMs);
  if (typeof next === 'number') return initError(next);
  persist(ctx, transactionalId, next);
  emit(ctx, { type: 'producer-id-allocated', transactionalId, producerId: next.producerId, producerEpoch: next.producerEpoch });
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: next.producerId, producerEpoch: next.producerEpoch };
}

function freshMetadata(ctx: TxnCtx, txnTimeoutMs: number): TxnMetadataValue {
  return {
    producerId: ctx.allocateProducerId(),
    previousProducerId: NO_PRODUCER_ID,
    producerEpoch: NO_PRODUCER_EPOCH,
    lastProducerEpoch: NO_PRODUCER_EPOCH,
    txnTimeoutMs,
    state: 'Empty',
    partitions: [],
    groups: [],
    txnStartTimestampMs: -1,
    txnLastUpdateTimestampMs: ctx.nowMs,
  };
}

/**
 * A producer that names its current id is let through when the metadata is new, when the id is
 * the current one (its epoch is checked by the bump), or when it is the id before a rotation and
 * its epoch was the exhausted one (a retry whose answer was lost).
 */
function isValidProducerId(meta: TxnMetadataValue, expected: Expected): boolean {
  return (
    meta.producerEpoch === NO_PRODUCER_EPOCH ||
    expected.producerId === meta.producerId ||
    (expected.producerId === meta.previousProducerId && isEpochExhausted(expected.epoch))
  );
}

/** Kafka's prepareIncrementProducerEpoch / prepareProducerIdRotation, or an error code. */
function nextProducerIdAndEpoch(ctx: TxnCtx, meta: TxnMetadataValue, expected: Expected | null, txnTimeoutMs: number): TxnMetadataValue | number {
  const base = { txnTimeoutMs, state: 'Empty' as const, partitions: [], groups: [], txnStartTimestampMs: -1, txnLastUpdateTimestampMs: ctx.nowMs };
  if (isEpochExhausted(meta.producerEpoch) && (expected === null || expected.epoch === meta.producerEpoch)) {
    return {
      ...base,
      producerId: ctx.allocateProducerId(),
      previousProducerId: meta.producerId,
      producerEpoch: 0,
      lastProducerEpoch: expected === null ? NO_PRODUCER_EPOCH : meta.producerEpoch,
    };
  }
  let epoch: number;
  let lastEpoch: number;
  if (expected === null) {
    // A new instance: bump, and forget the last epoch so an older instance cannot resume.
    epoch = meta.producerEpoch + 1;
    lastEpoch = NO_PRODUCER_EPOCH;
  } else if (meta.producerEpoch === NO_PRODUCER_EPOCH || expected.epoch === meta.producerEpoch) {
    epoch = meta.producerEpoch + 1;
    lastEpoch = meta.producerEpoch;
  } else if (expected.epoch === meta.lastProducerEpoch) {
    // A retry of a bump that succeeded: the same answer again.
    epoch = meta.producerEpoch;
    lastEpoch = meta.lastProducerEpoch;
  } else {
    return ErrorCode.PRODUCER_FENCED;
  }
  return { ...base, producerId: meta.producerId, previousProducerId: meta.producerId, producerEpoch: epoch, lastProducerEpoch: lastEpoch };
}
