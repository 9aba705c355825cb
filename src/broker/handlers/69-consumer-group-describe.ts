import type { ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponseInit } from '../../protocol/messages/index.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

const describeError = (request: ConsumerGroupDescribeRequest, errorCode: number): ConsumerGroupDescribeResponseInit => ({
  throttleTimeMs: 0,
  groups: request.groupIds.map((groupId) => ({ errorCode, errorMessage: null, groupId, groupState: '', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [] })),
});

/** ConsumerGroupDescribe v0-1 (KIP-848; v1 tells classic members from consumer ones). */
export const consumerGroupDescribeHandler = defineHandler({
  apiKey: 69,
  minVersion: 0,
  maxVersion: 1,
  handle: (rctx, request) => callCoordinator(rctx, 'consumer-describe', request, (code) => describeError(request, code)),
  errorResponse: (request, errorCode) => describeError(request, errorCode),
});
