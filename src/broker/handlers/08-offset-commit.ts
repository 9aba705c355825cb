import { offsetCommitError } from '../../coordinator/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { OffsetCommitRequest, OffsetCommitRequestTopic, OffsetCommitResponseTopicInit } from '../../protocol/messages/index.js';
import { allowedOnGroup, allowedOnTopic, Op } from '../authorize.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { visibleTopic } from '../topics.js';

/**
 * OffsetCommit v2-9. As Kafka's request handler does, partitions of unknown topics (or beyond a
 * topic's partition count) are answered UNKNOWN_TOPIC_OR_PARTITION here and never reach the
 * coordinator; the rest are committed by it. With an authorizer, the group needs READ (else every
 * partition is GROUP_AUTHORIZATION_FAILED) and each topic READ (TOPIC_AUTHORIZATION_FAILED), as Kafka.
 */
export const offsetCommitHandler = defineHandler({
  apiKey: 8,
  minVersion: 2,
  maxVersion: 9,
  async handle(rctx, request) {
    if (!allowedOnGroup(rctx, Op.READ, request.groupId)) return offsetCommitError(request, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const { known, unknown } = splitByExistence(rctx, request);
    if (known.length === 0) return { topics: unknown };
    const answer = await callCoordinator(rctx, 'offset-commit', { ...request, topics: known }, (code) => offsetCommitError({ ...request, topics: known }, code));
    return { ...answer, topics: [...answer.topics, ...unknown] };
  },
  errorResponse: (request, errorCode) => offsetCommitError(request, errorCode),
});

function splitByExistence(rctx: RequestContext, request: OffsetCommitRequest): { known: OffsetCommitRequestTopic[]; unknown: OffsetCommitResponseTopicInit[] } {
  const known: OffsetCommitRequestTopic[] = [];
  const unknown: OffsetCommitResponseTopicInit[] = [];
  for (const t of request.topics) {
    if (!allowedOnTopic(rctx, Op.READ, t.name)) {
      unknown.push({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) });
      continue;
    }
    const partitions = visibleTopic(rctx.broker, t.name)?.partitions ?? 0;
    const valid = t.partitions.filter((p) => p.partitionIndex >= 0 && p.partitionIndex < partitions);
    const invalid = t.partitions.filter((p) => !(p.partitionIndex >= 0 && p.partitionIndex < partitions));
    if (valid.length > 0) known.push({ name: t.name, partitions: valid });
    if (invalid.length > 0) {
      unknown.push({ name: t.name, partitions: invalid.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })) });
    }
  }
  return { known, unknown };
}
