import { ErrorCode } from '../protocol/errors.js';
import type { OffsetDeleteResponseInit } from '../protocol/messages/index.js';
import { persist, type Ctx } from './context.js';
import type { CoordinatorRequest } from './types.js';

/**
 * OffsetDelete (KIP-496): allowed on an Empty group; on an active consumer group only for
 * topics no member subscribes to (GROUP_SUBSCRIBED_TO_TOPIC for the others); an active group of
 * another protocol type is NON_EMPTY_GROUP.
 */
export function handleOffsetDelete(ctx: Ctx, request: CoordinatorRequest<'offset-delete'>): OffsetDeleteResponseInit {
  const body = request.body;
  const fail = (errorCode: number): OffsetDeleteResponseInit => ({ errorCode, throttleTimeMs: 0, topics: [] });
  if (body.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
  const group = ctx.groups.get(body.groupId);
  if (group === undefined || group.is('Dead')) return fail(ErrorCode.GROUP_ID_NOT_FOUND);
  if (!group.is('Empty') && !group.usesConsumerProtocol()) return fail(ErrorCode.NON_EMPTY_GROUP);
  const response: OffsetDeleteResponseInit = { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics: [] };
  for (const topic of body.topics) {
    const subscribed = group.isSubscribedToTopic(topic.name);
    const partitions = topic.partitions.map((p) => {
      if (subscribed) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
      if (ctx.durable.offset(body.groupId, topic.name, p.partitionIndex) !== undefined) {
        persist(ctx, { type: 'offset-commit', groupId: body.groupId, topic: topic.name, partition: p.partitionIndex, value: null });
      }
      return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
    });
    response.topics.push({ name: topic.name, partitions });
  }
  return response;
}

/** Topics were deleted: their committed offsets go too, in every group (Kafka's onPartitionsDeleted). */
export function dropOffsetsOfDeletedTopics(ctx: Ctx, topics: readonly string[]): void {
  const deleted = new Set(topics);
  for (const groupId of ctx.durable.groupIds()) {
    for (const [topic, partitions] of ctx.durable.groupOffsets(groupId)) {
      if (!deleted.has(topic)) continue;
      for (const partition of partitions.keys()) persist(ctx, { type: 'offset-commit', groupId, topic, partition, value: null });
    }
  }
}
