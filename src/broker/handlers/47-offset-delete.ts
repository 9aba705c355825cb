import { ErrorCode } from '../../protocol/errors.js';
import { allowedOnGroup, allowedOnTopic, Op } from '../authorize.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

/** OffsetDelete v0 (KIP-496). As Kafka: DELETE on the group (GROUP_AUTHORIZATION_FAILED), READ on each topic (TOPIC_AUTHORIZATION_FAILED). */
export const offsetDeleteHandler = defineHandler({
  apiKey: 47,
  minVersion: 0,
  maxVersion: 0,
  async handle(rctx, request) {
    if (!allowedOnGroup(rctx, Op.DELETE, request.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
    const permitted = request.topics.filter((t) => allowedOnTopic(rctx, Op.READ, t.name));
    const denied = request.topics.filter((t) => !permitted.includes(t)).map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) }));
    const answer = await callCoordinator(rctx, 'offset-delete', { ...request, topics: permitted }, (errorCode) => ({ errorCode, throttleTimeMs: 0, topics: [] }));
    return denied.length === 0 ? answer : { ...answer, topics: [...answer.topics, ...denied] };
  },
  errorResponse: (_request, errorCode) => ({ errorCode, throttleTimeMs: 0, topics: [] }),
});
