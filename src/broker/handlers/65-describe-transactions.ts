import { defineHandler } from '../handler.js';
import { callTxnCoordinator } from '../txn/call.js';

/** DescribeTransactions v0 (KIP-664): state, producer, timeout and partitions of transactional ids. */
export const describeTransactionsHandler = defineHandler({
  apiKey: 65,
  minVersion: 0,
  maxVersion: 0,
  handle: (rctx, request) => callTxnCoordinator(rctx, 'describe', request, (errorCode) => errorAnswer(request.transactionalIds, errorCode)),
  errorResponse: (request, errorCode) => errorAnswer(request.transactionalIds, errorCode),
});

function errorAnswer(ids: string[], errorCode: number) {
  return {
    throttleTimeMs: 0,
    transactionStates: ids.map((transactionalId) => ({ errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] })),
  };
}
