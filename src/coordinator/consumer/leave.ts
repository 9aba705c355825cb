import { ErrorCode } from '../../protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponseInit } from '../../protocol/messages/index.js';
import { emit, persist, type Ctx } from '../context.js';
import type { ConsumerMemberRemovalReason } from '../types.js';
import { EMPTY_PARTITIONS } from './assignment.js';
import { GroupRequestError } from './errors.js';
import type { ConsumerGroup } from './group.js';
import { currentAssignmentOf, LEAVE_GROUP_STATIC_MEMBER_EPOCH, type ConsumerGroupMember } from './member.js';
import { removalRecords } from './membership.js';
import { maybeDowngradeToClassicGroup } from './migration.js';
import type { ConsumerGroupRecord } from './records.js';
import { groupTopicNames, subscribedTopicMetadata } from './subscriptions.js';
import { cancelMemberTimers } from './timers.js';

/**
 * ConsumerGroupHeartbeat with epoch -1 (leave) or -2 (a static member leaving for now). A member
 * that leaves is fenced at once; a static member's -2 only marks it gone: it keeps its partitions
 * and target until its session times out, so the same instance can take them back (KIP-848).
 */
export function leaveGroup(ctx: Ctx, body: ConsumerGroupHeartbeatRequest): ConsumerGroupHeartbeatResponseInit {
  const group = ctx.durable.consumerGroups.get(body.groupId);
  if (group === undefined) throw new GroupRequestError(ErrorCode.UNKNOWN_MEMBER_ID, `Consumer group ${body.groupId} not found.`);
  const answer = (memberEpoch: number): ConsumerGroupHeartbeatResponseInit => ({
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    memberId: body.memberId,
    memberEpoch,
    heartbeatIntervalMs: 0,
    assignment: null,
  });
  if (body.instanceId === null) {
    const member = group.members.get(body.memberId);
    if (member === undefined) throw new GroupRequestError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${body.memberId} is not a member of group ${group.groupId}.`);
    fenceMember(ctx, group, member, 'leave-request');
    return answer(body.memberEpoch);
  }
  const member = group.staticMember(body.instanceId);
  if (member === undefined) throw new GroupRequestError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${body.instanceId} is unknown.`);
  if (member.memberId !== body.memberId) {
    throw new GroupRequestError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${body.memberId} with instance id ${body.instanceId} was fenced by member ${member.memberId}.`);
  }
  if (body.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    const leaving: ConsumerGroupMember = { ...member, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, pendingRevocation: EMPTY_PARTITIONS };
    persist(ctx, { type: 'consumer-current', groupId: group.groupId, memberId: member.memberId, value: currentAssignmentOf(leaving) });
    emit(ctx, { type: 'consumer-static-member-left', groupId: group.groupId, memberId: member.memberId, instanceId: body.instanceId });
    return answer(LEAVE_GROUP_STATIC_MEMBER_EPOCH);
  }
  fenceMember(ctx, group, member, 'leave-request');
  return answer(body.memberEpoch);
}

/**
 * Takes a member out (Kafka's consumerGroupFenceMember): its records go, the subscribed topics are
 * recomputed without it, and the group moves to a new epoch so that the others get its partitions.
 */
export function fenceMember(ctx: Ctx, group: ConsumerGroup, member: ConsumerGroupMember, reason: ConsumerMemberRemovalReason): void {
  const groupId = group.groupId;
  // The last KIP-848 member leaving a group of classic members turns it back into a classic group.
  if (member.classic === null && maybeDowngradeToClassicGroup(ctx, group, member)) {
    emit(ctx, { type: 'consumer-member-removed', groupId, memberId: member.memberId, instanceId: member.instanceId, memberEpoch: member.memberEpoch, reason });
    return;
  }
  const records: ConsumerGroupRecord[] = removalRecords(groupId, member.memberId);
  const regex = member.subscribedTopicRegex;
  const overrides = new Map<string, null>();
  if (regex !== null && (group.subscribedRegexes.get(regex) ?? 0) <= 1 && group.resolvedRegexes.has(regex)) {
    overrides.set(regex, null);
    records.push({ type: 'consumer-regex', groupId, regex, value: null });
  }
  const subscribedTopics = subscribedTopicMetadata(groupTopicNames(group, new Map([[member.memberId, null]]), overrides), ctx.topics);
  const groupEpoch = group.groupEpoch + 1;
  records.push({ type: 'consumer-group', groupId, value: { groupEpoch, subscribedTopics: [...subscribedTopics.values()] } });
  for (const r of records) persist(ctx, r);
  cancelMemberTimers(ctx, groupId, member.memberId);
  emit(ctx, { type: 'consumer-member-removed', groupId, memberId: member.memberId, instanceId: member.instanceId, memberEpoch: member.memberEpoch, reason });
  emit(ctx, { type: 'consumer-epoch-bumped', groupId, groupEpoch, reason: reason === 'leave-request' ? 'member-left' : 'member-removed', memberId: member.memberId });
}

/** group.consumer.session.timeout.ms passed without a heartbeat. */
export function onConsumerSessionExpired(ctx: Ctx, groupId: string, memberId: string): void {
  const group = ctx.durable.consumerGroups.get(groupId);
  const member = group?.members.get(memberId);
  if (group === undefined || member === undefined) return;
  fenceMember(ctx, group, member, 'session-timeout');
}

/** The member did not revoke within its rebalance timeout: fenced if still at that epoch. */
export function onConsumerRebalanceExpired(ctx: Ctx, groupId: string, memberId: string, memberEpoch: number): void {
  const group = ctx.durable.consumerGroups.get(groupId);
  const member = group?.members.get(memberId);
  if (group === undefined || member === undefined || member.memberEpoch !== memberEpoch) return;
  fenceMember(ctx, group, member, 'rebalance-timeout');
}
