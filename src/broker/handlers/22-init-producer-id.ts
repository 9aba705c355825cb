import { ErrorCode } from '../../protocol/errors.js';
import { allowedOnAnyOfType, allowedOnCluster, allowedOnTransactionalId, Op, Resource } from '../authorize.js';
import { BROKER_EVENTS, publishBrokerEvent } from '../events.js';
import { defineHandler } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { callTxnCoordinator, fencedErrorFor } from '../txn/call.js';

/** InitProducerId v4+ may answer PRODUCER_FENCED (KIP-588). */
const PRODUCER_FENCED_FROM_VERSION = 4;

/**
 * InitProducerId v0-5, answered by the transaction coordinator: a fresh producer id for an
 * idempotent producer; for a transactional id, its producer id with a bumped epoch (fencing
 * older instances, aborting a transaction they left open), KIP-360 recovery with the current
 * id and epoch, and a new id when the epochs run out. As Kafka: a transactional id needs WRITE on
 * it (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); an idempotent producer IDEMPOTENT_WRITE on the
 * cluster or WRITE on some topic (KIP-679), else CLUSTER_AUTHORIZATION_FAILED.
 */
export const initProducerIdHandler = defineHandler({
  apiKey: 22,
  minVersion: 0,
  maxVersion: 5,
  async handle(rctx, request) {
    const ctx = rctx.broker;
    const error = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 });
    if (ctx.acls !== null) {
      if (request.transactionalId !== null) {
        if (!allowedOnTransactionalId(rctx, Op.WRITE, request.transactionalId)) return error(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      } else if (!allowedOnCluster(rctx, Op.IDEMPOTENT_WRITE, false) && !allowedOnAnyOfType(rctx, Op.WRITE, Resource.TOPIC)) {
        return error(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
      }
    }
    const answer = await callTxnCoordinator(rctx, 'init-producer-id', request, error);
    const errorCode = fencedErrorFor(answer.errorCode, rctx.version, PRODUCER_FENCED_FROM_VERSION);
    if (errorCode !== ErrorCode.NONE) {
      if (errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS) {
        reportRejection(rctx, 'InitProducerId', { errorCode, detail: `transactional id ${JSON.stringify(request.transactionalId)}` });
      }
      return { ...answer, errorCode };
    }
    const ids = { producerId: answer.producerId!, producerEpoch: answer.producerEpoch! };
    ctx.log.debug('producer id allocated', { ...ids, transactionalId: request.transactionalId, clientId: rctx.header.clientId });
    publishBrokerEvent(BROKER_EVENTS.producerIdAllocated, { nodeId: ctx.config.nodeId, port: ctx.config.port, ...ids });
    return answer;
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 };
  },
});
