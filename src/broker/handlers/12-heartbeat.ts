import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

/** Heartbeat v0-4. */
export const heartbeatHandler = defineHandler({
  apiKey: 12,
  minVersion: 0,
  maxVersion: 4,
  handle: (rctx, request) => callCoordinator(rctx, 'heartbeat', request, (errorCode) => ({ errorCode })),
  errorResponse: (_request, errorCode) => ({ errorCode }),
});
