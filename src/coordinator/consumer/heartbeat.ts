import { ErrorCode } from '../../protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponseInit } from '../../protocol/messages/index.js';
import { emit, persist, type Ctx } from '../context.js';
import type { CoordinatorRecord } from '../records.js';
import type { CoordinatorRequest } from '../types.js';
import { partitionsEqual, toEntries, type TopicPartitionsMap } from './assignment.js';
import { GroupRequestError } from './errors.js';
import { ConsumerGroup } from './group.js';
import { leaveGroup } from './leave.js';
import { currentAssignmentOf, isReconciledTo, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH, normalizeTopicNames, subscriptionChanged, subscriptionOf, type ConsumerGroupMember } from './member.js';
import { dynamicMember, staticMember, type MemberLookup } from './membership.js';
import { groupForHeartbeat } from './group-lookup.js';
import { reconcile } from './reconcile.js';
import { compileTopicRegex } from './regex.js';
import { effectiveTopicNames, groupTopicNames, resolveRegex, sameMetadata, subscribedTopicMetadata, type RegexOverrides } from './subscriptions.js';
import { computeTargetAssignment } from './target-assignment.js';
import { scheduleRebalanceTimeout, scheduleSessionTimeout, cancelRebalanceTimeout } from './timers.js';
import type { ResolvedRegex } from './group.js';

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
  const { group, created } = groupForHeartbeat(ctx, body.groupId, joining, records);
  const memberId = body.memberId === '' ? ctx.newUuid() : body.memberId;
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
  const isNew = lookup.stored === undefined && lookup.replacedMemberId === null;
  if (isNew || subscriptionChanged(member, updated)) records.push({ type: 'consumer-member', groupId: group.groupId, memberId, value: subscriptionOf(updated) });

  // (1) The group epoch.
  const regexOverrides = regexChanges(ctx, group, member, updated, lookup.replacedMemberId, records);
  const changes = new Map<string, ConsumerGroupMember | null>([[memberId, updated]]);
  if (lookup.replacedMemberId !== null) changes.set(lookup.replacedMemberId, null);
  const subscribedTopics = subscribedTopicMetadata(groupTopicNames(group, changes, regexOverrides), ctx.topics);
  const ownTopicsChanged = !sameSet(effectiveTopicNames(member, group), effectiveTopicNames(updated, group, regexOverrides));
  const metadataChanged = !sameMetadata(subscribedTopics, group.subscribedTopics);
  const assignorsBefore = group.preferredServerAssignor();
  const assignorCounts = group.serverAssignorsWith(lookup.stored ?? (lookup.replacedMemberId === null ? undefined : group.members.get(lookup.replacedMemberId)), updated);
  const assignorChanged = group.preferredServerAssignor(assignorCounts) !== assignorsBefore;
  let groupEpoch = group.groupEpoch;
  if (created || isNew || ownTopicsChanged || metadataChanged || assignorChanged) {
    groupEpoch++;
    records.push({ type: 'consumer-group', groupId: group.groupId, value: { groupEpoch, subscribedTopics: [...subscribedTopics.values()] } });
    const reason = isNew || created ? 'member-joined' : ownTopicsChanged || assignorChanged ? 'subscription-changed' : 'metadata-changed';
    emit(ctx, { type: 'consumer-epoch-bumped', groupId: group.groupId, groupEpoch, reason, memberId });
  }

  // (2) The target assignment.
  let targetEpoch = group.assignmentEpoch;
  let target: TopicPartitionsMap = group.targetOf(memberId, updated.instanceId);
  if (groupEpoch > group.assignmentEpoch) {
    const assignorName = group.preferredServerAssignor(assignorCounts) ?? ctx.config.consumerAssignors[0]!;
    const inheritsFrom = new Map(lookup.replacedMemberId === null ? [] : [[memberId, lookup.replacedMemberId]]);
    const result = computeTargetAssignment({ group, groupEpoch, assignorName, changes, inheritsFrom, subscribedTopics, regexOverrides });
    records.push(...result.records);
    targetEpoch = groupEpoch;
    target = result.targets.get(memberId)!;
    emit(ctx, { type: 'consumer-target-assigned', groupId: group.groupId, assignmentEpoch: groupEpoch, assignor: assignorName, members: result.targets.size, partitionsMoved: result.partitionsMoved });
  }

  // (3) One reconciliation step.
  const stored = lookup.stored;
  const reconciled = isReconciledTo(updated, targetEpoch)
    ? updated
    : reconcile({
        member: updated,
        targetEpoch,
        target,
        // The member's own earlier partitions never block it (it may be rejoining without them).
        partitionEpoch: (t, p) => (stored !== undefined && (stored.assigned.get(t)?.has(p) || stored.pendingRevocation.get(t)?.has(p)) ? -1 : group.currentPartitionEpoch(t, p)),
        owned: body.topicPartitions,
      });
  if (assignmentChanged(lookup.stored ?? member, reconciled) || isNew || lookup.replacedMemberId !== null) {
    records.push({ type: 'consumer-current', groupId: group.groupId, memberId, value: currentAssignmentOf(reconciled) });
    emit(ctx, {
      type: 'consumer-member-reconciled',
      groupId: group.groupId,
      memberId,
      memberEpoch: reconciled.memberEpoch,
      state: reconciled.state,
      assigned: countOf(reconciled.assigned),
      revoking: countOf(reconciled.pendingRevocation),
    });
    if (reconciled.state === 'UNREVOKED_PARTITIONS') scheduleRebalanceTimeout(ctx, group.groupId, reconciled);
    else cancelRebalanceTimeout(ctx, group.groupId, memberId);
  }
  if (isNew || lookup.rejoined) {
    emit(ctx, { type: 'consumer-member-joined', groupId: group.groupId, memberId, instanceId: updated.instanceId, clientId: updated.clientId, clientHost: updated.clientHost, rejoined: lookup.rejoined });
  }
  for (const r of records) persist(ctx, r);
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

/**
 * A member bringing a regex nobody in the group uses yet has it resolved now, against the topics
 * that exist; a regex its last user dropped is forgotten. Both are recorded.
 */
function regexChanges(ctx: Ctx, group: ConsumerGroup, member: ConsumerGroupMember, updated: ConsumerGroupMember, replacedMemberId: string | null, records: CoordinatorRecord[]): RegexOverrides {
  const overrides = new Map<string, ResolvedRegex | null>();
  const before = member.subscribedTopicRegex;
  const after = updated.subscribedTopicRegex;
  if (before === after) return overrides;
  // The member (or the static member it replaces) was the regex's last user.
  const wasUser = replacedMemberId !== null || group.members.has(member.memberId);
  if (before !== null && wasUser && (group.subscribedRegexes.get(before) ?? 0) <= 1) {
    overrides.set(before, null);
    records.push({ type: 'consumer-regex', groupId: group.groupId, regex: before, value: null });
  }
  if (after !== null && !group.resolvedRegexes.has(after)) {
    const resolved = resolveRegex(after, ctx.topics, ctx.nowMs);
    overrides.set(after, resolved);
    records.push({ type: 'consumer-regex', groupId: group.groupId, regex: after, value: { topics: resolved.topics, resolvedAtMs: resolved.resolvedAtMs } });
  }
  return overrides;
}

function assignmentChanged(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.memberEpoch !== b.memberEpoch ||
    a.previousMemberEpoch !== b.previousMemberEpoch ||
    a.state !== b.state ||
    !partitionsEqual(a.assigned, b.assigned) ||
    !partitionsEqual(a.pendingRevocation, b.pendingRevocation)
  );
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function countOf(map: TopicPartitionsMap): number {
  let n = 0;
  for (const s of map.values()) n += s.size;
  return n;
}

export { ConsumerGroup };
