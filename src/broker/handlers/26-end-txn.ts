import { ErrorCode } from '../../protocol/errors.js';
import { allowedOnTransactionalId, Op } from '../authorize.js';
import { defineHandler } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { callTxnCoordinator, fencedErrorFor } from '../txn/call.js';

const PRODUCER_FENCED_FROM_VERSION = 2;

/**
 * EndTxn v0-4: commit or abort. Answered once the markers are in every partition of the
 * transaction and its offsets are committed (or dropped). v5 (KIP-890 part 2, an epoch bump per
 * transaction) is not offered, so clients keep transaction version 1. Needs WRITE on the
 * transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), as in Kafka.
 */
export const endTxnHandler = defineHandler({
  apiKey: 26,
  minVersion: 0,
  maxVersion: 4,
  async handle(rctx, request) {
    const error = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 });
    if (!allowedOnTransactionalId(rctx, Op.WRITE, request.transactionalId)) return error(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const answer = await callTxnCoordinator(rctx, 'end-txn', request, error);
    const errorCode = fencedErrorFor(answer.errorCode, rctx.version, PRODUCER_FENCED_FROM_VERSION);
    if (errorCode !== ErrorCode.NONE && errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS) {
      reportRejection(rctx, 'EndTxn', { errorCode, detail: `transactional id ${JSON.stringify(request.transactionalId)} (${request.committed ? 'commit' : 'abort'})` });
    }
    return { ...answer, errorCode };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 }),
});
