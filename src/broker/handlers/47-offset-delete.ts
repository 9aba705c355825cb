import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

/** OffsetDelete v0 (KIP-496). */
export const offsetDeleteHandler = defineHandler({
  apiKey: 47,
  minVersion: 0,
  maxVersion: 0,
  handle: (rctx, request) => callCoordinator(rctx, 'offset-delete', request, (errorCode) => ({ errorCode, throttleTimeMs: 0, topics: [] })),
  errorResponse: (_request, errorCode) => ({ errorCode, throttleTimeMs: 0, topics: [] }),
});
