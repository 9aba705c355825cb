import type { OffsetFetchRequest, OffsetFetchResponseInit } from '../../protocol/messages/index.js';
import { callCoordinator } from '../groups/call.js';
import { defineHandler } from '../handler.js';

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

/** OffsetFetch v1-9 (v8+: several groups; null topics = every committed partition). */
export const offsetFetchHandler = defineHandler({
  apiKey: 9,
  minVersion: 1,
  maxVersion: 9,
  handle: (rctx, request) => callCoordinator(rctx, 'offset-fetch', request, (code) => fetchError(request, rctx.version, code)),
  errorResponse: (request, errorCode, version) => fetchError(request, version, errorCode),
});
