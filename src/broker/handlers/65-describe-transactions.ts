import { ErrorCode } from '../../protocol/errors.js';
import { allowedOnTopic, allowedOnTransactionalId, Op } from '../authorize.js';
import { defineHandler } from '../handler.js';
import { callTxnCoordinator } from '../txn/call.js';

/**
 * DescribeTransactions v0 (KIP-664): state, producer, timeout and partitions of transactional ids.
 * As Kafka: each id needs DESCRIBE (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), and only the topics
 * the principal may DESCRIBE are listed.
 */
export const describeTransactionsHandler = defineHandler({
  apiKey: 65,
  minVersion: 0,
  maxVersion: 0,
  async handle(rctx, request) {
    const permitted = request.transactionalIds.filter((id) => allowedOnTransactionalId(rctx, Op.DESCRIBE, id));
    const answer = permitted.length === 0 ? errorAnswer([], ErrorCode.NONE) : await callTxnCoordinator(rctx, 'describe', { ...request, transactionalIds: permitted }, (errorCode) => errorAnswer(permitted, errorCode));
    if (rctx.broker.acls === null) return answer;
    const byId = new Map(answer.transactionStates.map((s) => [s.transactionalId, s]));
    return {
      ...answer,
      transactionStates: request.transactionalIds.map((id) => {
        const s = byId.get(id);
        if (s === undefined) return errorAnswer([id], ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED).transactionStates[0]!;
        return { ...s, topics: s.topics.filter((t) => allowedOnTopic(rctx, Op.DESCRIBE, t.topic, false)) };
      }),
    };
  },
  errorResponse: (request, errorCode) => errorAnswer(request.transactionalIds, errorCode),
});

function errorAnswer(ids: string[], errorCode: number) {
  return {
    throttleTimeMs: 0,
    transactionStates: ids.map((transactionalId) => ({ errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] })),
  };
}
