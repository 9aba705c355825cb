import type { ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponseInit } from '../../protocol/messages/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { allowedOnGroup, authorizedOperations, Op, Resource } from '../authorize.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

const describeError = (request: ConsumerGroupDescribeRequest, errorCode: number): ConsumerGroupDescribeResponseInit => ({
  throttleTimeMs: 0,
  groups: request.groupIds.map((groupId) => ({ errorCode, errorMessage: null, groupId, groupState: '', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [] })),
});

/** ConsumerGroupDescribe v0-1 (KIP-848; v1 tells classic members from consumer ones). Each group needs DESCRIBE; AuthorizedOperations are the principal's. */
export const consumerGroupDescribeHandler = defineHandler({
  apiKey: 69,
  minVersion: 0,
  maxVersion: 1,
  async handle(rctx, request) {
    const permitted = request.groupIds.filter((g) => allowedOnGroup(rctx, Op.DESCRIBE, g));
    const body = { ...request, groupIds: permitted };
    const answer = permitted.length === 0 ? { throttleTimeMs: 0, groups: [] } : await callCoordinator(rctx, 'consumer-describe', body, (code) => describeError(body, code));
    const byGroup = new Map(answer.groups.map((g) => [g.groupId, g]));
    const OMITTED = -2_147_483_648;
    return {
      ...answer,
      groups: request.groupIds.map((groupId) => {
        const g = byGroup.get(groupId);
        if (g === undefined) return describeError({ ...request, groupIds: [groupId] }, ErrorCode.GROUP_AUTHORIZATION_FAILED).groups[0]!;
        const asked = g.authorizedOperations !== undefined && g.authorizedOperations !== OMITTED;
        return asked ? { ...g, authorizedOperations: authorizedOperations(rctx, Resource.GROUP, groupId) } : g;
      }),
    };
  },
  errorResponse: (request, errorCode) => describeError(request, errorCode),
});
