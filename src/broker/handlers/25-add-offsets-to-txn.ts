import { ErrorCode } from '../../protocol/errors.js';
import { allowedOnGroup, allowedOnTransactionalId, Op } from '../authorize.js';
import { defineHandler } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { callTxnCoordinator, fencedErrorFor } from '../txn/call.js';

const PRODUCER_FENCED_FROM_VERSION = 2;

/** AddOffsetsToTxn v0-4: the group's offsets join the producer's transaction (sendOffsetsToTransaction). Needs WRITE on the transactional id and READ on the group, as in Kafka. */
export const addOffsetsToTxnHandler = defineHandler({
  apiKey: 25,
  minVersion: 0,
  maxVersion: 4,
  async handle(rctx, request) {
    if (!allowedOnTransactionalId(rctx, Op.WRITE, request.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    if (!allowedOnGroup(rctx, Op.READ, request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    const answer = await callTxnCoordinator(rctx, 'add-offsets', request, (errorCode) => ({ errorCode }));
    const errorCode = fencedErrorFor(answer.errorCode, rctx.version, PRODUCER_FENCED_FROM_VERSION);
    if (errorCode !== ErrorCode.NONE && errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS) {
      reportRejection(rctx, 'AddOffsetsToTxn', { errorCode, detail: `transactional id ${JSON.stringify(request.transactionalId)}, group ${JSON.stringify(request.groupId)}` });
    }
    return { throttleTimeMs: 0, errorCode };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode }),
});
