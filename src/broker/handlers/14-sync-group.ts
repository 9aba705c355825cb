import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

const syncError = (errorCode: number) => ({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });

/** SyncGroup v0-5: followers are parked until the leader's assignment is stored. */
export const syncGroupHandler = defineHandler({
  apiKey: 14,
  minVersion: 0,
  maxVersion: 5,
  handle: (rctx, request) => callCoordinator(rctx, 'sync', request, syncError),
  errorResponse: (_request, errorCode) => syncError(errorCode),
});
