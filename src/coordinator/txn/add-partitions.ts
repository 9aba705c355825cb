import { ErrorCode } from '../../protocol/errors.js';
import { emit, persist, type TxnCtx } from './context.js';
import { mergeGroups, mergePartitions, tpKey, type TxnMetadataValue, type TxnTopicPartition } from './metadata.js';
import type { AddOffsetsBody, AddPartitionsBody } from './types.js';

/** The checks AddPartitionsToTxn, AddOffsetsToTxn and verification share; NONE when the producer may go on. */
function checkProducer(meta: TxnMetadataValue | undefined, producerId: number, producerEpoch: number): number {
  if (meta === undefined || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  if (meta.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
  if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') return ErrorCode.CONCURRENT_TRANSACTIONS;
  return ErrorCode.NONE;
}

/** The metadata of a transaction that now also covers `partitions` and `groups`. */
function extend(ctx: TxnCtx, transactionalId: string, meta: TxnMetadataValue, partitions: readonly TxnTopicPartition[], groups: readonly string[]): void {
  const starting = meta.state !== 'Ongoing';
  persist(ctx, transactionalId, {
    ...meta,
    state: 'Ongoing',
    partitions: mergePartitions(starting ? [] : meta.partitions, partitions),
    groups: groups.reduce<readonly string[]>((all, g) => mergeGroups(all, g), starting ? [] : meta.groups),
    txnStartTimestampMs: starting ? ctx.nowMs : meta.txnStartTimestampMs,
    txnLastUpdateTimestampMs: ctx.nowMs,
  });
  if (starting) emit(ctx, { type: 'transaction-begun', transactionalId, producerId: meta.producerId, producerEpoch: meta.producerEpoch });
}

/**
 * AddPartitionsToTxn (Kafka's handleAddPartitionsToTransaction): the first call of a transaction
 * starts it (Ongoing, and its timeout starts counting); partitions already in it are answered
 * at once without a write.
 */
export function handleAddPartitions(ctx: TxnCtx, body: AddPartitionsBody): { errorCode: number } {
  if (body.transactionalId === '') return { errorCode: ErrorCode.INVALID_REQUEST };
  const meta = ctx.state.get(body.transactionalId);
  const error = checkProducer(meta, body.producerId, body.producerEpoch);
  if (error !== ErrorCode.NONE) return { errorCode: error };
  if (meta!.state === 'Ongoing') {
    const known = new Set(meta!.partitions.map((tp) => tpKey(tp.topic, tp.partition)));
    if (body.partitions.every((tp) => known.has(tpKey(tp.topic, tp.partition)))) return { errorCode: ErrorCode.NONE };
  }
  extend(ctx, body.transactionalId, meta!, body.partitions, []);
  return { errorCode: ErrorCode.NONE };
}

/** AddOffsetsToTxn: the group's offsets join the transaction (Kafka adds the group's offsets partition). */
export function handleAddOffsets(ctx: TxnCtx, body: AddOffsetsBody): { errorCode: number } {
  if (body.transactionalId === '') return { errorCode: ErrorCode.INVALID_REQUEST };
  const meta = ctx.state.get(body.transactionalId);
  const error = checkProducer(meta, body.producerId, body.producerEpoch);
  if (error !== ErrorCode.NONE) return { errorCode: error };
  if (meta!.state === 'Ongoing' && meta!.groups.includes(body.groupId)) return { errorCode: ErrorCode.NONE };
  extend(ctx, body.transactionalId, meta!, [], [body.groupId]);
  return { errorCode: ErrorCode.NONE };
}

/**
 * KIP-890 verification (Kafka's handleVerifyPartitionsInTransaction): may this producer write
 * transactional data to the partition, or transactional offsets for the group? Anything not in
 * the running transaction is TRANSACTION_ABORTABLE; callers answering older clients map it to
 * INVALID_TXN_STATE, as Kafka's AddPartitionsToTxnManager does.
 */
export function verifyMember(
  meta: TxnMetadataValue | undefined,
  producerId: number,
  producerEpoch: number,
  member: { topic: string; partition: number } | { groupId: string },
): number {
  const error = checkProducer(meta, producerId, producerEpoch);
  if (error !== ErrorCode.NONE) return error;
  if (meta!.state !== 'Ongoing') return ErrorCode.TRANSACTION_ABORTABLE;
  const included =
    'groupId' in member
      ? meta!.groups.includes(member.groupId)
      : meta!.partitions.some((tp) => tp.topic === member.topic && tp.partition === member.partition);
  return included ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE;
}
