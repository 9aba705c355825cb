import { allowedOnCluster, allowedOnGroup, Op } from '../authorize.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

/** ListGroups v0-5 (states filter v4+, types filter v5+). Kafka lists every group to a principal with DESCRIBE on the cluster, else only the groups it may DESCRIBE. */
export const listGroupsHandler = defineHandler({
  apiKey: 16,
  minVersion: 0,
  maxVersion: 5,
  async handle(rctx, request) {
    const answer = await callCoordinator(rctx, 'list-groups', request, (errorCode) => ({ errorCode, groups: [] }));
    if (rctx.broker.acls === null || allowedOnCluster(rctx, Op.DESCRIBE, false)) return answer;
    return { ...answer, groups: answer.groups.filter((g) => allowedOnGroup(rctx, Op.DESCRIBE, g.groupId, false)) };
  },
  errorResponse: (_request, errorCode) => ({ errorCode, groups: [] }),
});
