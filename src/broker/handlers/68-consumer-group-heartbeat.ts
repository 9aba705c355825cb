import type { ConsumerGroupHeartbeatResponseInit } from '../../protocol/messages/index.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

const heartbeatError = (errorCode: number): ConsumerGroupHeartbeatResponseInit => ({
  throttleTimeMs: 0,
  errorCode,
  errorMessage: null,
  memberId: null,
  memberEpoch: 0,
  heartbeatIntervalMs: 0,
  assignment: null,
});

/**
 * ConsumerGroupHeartbeat v0-1 (KIP-848): the one RPC of consumer group members. v1 (KIP-1082)
 * members bring their own member id.
 */
export const consumerGroupHeartbeatHandler = defineHandler({
  apiKey: 68,
  minVersion: 0,
  maxVersion: 1,
  handle: (rctx, request) => callCoordinator(rctx, 'consumer-heartbeat', request, heartbeatError),
  errorResponse: (_request, errorCode) => heartbeatError(errorCode),
});
