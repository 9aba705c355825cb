import type { DescribeGroupsRequest } from '../../protocol/messages/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { allowedOnGroup, authorizedOperations, Op, Resource } from '../authorize.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

const describeError = (request: DescribeGroupsRequest, errorCode: number) => ({
  groups: request.groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [] })),
});

/**
 * DescribeGroups v0-5 (an unknown group is reported Dead with error NONE, as Kafka before v6).
 * Each group needs DESCRIBE (GROUP_AUTHORIZATION_FAILED), and v3+ AuthorizedOperations, when
 * asked for, are the principal's on that group.
 */
export const describeGroupsHandler = defineHandler({
  apiKey: 15,
  minVersion: 0,
  maxVersion: 5,
  async handle(rctx, request) {
    const permitted = request.groups.filter((g) => allowedOnGroup(rctx, Op.DESCRIBE, g));
    const body = { ...request, groups: permitted };
    const answer = permitted.length === 0 ? { groups: [] } : await callCoordinator(rctx, 'describe-groups', body, (code) => describeError(body, code));
    const byGroup = new Map(answer.groups.map((g) => [g.groupId, g]));
    const OMITTED = -2_147_483_648;
    return {
      ...answer,
      groups: request.groups.map((groupId) => {
        const g = byGroup.get(groupId);
        if (g === undefined) return { ...describeError({ ...request, groups: [groupId] }, ErrorCode.GROUP_AUTHORIZATION_FAILED).groups[0]!, authorizedOperations: OMITTED };
        const asked = g.authorizedOperations !== undefined && g.authorizedOperations !== OMITTED;
        return asked ? { ...g, authorizedOperations: authorizedOperations(rctx, Resource.GROUP, groupId) } : g;
      }),
    };
  },
  errorResponse: (request, errorCode) => describeError(request, errorCode),
});
