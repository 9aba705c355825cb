import { ErrorCode } from '../../protocol/errors.js';
import type { DeleteGroupsResponseInit, ListGroupsResponseInit, OffsetDeleteResponseInit } from '../../protocol/messages/index.js';
import { handleDeleteGroups, handleListGroups } from '../admin.js';
import { emit, persist, type Ctx } from '../context.js';
import { classicHeartbeatToConsumerGroup, classicJoinToConsumerGroup, classicLeaveToConsumerGroup, classicSyncToConsumerGroup } from './classic-members.js';
import type { CoordinatorRequest } from '../types.js';
import type { ConsumerGroup } from './group.js';
import { handleConsumerOffsetCommit } from './offsets.js';

/** No answer from here: the classic coordinator takes the request. */
export const CLASSIC = Symbol('classic');

/**
 * Where the group APIs meet the two kinds of group. One group id is either a classic group or a
 * consumer group (KIP-848), never both; requests of the classic APIs that name a consumer group
 * are answered here as Kafka answers them, and everything else goes to the classic coordinator
 * untouched.
 */
export function routeToConsumerGroup(ctx: Ctx, request: CoordinatorRequest): unknown {
  switch (request.api) {
    case 'list-groups':
      return listGroups(ctx, request as CoordinatorRequest<'list-groups'>);
    case 'delete-groups':
      return deleteGroups(ctx, request as CoordinatorRequest<'delete-groups'>);
    case 'describe-groups':
    case 'offset-fetch':
    case 'consumer-heartbeat':
    case 'consumer-describe':
      // DescribeGroups (v0-5) reports a consumer group as Dead, as Kafka does; OffsetFetch knows both.
      return CLASSIC;
  }
  const groupId = (request.body as { groupId: string }).groupId;
  const group = ctx.durable.consumerGroups.get(groupId);
  if (group === undefined) return CLASSIC;
  switch (request.api) {
    case 'join':
      if (group.members.size === 0) {
        // Kafka converts an empty consumer group into a classic one for a JoinGroup; offsets stay.
        deleteConsumerGroup(ctx, group, false);
        return CLASSIC;
      }
      // A classic consumer joins a KIP-848 group: served from the consumer group (online migration).
      return classicJoinToConsumerGroup(ctx, group, request as CoordinatorRequest<'join'>);
    case 'sync':
      return classicSyncToConsumerGroup(ctx, group, request as CoordinatorRequest<'sync'>);
    case 'heartbeat':
      return classicHeartbeatToConsumerGroup(ctx, group, request as CoordinatorRequest<'heartbeat'>);
    case 'leave':
      return classicLeaveToConsumerGroup(ctx, group, request as CoordinatorRequest<'leave'>);
    case 'offset-commit':
      return handleConsumerOffsetCommit(ctx, group, request as CoordinatorRequest<'offset-commit'>);
    case 'offset-delete':
      return deleteOffsets(ctx, group, request as CoordinatorRequest<'offset-delete'>);
    default:
      return CLASSIC;
  }
}

/** Tombstones for the group's records, and with `withOffsets` its committed offsets too. */
export function deleteConsumerGroup(ctx: Ctx, group: ConsumerGroup, withOffsets: boolean): void {
  if (withOffsets) {
    for (const [topic, partitions] of ctx.durable.groupOffsets(group.groupId)) {
      for (const partition of partitions.keys()) persist(ctx, { type: 'offset-commit', groupId: group.groupId, topic, partition, value: null });
    }
  }
  for (const regex of group.resolvedRegexes.keys()) persist(ctx, { type: 'consumer-regex', groupId: group.groupId, regex, value: null });
  persist(ctx, { type: 'consumer-target-epoch', groupId: group.groupId, value: null });
  persist(ctx, { type: 'consumer-group', groupId: group.groupId, value: null });
}

/** ListGroups: the classic groups, then the consumer groups, with the same filters. */
function listGroups(ctx: Ctx, request: CoordinatorRequest<'list-groups'>): ListGroupsResponseInit {
  const states = new Set(request.body.statesFilter.map((s) => s.trim().toLowerCase()));
  const types = new Set(request.body.typesFilter.map((t) => t.trim().toLowerCase()));
  const classic = handleListGroups(ctx, request);
  const consumer = [...ctx.durable.consumerGroups.values()]
    .filter((g) => (states.size === 0 || states.has(g.state.toLowerCase())) && (types.size === 0 || types.has('consumer')))
    .map((g) => ({ groupId: g.groupId, protocolType: 'consumer', groupState: g.state, groupType: 'consumer' }));
  const groups = [...classic.groups, ...consumer].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  return { errorCode: classic.errorCode, groups };
}

/** DeleteGroups: a consumer group goes only when it has no members (NON_EMPTY_GROUP otherwise). */
function deleteGroups(ctx: Ctx, request: CoordinatorRequest<'delete-groups'>): DeleteGroupsResponseInit {
  const results: DeleteGroupsResponseInit['results'] = [];
  const classicIds: string[] = [];
  for (const groupId of request.body.groupsNames) {
    const group = ctx.durable.consumerGroups.get(groupId);
    if (group === undefined) {
      classicIds.push(groupId);
      continue;
    }
    if (group.members.size > 0) {
      results.push({ groupId, errorCode: ErrorCode.NON_EMPTY_GROUP });
      continue;
    }
    deleteConsumerGroup(ctx, group, true);
    emit(ctx, { type: 'group-deleted', groupId, reason: 'delete-request' });
    results.push({ groupId, errorCode: ErrorCode.NONE });
  }
  const classic = classicIds.length === 0 ? [] : handleDeleteGroups(ctx, { ...request, body: { ...request.body, groupsNames: classicIds } }).results;
  const byId = new Map([...results, ...classic].map((r) => [r.groupId, r]));
  return { throttleTimeMs: 0, results: request.body.groupsNames.map((id) => byId.get(id)!) };
}

/** OffsetDelete on a consumer group: refused for topics a member subscribes to (KIP-496). */
function deleteOffsets(ctx: Ctx, group: ConsumerGroup, request: CoordinatorRequest<'offset-delete'>): OffsetDeleteResponseInit {
  const response: OffsetDeleteResponseInit = { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics: [] };
  for (const topic of request.body.topics) {
    const subscribed = group.isSubscribedToTopic(topic.name);
    const partitions = topic.partitions.map((p) => {
      if (subscribed) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
      if (ctx.durable.offset(group.groupId, topic.name, p.partitionIndex) !== undefined) {
        persist(ctx, { type: 'offset-commit', groupId: group.groupId, topic: topic.name, partition: p.partitionIndex, value: null });
      }
      return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
    });
    response.topics.push({ name: topic.name, partitions });
  }
  return response;
}
