import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

/** LeaveGroup v0-5 (v3+ removes a batch of members, by member id or group.instance.id). */
export const leaveGroupHandler = defineHandler({
  apiKey: 13,
  minVersion: 0,
  maxVersion: 5,
  handle: (rctx, request) => callCoordinator(rctx, 'leave', request, (errorCode) => ({ errorCode, members: [] })),
  errorResponse: (_request, errorCode) => ({ errorCode, members: [] }),
});
