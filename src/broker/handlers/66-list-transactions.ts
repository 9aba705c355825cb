import { defineHandler } from '../handler.js';
import { callTxnCoordinator } from '../txn/call.js';

/** ListTransactions v0-1 (KIP-664, v1 adds KIP-994's duration filter). */
export const listTransactionsHandler = defineHandler({
  apiKey: 66,
  minVersion: 0,
  maxVersion: 1,
  handle: (rctx, request) =>
    callTxnCoordinator(rctx, 'list', request, (errorCode) => ({ throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] })),
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] }),
});
