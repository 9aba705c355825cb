import { decodeSubscription, encodeAssignment } from '../../protocol/consumer-protocol.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { HeartbeatResponseInit, JoinGroupResponseInit, LeaveGroupResponseInit, SyncGroupResponseInit } from '../../protocol/messages/index.js';
import { joinError, syncError, type Ctx } from '../context.js';
import { copyProtocols } from '../member.js';
import type { CoordinatorRecord } from '../records.js';
import type { CoordinatorRequest } from '../types.js';
import { advanceMember } from './advance-member.js';
import { toEntries } from './assignment.js';
import { GroupRequestError } from './errors.js';
import type { ConsumerGroup } from './group.js';
import { fenceMember } from './leave.js';
import { newMember, normalizeTopicNames, type ConsumerGroupMember } from './member.js';
import type { MemberLookup } from './membership.js';
import { scheduleJoinTimeoutIfAbsent, scheduleSessionTimeout, scheduleSyncTimeout } from './timers.js';

/** JoinGroup v4+ makes new dynamic members fetch a member id first (KIP-394). */
const MIN_VERSION_MEMBER_ID_REQUIRED = 4;

/**
 * Classic members in a consumer group (Kafka's classicGroupJoinToConsumerGroup and friends): a
 * consumer on the classic protocol joins a KIP-848 group with JoinGroup; the coordinator treats it
 * like any member (server-side assignment, epochs, revoke first) and translates: the JoinGroup
 * answer carries its member epoch as the generation, SyncGroup its assigned partitions, and a
 * Heartbeat answers REBALANCE_IN_PROGRESS when it should join again to move on. This is what lets
 * a group be restarted member by member from one protocol to the other.
 */
export function classicJoinToConsumerGroup(ctx: Ctx, group: ConsumerGroup, request: CoordinatorRequest<'join'>): JoinGroupResponseInit {
  const body = request.body;
  try {
    if (body.sessionTimeoutMs < ctx.config.minSessionTimeoutMs || body.sessionTimeoutMs > ctx.config.maxSessionTimeoutMs) {
      throw new GroupRequestError(ErrorCode.INVALID_SESSION_TIMEOUT, 'invalid session timeout');
    }
    const unknown = body.memberId === '';
    const memberId = unknown ? ctx.newUuid() : body.memberId;
    if (group.members.size >= ctx.config.consumerMaxGroupSize && !group.members.has(memberId) && group.staticMember(body.groupInstanceId) === undefined) {
      throw new GroupRequestError(ErrorCode.GROUP_MAX_SIZE_REACHED, 'the group is full');
    }
    const protocols = copyProtocols(body.protocols);
    if (!supportsClassicProtocols(group, body.protocolType, protocols.map((p) => p.name))) throw new GroupRequestError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'protocols not supported');
    if (unknown && body.groupInstanceId === null && request.apiVersion >= MIN_VERSION_MEMBER_ID_REQUIRED) return joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId);

    const records: CoordinatorRecord[] = [];
    const lookup = classicLookup(group, memberId, body.groupInstanceId, unknown);
    const member = lookup.member;
    // Every protocol of a consumer carries the same subscription.
    const subscription = decodeSubscription(protocols[0]!.metadata);
    const updated: ConsumerGroupMember = {
      ...member,
      instanceId: body.groupInstanceId,
      rackId: subscription.rackId ?? member.rackId,
      rebalanceTimeoutMs: request.apiVersion === 0 || body.rebalanceTimeoutMs < 0 ? body.sessionTimeoutMs : body.rebalanceTimeoutMs,
      subscribedTopicNames: normalizeTopicNames(subscription.topics),
      subscribedTopicRegex: null,
      clientId: request.clientId,
      clientHost: request.clientHost,
      classic: { sessionTimeoutMs: body.sessionTimeoutMs, protocols },
    };
    // Eager members own nothing when they join; cooperative ones say what they kept (KIP-429).
    const owned = subscription.ownedPartitions.flatMap((t) => {
      const topic = ctx.topics.byName(t.topic);
      return topic === undefined ? [] : [{ topicId: topic.id, partitions: t.partitions }];
    });
    const reconciled = advanceMember(ctx, { group, created: false, lookup, updated, owned, records });
    ctx.timers.cancel({ kind: 'consumer-join', groupId: group.groupId, memberId });
    scheduleSessionTimeout(ctx, group.groupId, memberId, body.sessionTimeoutMs);
    scheduleSyncTimeout(ctx, group.groupId, reconciled);
    return {
      errorCode: ErrorCode.NONE,
      generationId: reconciled.memberEpoch,
      protocolType: 'consumer',
      protocolName: protocols[0]!.name,
      leader: '',
      skipAssignment: false,
      memberId,
      members: [],
    };
  } catch (err) {
    if (err instanceof GroupRequestError) return joinError(err.errorCode, body.memberId);
    throw err;
  }
}

/** Kafka's getOrMaybeSubscribe*ConsumerGroupMember for a classic member: a static one may replace its old incarnation. */
function classicLookup(group: ConsumerGroup, memberId: string, instanceId: string | null, unknown: boolean): MemberLookup {
  if (instanceId === null) {
    const stored = group.members.get(memberId);
    if (stored !== undefined && stored.classic === null) throw new GroupRequestError(ErrorCode.UNKNOWN_MEMBER_ID, 'not a classic member');
    return { member: stored ?? newMember(memberId), stored, replacedMemberId: null, rejoined: false };
  }
  const existing = group.staticMember(instanceId);
  if (existing === undefined) return { member: newMember(memberId), stored: undefined, replacedMemberId: null, rejoined: false };
  if (existing.memberId === memberId) return { member: existing, stored: existing, replacedMemberId: null, rejoined: false };
  if (!unknown) throw new GroupRequestError(ErrorCode.FENCED_INSTANCE_ID, 'fenced by a newer instance');
  // A restarted static member takes its predecessor's place, partitions and target.
  return { member: { ...existing, memberId, memberEpoch: 0, previousMemberEpoch: 0 }, stored: undefined, replacedMemberId: existing.memberId, rejoined: false };
}

/** A classic member may join if some protocol it offers is supported by every classic member already in. */
function supportsClassicProtocols(group: ConsumerGroup, protocolType: string, names: readonly string[]): boolean {
  if (protocolType !== 'consumer' || names.length === 0) return false;
  const classics = [...group.members.values()].filter((m) => m.classic !== null);
  return classics.length === 0 || names.some((n) => classics.every((m) => m.classic!.protocols.some((p) => p.name === n)));
}

/** The member a classic request names, checked as Kafka's validateConsumerGroupMember does. */
function classicMember(group: ConsumerGroup, memberId: string, instanceId: string | null): ConsumerGroupMember {
  const member = instanceId === null ? group.members.get(memberId) : group.staticMember(instanceId);
  if (member === undefined) throw new GroupRequestError(ErrorCode.UNKNOWN_MEMBER_ID, 'unknown member');
  if (instanceId !== null && member.memberId !== memberId) throw new GroupRequestError(ErrorCode.FENCED_INSTANCE_ID, 'fenced');
  if (member.classic === null) throw new GroupRequestError(ErrorCode.UNKNOWN_MEMBER_ID, 'not a classic member');
  return member;
}

/** The member should join again: the group moved on, it must revoke, or what it waits for was released. */
function mustRejoin(group: ConsumerGroup, member: ConsumerGroupMember): boolean {
  if (member.memberEpoch < group.groupEpoch || member.state === 'UNREVOKED_PARTITIONS') return true;
  if (member.state !== 'UNRELEASED_PARTITIONS') return false;
  const target = group.targetAssignment.get(member.memberId);
  for (const [topicId, partitions] of target ?? []) {
    for (const p of partitions) if (!(member.assigned.get(topicId)?.has(p) ?? false) && group.currentPartitionEpoch(topicId, p) !== -1) return false;
  }
  return true;
}

export function classicSyncToConsumerGroup(ctx: Ctx, group: ConsumerGroup, request: CoordinatorRequest<'sync'>): SyncGroupResponseInit {
  const body = request.body;
  try {
    const member = classicMember(group, body.memberId, body.groupInstanceId);
    if (body.generationId !== member.memberEpoch) throw new GroupRequestError(ErrorCode.ILLEGAL_GENERATION, 'generation');
    const protocolName = member.classic!.protocols[0]!.name;
    if ((body.protocolType !== null && body.protocolType !== 'consumer') || (body.protocolName !== null && body.protocolName !== protocolName)) {
      throw new GroupRequestError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'protocol');
    }
    if (group.groupEpoch > member.memberEpoch && member.state !== 'UNREVOKED_PARTITIONS') {
      scheduleJoinTimeoutIfAbsent(ctx, group.groupId, member);
      throw new GroupRequestError(ErrorCode.REBALANCE_IN_PROGRESS, 'rejoin');
    }
    ctx.timers.cancel({ kind: 'consumer-sync', groupId: group.groupId, memberId: member.memberId });
    scheduleSessionTimeout(ctx, group.groupId, member.memberId, member.classic!.sessionTimeoutMs);
    const assignedPartitions = toEntries(member.assigned).flatMap((e) => {
      const topic = ctx.topics.byId(e.topicId);
      return topic === undefined ? [] : [{ topic: topic.name, partitions: [...e.partitions] }];
    });
    // Written in the version of the member's own subscription, as Kafka does.
    const version = Math.min(member.classic!.protocols[0]!.metadata.readInt16BE(0), 3);
    return { errorCode: ErrorCode.NONE, protocolType: 'consumer', protocolName, assignment: encodeAssignment({ assignedPartitions, userData: null }, Math.max(0, version)) };
  } catch (err) {
    if (err instanceof GroupRequestError) return syncError(err.errorCode);
    throw err;
  }
}

export function classicHeartbeatToConsumerGroup(ctx: Ctx, group: ConsumerGroup, request: CoordinatorRequest<'heartbeat'>): HeartbeatResponseInit {
  const body = request.body;
  try {
    const member = classicMember(group, body.memberId, body.groupInstanceId);
    if (body.generationId !== member.memberEpoch) return { errorCode: ErrorCode.ILLEGAL_GENERATION };
    scheduleSessionTimeout(ctx, group.groupId, member.memberId, member.classic!.sessionTimeoutMs);
    if (mustRejoin(group, member)) {
      scheduleJoinTimeoutIfAbsent(ctx, group.groupId, member);
      return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS };
    }
    return { errorCode: ErrorCode.NONE };
  } catch (err) {
    if (err instanceof GroupRequestError) return { errorCode: err.errorCode };
    throw err;
  }
}

/** LeaveGroup from classic members of a consumer group: each is fenced (the others take its partitions). */
export function classicLeaveToConsumerGroup(ctx: Ctx, group: ConsumerGroup, request: CoordinatorRequest<'leave'>): LeaveGroupResponseInit {
  const body = request.body;
  const batch = request.apiVersion >= 3;
  const leaving = batch ? body.members : [{ memberId: body.memberId, groupInstanceId: null, reason: null }];
  const members = leaving.map((m) => {
    try {
      const member =
        m.groupInstanceId !== null && m.memberId === '' ? group.staticMember(m.groupInstanceId) : classicMember(group, m.memberId, m.groupInstanceId);
      if (member === undefined || member.classic === null) throw new GroupRequestError(ErrorCode.UNKNOWN_MEMBER_ID, 'unknown member');
      fenceMember(ctx, group, member, 'leave-request');
      return { memberId: member.memberId, groupInstanceId: m.groupInstanceId, errorCode: ErrorCode.NONE };
    } catch (err) {
      if (err instanceof GroupRequestError) return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: err.errorCode };
      throw err;
    }
  });
  if (batch) return { errorCode: ErrorCode.NONE, members };
  return { errorCode: members[0]?.errorCode ?? ErrorCode.NONE, members: [] };
}

/** A classic member missed its JoinGroup or SyncGroup deadline: fenced. */
export function onClassicDeadline(ctx: Ctx, groupId: string, memberId: string): void {
  const group = ctx.durable.consumerGroups.get(groupId);
  const member = group?.members.get(memberId);
  if (group === undefined || member === undefined) return;
  fenceMember(ctx, group, member, 'rebalance-timeout');
}
