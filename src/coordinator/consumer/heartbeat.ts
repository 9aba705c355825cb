import { ErrorCode } from '../../protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponseInit } from '../../protocol/messages/index.js';
import { emit, type Ctx } from '../context.js';
import type { CoordinatorRecord } from '../records.js';
import type { CoordinatorRequest } from '../types.js';
import { advanceMember } from './advance-member.js';
import { partitionsEqual, toEntries } from './assignment.js';
import { GroupRequestError } from './errors.js';
import { groupForHeartbeat } from './group-lookup.js';
import { leaveGroup } from './leave.js';
import { LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH, normalizeTopicNames, type ConsumerGroupMember } from './member.js';
import { dynamicMember, staticMember, type MemberLookup } from './membership.js';
import { compileTopicRegex } from './regex.js';
import { scheduleSessionTimeout } from './timers.js';

/** v1 (KIP-1082): members generate their own id and must always send it. */
const MIN_VERSION_CLIENT_MEMBER_ID = 1;

type Response = ConsumerGroupHeartbeatResponseInit;

export function errorResponse(errorCode: number, errorMessage: string | null): Response {
  return { throttleTimeMs: 0, errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
}

/** ConsumerGroupHeartbeat v0-1 (KIP-848): join (epoch 0), heartbeat (epoch > 0), leave (-1, -2). */
export function handleConsumerGroupHeartbeat(ctx: Ctx, request: CoordinatorRequest<'consumer-heartbeat'>): Response {
  const invalid = validate(ctx, request.body, request.apiVersion);
  if (invalid !== null) return errorResponse(invalid.errorCode, invalid.message);
  try {
    const body = request.body;
    if (body.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || body.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) return leaveGroup(ctx, body);
    return heartbeat(ctx, request);
  } catch (err) {
    if (err instanceof GroupRequestError) return errorResponse(err.errorCode, err.message);
    throw err;
  }
}

/** The checks Kafka's GroupCoordinatorService makes before the request reaches a group. */
function validate(ctx: Ctx, body: ConsumerGroupHeartbeatRequest, version: number): GroupRequestError | null {
  const invalid = (message: string): GroupRequestError => new GroupRequestError(ErrorCode.INVALID_REQUEST, message);
  if ((version >= MIN_VERSION_CLIENT_MEMBER_ID || body.memberEpoch > 0 || body.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH) && body.memberId === '') {
    return invalid("MemberId can't be empty.");
  }
  if (body.groupId === '') return invalid("GroupId can't be empty.");
  if (body.instanceId === '') return invalid("InstanceId can't be empty.");
  if (body.rackId === '') return invalid("RackId can't be empty.");
  if (body.memberEpoch === 0) {
    if (body.rebalanceTimeoutMs === -1) return invalid('RebalanceTimeoutMs must be provided in first request.');
    if (body.topicPartitions === null || body.topicPartitions.length > 0) return invalid('TopicPartitions must be empty when (re-)joining.');
    if (body.subscribedTopicNames === null && body.subscribedTopicRegex === null) {
      return invalid('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.');
    }
  } else if (body.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (body.instanceId === null) return invalid("InstanceId can't be null.");
  } else if (body.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    return invalid('MemberEpoch is invalid.');
  }
  if (body.serverAssignor !== null && !ctx.config.consumerAssignors.includes(body.serverAssignor)) {
    return new GroupRequestError(
      ErrorCode.UNSUPPORTED_ASSIGNOR,
      `ServerAssignor ${body.serverAssignor} is not supported. Supported assignors: ${ctx.config.consumerAssignors.join(', ')}.`,
    );
  }
  if (body.subscribedTopicRegex !== null && body.subscribedTopicRegex !== '') {
    const compiled = compileTopicRegex(body.subscribedTopicRegex);
    if (!compiled.ok) {
      return new GroupRequestError(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex \`${body.subscribedTopicRegex}\` is not a valid regular expression: ${compiled.error}.`);
    }
  }
  return null;
}

/**
 * Kafka's consumerGroupHeartbeat, in three steps: (1) create or update the member, bumping the
 * group epoch when its subscription or the subscribed topics changed; (2) compute a new target
 * assignment when the group epoch moved past the assignment epoch; (3) move the member one
 * reconciliation step towards its target. Everything is computed from the group as it is, and
 * becomes true only when the records are replayed.
 */
function heartbeat(ctx: Ctx, request: CoordinatorRequest<'consumer-heartbeat'>): Response {
  const body = request.body;
  const records: CoordinatorRecord[] = [];
  const joining = body.memberEpoch === 0;
  const memberId = body.memberId === '' ? ctx.newUuid() : body.memberId;
  const { group, created } = groupForHeartbeat(ctx, body.groupId, joining, memberId, records);
  const replacing = body.instanceId !== null && group.staticMember(body.instanceId) !== undefined;
  if (group.members.size >= ctx.config.consumerMaxGroupSize && !group.members.has(memberId) && !replacing) {
    throw new GroupRequestError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${ctx.config.consumerMaxGroupSize} members.`);
  }
  const lookup: MemberLookup =
    body.instanceId === null
      ? dynamicMember(group, memberId, body.memberEpoch, body.topicPartitions)
      : staticMember(group, memberId, body.memberEpoch, body.instanceId, body.topicPartitions, records);
  const member = lookup.member;
  const updated: ConsumerGroupMember = {
    ...member,
    instanceId: body.instanceId ?? member.instanceId,
    rackId: body.rackId ?? member.rackId,
    rebalanceTimeoutMs: body.rebalanceTimeoutMs === -1 ? member.rebalanceTimeoutMs : body.rebalanceTimeoutMs,
    serverAssignor: body.serverAssignor ?? member.serverAssignor,
    subscribedTopicNames: body.subscribedTopicNames === null ? member.subscribedTopicNames : normalizeTopicNames(body.subscribedTopicNames),
    subscribedTopicRegex: body.subscribedTopicRegex === null ? member.subscribedTopicRegex : body.subscribedTopicRegex === '' ? null : body.subscribedTopicRegex,
    clientId: request.clientId,
    clientHost: request.clientHost,
    classic: null,
  };
  if (body.topicPartitions !== null && !joining) {
    // Before the member's records: what it owned when it sent this, i.e. what it acknowledges.
    emit(ctx, { type: 'consumer-owned-reported', groupId: group.groupId, memberId, memberEpoch: body.memberEpoch, partitions: body.topicPartitions.map((t) => ({ topicId: t.topicId, partitions: [...t.partitions] })) });
  }
  const reconciled = advanceMember(ctx, { group, created, lookup, updated, owned: body.topicPartitions, records });
  scheduleSessionTimeout(ctx, group.groupId, memberId);

  // Kafka sends the assignment on a full request (joining, or after an error) or when it changed.
  const full =
    joining || (body.rebalanceTimeoutMs !== -1 && (body.subscribedTopicNames !== null || body.subscribedTopicRegex !== null) && body.topicPartitions !== null);
  const withAssignment = full || !partitionsEqual(member.assigned, reconciled.assigned);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    memberId,
    memberEpoch: reconciled.memberEpoch,
    heartbeatIntervalMs: ctx.config.consumerHeartbeatIntervalMs,
    assignment: withAssignment ? { topicPartitions: toEntries(reconciled.assigned).map((e) => ({ topicId: e.topicId, partitions: [...e.partitions] })) } : null,
  };
}

