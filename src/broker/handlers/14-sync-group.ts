import { ErrorCode } from '../../protocol/errors.js';
import { allowedOnGroup, Op } from '../authorize.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

const syncError = (errorCode: number) => ({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });

/** SyncGroup v0-5: followers are parked until the leader's assignment is stored. */
export const syncGroupHandler = defineHandler({
  apiKey: 14,
  minVersion: 0,
  maxVersion: 5,
  handle: (rctx, request) => (allowedOnGroup(rctx, Op.READ, request.groupId) ? callCoordinator(rctx, 'sync', request, syncError) : syncError(ErrorCode.GROUP_AUTHORIZATION_FAILED)),
  errorResponse: (_request, errorCode) => syncError(errorCode),
});
