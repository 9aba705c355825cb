import type { DescribeGroupsRequest } from '../../protocol/messages/index.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

const describeError = (request: DescribeGroupsRequest, errorCode: number) => ({
  groups: request.groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [] })),
});

/** DescribeGroups v0-5 (an unknown group is reported Dead with error NONE, as Kafka before v6). */
export const describeGroupsHandler = defineHandler({
  apiKey: 15,
  minVersion: 0,
  maxVersion: 5,
  handle: (rctx, request) => callCoordinator(rctx, 'describe-groups', request, (code) => describeError(request, code)),
  errorResponse: (request, errorCode) => describeError(request, errorCode),
});
