import { errorName } from '../protocol/errors.js';
import { BROKER_EVENTS, publishBrokerEvent } from './events.js';
import type { RequestContext } from './handler.js';

export interface Rejection {
  topic?: string;
  partition?: number;
  errorCode: number;
  detail: string;
}

/**
 * Logs a request (or one topic or partition of it) that we answer with an error the client caused,
 * and publishes it as `samsa:broker:request-rejected`. Errors that are part of normal operation
 * (an auto-created topic's LEADER_NOT_AVAILABLE, a fetch at the log end) are not rejections.
 */
export function reportRejection(rctx: RequestContext, api: string, r: Rejection): void {
  const name = errorName(r.errorCode);
  rctx.broker.log.warn('request rejected', {
    connection: rctx.connection.id,
    clientId: rctx.header.clientId,
    api: `${api} v${rctx.version}`,
    ...(r.topic !== undefined ? { topic: r.topic } : {}),
    ...(r.partition !== undefined ? { partition: r.partition } : {}),
    error: name,
    detail: r.detail,
  });
  publishBrokerEvent(BROKER_EVENTS.requestRejected, {
    nodeId: rctx.broker.config.nodeId,
    port: rctx.broker.config.port,
    connectionId: rctx.connection.id,
    api,
    ...(r.topic !== undefined ? { topic: r.topic } : {}),
    ...(r.partition !== undefined ? { partition: r.partition } : {}),
    errorCode: r.errorCode,
    errorName: name,
    detail: r.detail,
  });
}
