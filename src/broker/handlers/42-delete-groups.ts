import type { DeleteGroupsRequest } from '../../protocol/messages/index.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

const deleteError = (request: DeleteGroupsRequest, errorCode: number) => ({
  throttleTimeMs: 0,
  results: request.groupsNames.map((groupId) => ({ groupId, errorCode })),
});

/** DeleteGroups v0-2: Empty groups only, with their committed offsets. */
export const deleteGroupsHandler = defineHandler({
  apiKey: 42,
  minVersion: 0,
  maxVersion: 2,
  handle: (rctx, request) => callCoordinator(rctx, 'delete-groups', request, (code) => deleteError(request, code)),
  errorResponse: (request, errorCode) => deleteError(request, errorCode),
});
