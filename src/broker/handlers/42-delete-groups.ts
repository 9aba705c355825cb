import type { DeleteGroupsRequest } from '../../protocol/messages/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { allowedOnGroup, Op } from '../authorize.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

const deleteError = (request: DeleteGroupsRequest, errorCode: number) => ({
  throttleTimeMs: 0,
  results: request.groupsNames.map((groupId) => ({ groupId, errorCode })),
});

/** DeleteGroups v0-2: Empty groups only, with their committed offsets. Each group needs DELETE (GROUP_AUTHORIZATION_FAILED), as Kafka. */
export const deleteGroupsHandler = defineHandler({
  apiKey: 42,
  minVersion: 0,
  maxVersion: 2,
  async handle(rctx, request) {
    const permitted = request.groupsNames.filter((g) => allowedOnGroup(rctx, Op.DELETE, g));
    const body = { ...request, groupsNames: permitted };
    const answer = permitted.length === 0 ? deleteError(body, ErrorCode.NONE) : await callCoordinator(rctx, 'delete-groups', body, (code) => deleteError(body, code));
    if (permitted.length === request.groupsNames.length) return answer;
    const byGroup = new Map(answer.results.map((r) => [r.groupId, r]));
    return { ...answer, results: request.groupsNames.map((groupId) => byGroup.get(groupId) ?? { groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }) };
  },
  errorResponse: (request, errorCode) => deleteError(request, errorCode),
});
