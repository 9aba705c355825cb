import type { JoinGroupResponseInit } from '../../protocol/messages/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { allowedOnGroup, Op } from '../authorize.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

const joinError = (memberId: string, errorCode: number): JoinGroupResponseInit => ({
  errorCode,
  generationId: -1,
  protocolType: null,
  protocolName: null,
  leader: '',
  memberId,
  members: [],
});

/** Kafka's JoinGroupResponse: before v7 ProtocolName is not nullable (""), from v7 "" is sent as null. */
function forVersion(response: JoinGroupResponseInit, version: number): JoinGroupResponseInit {
  if (version < 7) return { ...response, protocolName: response.protocolName ?? '' };
  return response.protocolName === '' ? { ...response, protocolName: null } : response;
}

/** JoinGroup v0-9: parked until the join phase completes (classic group protocol). */
export const joinGroupHandler = defineHandler({
  apiKey: 11,
  minVersion: 0,
  maxVersion: 9,
  async handle(rctx, request) {
    // Kafka: READ on the group, for every member API of the classic protocol.
    if (!allowedOnGroup(rctx, Op.READ, request.groupId)) return forVersion(joinError(request.memberId, ErrorCode.GROUP_AUTHORIZATION_FAILED), rctx.version);
    return forVersion(await callCoordinator(rctx, 'join', request, (code) => joinError(request.memberId, code)), rctx.version);
  },
  errorResponse: (request, errorCode, version) => forVersion(joinError(request.memberId, errorCode), version),
});
