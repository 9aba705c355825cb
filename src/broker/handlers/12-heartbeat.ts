import { ErrorCode } from '../../protocol/errors.js';
import { allowedOnGroup, Op } from '../authorize.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

/** Heartbeat v0-4. */
export const heartbeatHandler = defineHandler({
  apiKey: 12,
  minVersion: 0,
  maxVersion: 4,
  handle: (rctx, request) =>
    allowedOnGroup(rctx, Op.READ, request.groupId) ? callCoordinator(rctx, 'heartbeat', request, (errorCode) => ({ errorCode })) : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED },
  errorResponse: (_request, errorCode) => ({ errorCode }),
});
