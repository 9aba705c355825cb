import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

/** ListGroups v0-5 (states filter v4+, types filter v5+). */
export const listGroupsHandler = defineHandler({
  apiKey: 16,
  minVersion: 0,
  maxVersion: 5,
  handle: (rctx, request) => callCoordinator(rctx, 'list-groups', request, (errorCode) => ({ errorCode, groups: [] })),
  errorResponse: (_request, errorCode) => ({ errorCode, groups: [] }),
});
