import { txnOffsetCommitError } from '../../coordinator/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { TxnOffsetCommitRequest, TxnOffsetCommitRequestTopic, TxnOffsetCommitResponseTopicInit } from '../../protocol/messages/index.js';
import { callCoordinator } from '../groups/call.js';
import { allowedOnGroup, allowedOnTopic, allowedOnTransactionalId, Op } from '../authorize.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { visibleTopic } from '../topics.js';

/**
 * TxnOffsetCommit v0-4 (v3+ carry the member and generation, KIP-447). The transaction
 * coordinator first checks that the producer added the group to its running transaction
 * (AddOffsetsToTxn), as Kafka's transaction verification does; then, as Kafka's request handler
 * does, partitions of unknown topics are answered UNKNOWN_TOPIC_OR_PARTITION and the rest go to
 * the group coordinator, where they stay pending until the transaction ends. As Kafka: WRITE on
 * the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), READ on the group
 * (GROUP_AUTHORIZATION_FAILED), READ on each topic (TOPIC_AUTHORIZATION_FAILED).
 */
export const txnOffsetCommitHandler = defineHandler({
  apiKey: 28,
  minVersion: 0,
  maxVersion: 4,
  async handle(rctx, request) {
    if (!allowedOnTransactionalId(rctx, Op.WRITE, request.transactionalId)) return txnOffsetCommitError(request, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    if (!allowedOnGroup(rctx, Op.READ, request.groupId)) return txnOffsetCommitError(request, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const verified = verify(rctx, request);
    if (verified !== ErrorCode.NONE) {
      reportRejection(rctx, 'TxnOffsetCommit', { errorCode: verified, detail: `transactional id ${JSON.stringify(request.transactionalId)}, group ${JSON.stringify(request.groupId)}` });
      return txnOffsetCommitError(request, verified);
    }
    const { known, unknown } = splitByExistence(rctx, request);
    if (known.length === 0) return { throttleTimeMs: 0, topics: unknown };
    const body = { ...request, topics: known };
    const answer = await callCoordinator(rctx, 'txn-offset-commit', body, (code) => txnOffsetCommitError(body, code));
    return { ...answer, topics: [...answer.topics, ...unknown] };
  },
  errorResponse: (request, errorCode) => txnOffsetCommitError(request, errorCode),
});

/** The transaction coordinator's verdict, in the errors TxnOffsetCommit clients handle. */
function verify(rctx: RequestContext, request: TxnOffsetCommitRequest): number {
  const code = rctx.broker.txn.verifyGroup(request.transactionalId, request.producerId, request.producerEpoch, request.groupId);
  switch (code) {
    case ErrorCode.TRANSACTION_ABORTABLE:
      return rctx.version >= 4 ? code : ErrorCode.INVALID_TXN_STATE;
    case ErrorCode.PRODUCER_FENCED:
      return ErrorCode.INVALID_PRODUCER_EPOCH;
    case ErrorCode.CONCURRENT_TRANSACTIONS:
      return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    default:
      return code;
  }
}

function splitByExistence(rctx: RequestContext, request: TxnOffsetCommitRequest): { known: TxnOffsetCommitRequestTopic[]; unknown: TxnOffsetCommitResponseTopicInit[] } {
  const known: TxnOffsetCommitRequestTopic[] = [];
  const unknown: TxnOffsetCommitResponseTopicInit[] = [];
  for (const t of request.topics) {
    if (!allowedOnTopic(rctx, Op.READ, t.name)) {
      unknown.push({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) });
      continue;
    }
    const partitions = visibleTopic(rctx.broker, t.name)?.partitions ?? 0;
    const exists = (p: { partitionIndex: number }) => p.partitionIndex >= 0 && p.partitionIndex < partitions;
    const valid = t.partitions.filter(exists);
    const invalid = t.partitions.filter((p) => !exists(p));
    if (valid.length > 0) known.push({ name: t.name, partitions: valid });
    if (invalid.length > 0) unknown.push({ name: t.name, partitions: invalid.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })) });
  }
  return { known, unknown };
}
