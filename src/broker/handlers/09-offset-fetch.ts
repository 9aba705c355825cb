import { ErrorCode } from '../../protocol/errors.js';
import type { OffsetFetchRequest, OffsetFetchResponseInit, OffsetFetchResponsePartitionInit, OffsetFetchResponseTopicInit } from '../../protocol/messages/index.js';
import { allowedOnGroup, allowedOnTopic, Op } from '../authorize.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler, type RequestContext } from '../handler.js';

/** The whole request failed with `errorCode`, in the shape of its version. */
function fetchError(request: OffsetFetchRequest, version: number, errorCode: number): OffsetFetchResponseInit {
  if (version >= 8) return { groups: request.groups.map((g) => ({ groupId: g.groupId, topics: [], errorCode })) };
  // v0-1 have no top-level error: it goes on every partition.
  const topics = (request.topics ?? []).map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode })),
  }));
  return { topics, errorCode };
}

/**
 * OffsetFetch v1-9 (v8+: several groups; null topics = every committed partition). With an
 * authorizer, as Kafka: a group needs READ (GROUP_AUTHORIZATION_FAILED), and a topic DESCRIBE:
 * named topics the principal may not describe come back TOPIC_AUTHORIZATION_FAILED, and a
 * request for every committed partition silently leaves them out.
 */
export const offsetFetchHandler = defineHandler({
  apiKey: 9,
  minVersion: 1,
  maxVersion: 9,
  async handle(rctx, request) {
    const call = (req: OffsetFetchRequest) => callCoordinator(rctx, 'offset-fetch', req, (code) => fetchError(req, rctx.version, code));
    if (rctx.broker.acls === null) return call(request);
    if (rctx.version < 8) {
      if (!allowedOnGroup(rctx, Op.READ, request.groupId)) return fetchError(request, rctx.version, ErrorCode.GROUP_AUTHORIZATION_FAILED);
      const answer = await call(request);
      return { ...answer, topics: hideUnauthorized(rctx, answer.topics ?? [], request.topics === null) };
    }
    const allowedGroups = request.groups.filter((g) => allowedOnGroup(rctx, Op.READ, g.groupId));
    const answer = allowedGroups.length === 0 ? { groups: [] } : await call({ ...request, groups: allowedGroups });
    const byGroup = new Map((answer.groups ?? []).map((g) => [g.groupId, g]));
    const asked = new Map(request.groups.map((g) => [g.groupId, g]));
    return {
      ...answer,
      groups: request.groups.map((g) => {
        const found = byGroup.get(g.groupId);
        if (found === undefined) return { groupId: g.groupId, topics: [], errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
        return { ...found, topics: hideUnauthorized(rctx, found.topics ?? [], asked.get(g.groupId)!.topics === null) };
      }),
    };
  },
  errorResponse: (request, errorCode, version) => fetchError(request, version, errorCode),
});

type AnyTopic = OffsetFetchResponseTopicInit & { partitions?: OffsetFetchResponsePartitionInit[] };

function hideUnauthorized<T extends AnyTopic>(rctx: RequestContext, topics: T[], allTopics: boolean): T[] {
  const out: T[] = [];
  for (const t of topics) {
    if (allowedOnTopic(rctx, Op.DESCRIBE, t.name!, !allTopics)) out.push(t);
    else if (!allTopics) out.push({ ...t, partitions: (t.partitions ?? []).map((p) => ({ partitionIndex: p.partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) });
  }
  return out;
}
