import { ErrorCode } from '../../protocol/errors.js';
import { allowedOnGroup, Op } from '../authorize.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

/** LeaveGroup v0-5 (v3+ removes a batch of members, by member id or group.instance.id). */
export const leaveGroupHandler = defineHandler({
  apiKey: 13,
  minVersion: 0,
  maxVersion: 5,
  handle: (rctx, request) =>
    allowedOnGroup(rctx, Op.READ, request.groupId) ? callCoordinator(rctx, 'leave', request, (errorCode) => ({ errorCode, members: [] })) : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] },
  errorResponse: (_request, errorCode) => ({ errorCode, members: [] }),
});
