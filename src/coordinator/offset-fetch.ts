import { ErrorCode } from '../protocol/errors.js';
import type { OffsetFetchResponseInit } from '../protocol/messages/index.js';
import type { Ctx } from './context.js';
import { validateConsumerOffsetFetch } from './consumer/offsets.js';
import type { CoordinatorRequest } from './types.js';

/** OffsetFetch v8+ asks for several groups at once. */
const MIN_VERSION_MULTI_GROUP = 8;

interface PartitionOffset {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string;
  errorCode: number;
}

interface TopicOffsets {
  name: string;
  partitions: PartitionOffset[];
}

/**
 * OffsetFetch never checks membership for classic groups (v9 checks consumer group members). An unknown group is not an error: the
 * requested partitions come back with offset -1, like partitions without a commit. `null`
 * topics (v2+) means every committed partition, sorted. With RequireStable (v7+, KIP-447) a
 * partition whose offset waits on a running transaction is UNSTABLE_OFFSET_COMMIT, so a new
 * owner does not start from an offset that is about to change.
 */
export function handleOffsetFetch(ctx: Ctx, request: CoordinatorRequest<'offset-fetch'>): OffsetFetchResponseInit {
  const body = request.body;
  if (request.apiVersion >= MIN_VERSION_MULTI_GROUP) {
    return {
      groups: body.groups.map((g) => {
        // v9: a consumer group member (KIP-848) is checked like its commits are.
        const consumerGroup = ctx.durable.consumerGroups.get(g.groupId);
        const errorCode = consumerGroup === undefined ? ErrorCode.NONE : validateConsumerOffsetFetch(consumerGroup, g.memberId, g.memberEpoch);
        if (errorCode !== ErrorCode.NONE) return { groupId: g.groupId, topics: [], errorCode };
        return { groupId: g.groupId, topics: requireStable(ctx, body.requireStable, g.groupId, fetchGroup(ctx, g.groupId, g.topics)), errorCode: ErrorCode.NONE };
      }),
    };
  }
  return { topics: requireStable(ctx, body.requireStable, body.groupId, fetchGroup(ctx, body.groupId, body.topics)), errorCode: ErrorCode.NONE };
}

function requireStable(ctx: Ctx, stable: boolean, groupId: string, topics: TopicOffsets[]): TopicOffsets[] {
  if (!stable || !ctx.durable.pendingTxnOffsets.hasGroup(groupId)) return topics;
  for (const t of topics) {
    t.partitions = t.partitions.map((p) =>
      ctx.durable.pendingTxnOffsets.has(groupId, t.name, p.partitionIndex) ? { ...noOffset(p.partitionIndex), errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT } : p,
    );
  }
  return topics;
}

function fetchGroup(ctx: Ctx, groupId: string, topics: readonly { name: string; partitionIndexes: number[] }[] | null): TopicOffsets[] {
  const known = (ctx.groups.has(groupId) && !ctx.groups.get(groupId)!.is('Dead')) || ctx.durable.consumerGroups.has(groupId);
  if (topics === null) {
    if (!known) return [];
    const committed = ctx.durable.groupOffsets(groupId);
    return [...committed.keys()].sort().map((name) => ({
      name,
      partitions: [...committed.get(name)!.keys()].sort((a, b) => a - b).map((p) => partitionOffset(ctx, groupId, name, p)),
    }));
  }
  return topics.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((p) => (known ? partitionOffset(ctx, groupId, t.name, p) : noOffset(p))),
  }));
}

function partitionOffset(ctx: Ctx, groupId: string, topic: string, partition: number): PartitionOffset {
  const value = ctx.durable.offset(groupId, topic, partition);
  if (value === undefined) return noOffset(partition);
  return {
    partitionIndex: partition,
    committedOffset: value.offset,
    committedLeaderEpoch: value.leaderEpoch,
    metadata: value.metadata,
    errorCode: ErrorCode.NONE,
  };
}

function noOffset(partition: number): PartitionOffset {
  return { partitionIndex: partition, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
}
