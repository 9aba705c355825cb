import { ErrorCode } from '../../protocol/errors.js';
import { BROKER_EVENTS, publishBrokerEvent } from '../events.js';
import { defineHandler } from '../handler.js';
import { reportRejection } from '../rejections.js';

/**
 * InitProducerId v0-4 for idempotent producers (KIP-98): a fresh producer id at epoch 0, or, when
 * a v3+ producer sends its current id and epoch (KIP-360), the same id with the epoch bumped so it
 * can restart its sequences. Transactional ids are refused: Samsa has no transaction coordinator.
 */
export const initProducerIdHandler = defineHandler({
  apiKey: 22,
  minVersion: 0,
  maxVersion: 4,
  handle(rctx, request) {
    const ctx = rctx.broker;
    if (request.transactionalId !== null) {
      const errorCode = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
      reportRejection(rctx, 'InitProducerId', { errorCode, detail: `transactional id '${request.transactionalId}': transactions are not supported` });
      return { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 };
    }
    const ids = request.producerId >= 0 && request.producerEpoch >= 0
      ? ctx.producers.bumpEpoch(request.producerId, request.producerEpoch)
      : ctx.producers.allocate();
    ctx.log.debug('producer id allocated', { ...ids, clientId: rctx.header.clientId });
    publishBrokerEvent(BROKER_EVENTS.producerIdAllocated, { nodeId: ctx.config.nodeId, port: ctx.config.port, ...ids });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, ...ids };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 };
  },
});
