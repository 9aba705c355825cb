import type { ConsumerGroupHeartbeatResponseInit } from '../../protocol/messages/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { allowedOnGroup, allowedOnTopic, Op } from '../authorize.js';
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
 * members bring their own member id. As Kafka: READ on the group, and DESCRIBE on every
 * subscribed topic (else TOPIC_AUTHORIZATION_FAILED naming them).
 */
export const consumerGroupHeartbeatHandler = defineHandler({
  apiKey: 68,
  minVersion: 0,
  maxVersion: 1,
  handle(rctx, request) {
    if (!allowedOnGroup(rctx, Op.READ, request.groupId)) return heartbeatError(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const denied = (request.subscribedTopicNames ?? []).filter((t) => !allowedOnTopic(rctx, Op.DESCRIBE, t));
    if (denied.length > 0) return { ...heartbeatError(ErrorCode.TOPIC_AUTHORIZATION_FAILED), errorMessage: `Topic authorization failed for topics ${denied.join(', ')}` };
    return callCoordinator(rctx, 'consumer-heartbeat', request, heartbeatError);
  },
  errorResponse: (_request, errorCode) => heartbeatError(errorCode),
});
