import { allowed, Op, Resource } from '../authorize.js';
import { defineHandler } from '../handler.js';
import { callTxnCoordinator } from '../txn/call.js';

/** ListTransactions v0-1 (KIP-664, v1 adds KIP-994's duration filter). Lists only the transactional ids the principal may DESCRIBE, as Kafka. */
export const listTransactionsHandler = defineHandler({
  apiKey: 66,
  minVersion: 0,
  maxVersion: 1,
  async handle(rctx, request) {
    const answer = await callTxnCoordinator(rctx, 'list', request, (errorCode) => ({ throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] }));
    if (rctx.broker.acls === null) return answer;
    return { ...answer, transactionStates: answer.transactionStates.filter((s) => allowed(rctx, Op.DESCRIBE, Resource.TRANSACTIONAL_ID, s.transactionalId, false)) };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] }),
});
