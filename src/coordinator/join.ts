import { ErrorCode } from '../protocol/errors.js';
import type { JoinGroupRequest, JoinGroupResponseInit } from '../protocol/messages/index.js';
import { completeParkedJoin, completeParkedSync, emit, joinError, persist, type Ctx } from './context.js';
import { ClassicGroup } from './group.js';
import { ClassicGroupMember, copyProtocols, type MemberProtocol, type ParkedRequest } from './member.js';
import {
  maybeCompleteJoinPhase,
  maybePrepareRebalanceOrCompleteJoin,
  prepareRebalance,
  removeMember,
  rescheduleSession,
  type RebalanceCause,
} from './rebalance.js';
import type { CoordinatorRequest } from './types.js';

/** JoinGroup v4+ makes new dynamic members fetch a member id first (KIP-394). */
const MIN_VERSION_MEMBER_ID_REQUIRED = 4;
/** JoinGroup v9+ lets a replaced static leader skip the assignment (KIP-814). */
const MIN_VERSION_SKIP_ASSIGNMENT = 9;

type JoinOutcome = JoinGroupResponseInit | 'parked';

interface JoinCall {
  readonly request: CoordinatorRequest<'join'>;
  readonly body: JoinGroupRequest;
  readonly protocols: MemberProtocol[];
  /** v0 has no rebalance timeout: Kafka uses the session timeout. */
  readonly rebalanceTimeoutMs: number;
  readonly parked: ParkedRequest;
}

export function handleJoinGroup(ctx: Ctx, request: CoordinatorRequest<'join'>): JoinOutcome {
  const body = request.body;
  if (body.groupId === '') return joinError(ErrorCode.INVALID_GROUP_ID, body.memberId);
  if (body.sessionTimeoutMs < ctx.config.minSessionTimeoutMs || body.sessionTimeoutMs > ctx.config.maxSessionTimeoutMs) {
    return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, body.memberId);
  }
  const call: JoinCall = {
    request,
    body,
    protocols: copyProtocols(body.protocols),
    rebalanceTimeoutMs: request.apiVersion === 0 || body.rebalanceTimeoutMs < 0 ? body.sessionTimeoutMs : body.rebalanceTimeoutMs,
    parked: { requestId: request.requestId, apiVersion: request.apiVersion },
  };
  const isNewMember = body.memberId === '';
  let group = ctx.groups.get(body.groupId);
  if (group === undefined) {
    // A known member id for an unknown group: the group is gone, the member must start over.
    if (!isNewMember) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, body.memberId);
    group = new ClassicGroup(body.groupId);
    ctx.groups.set(body.groupId, group);
    emit(ctx, { type: 'group-created', groupId: body.groupId });
  }
  if (!acceptJoiningMember(ctx, group, body.memberId)) {
    const member = group.member(body.memberId);
    if (member !== undefined) removeMember(ctx, group, member, 'group-max-size');
    else group.remove(body.memberId);
    return joinError(ErrorCode.GROUP_MAX_SIZE_REACHED);
  }
  return isNewMember ? joinNewMember(ctx, group, call) : joinExistingMember(ctx, group, call);
}

/**
 * group.max.size: while collecting JoinGroups, count the members already rejoined (so the last
 * to rejoin are the ones turned away); otherwise count members.
 */
function acceptJoiningMember(ctx: Ctx, group: ClassicGroup, memberId: string): boolean {
  const max = ctx.config.maxGroupSize;
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      return true;
    case 'PreparingRebalance':
      return group.member(memberId)?.awaitingJoin != null || group.numAwaitingJoin < max;
    case 'CompletingRebalance':
    case 'Stable':
      return group.members.has(memberId) || group.size < max;
  }
}

function joinNewMember(ctx: Ctx, group: ClassicGroup, call: JoinCall): JoinOutcome {
  const { body } = call;
  if (group.is('Dead')) return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (!group.supportsProtocols(body.protocolType, call.protocols.map((p) => p.name))) {
    return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  }
  const instanceId = body.groupInstanceId;
  const newMemberId = `${instanceId ?? call.request.clientId}-${ctx.newUuid()}`;
  if (instanceId !== null) {
    const existingMemberId = group.staticMembers.get(instanceId);
    if (existingMemberId !== undefined) return replaceStaticMember(ctx, group, call, existingMemberId, newMemberId);
    return addMemberAndRebalance(ctx, group, call, newMemberId);
  }
  if (call.request.apiVersion >= MIN_VERSION_MEMBER_ID_REQUIRED) {
    // The member must come back with this id; until then it holds up the join phase, for at
    // most its session timeout.
    group.pendingJoinMembers.add(newMemberId);
    ctx.timers.set({ kind: 'pending', groupId: group.groupId, memberId: newMemberId }, ctx.nowMs + body.sessionTimeoutMs);
    return joinError(ErrorCode.MEMBER_ID_REQUIRED, newMemberId);
  }
  return addMemberAndRebalance(ctx, group, call, newMemberId);
}

function joinExistingMember(ctx: Ctx, group: ClassicGroup, call: JoinCall): JoinOutcome {
  const { body } = call;
  const memberId = body.memberId;
  if (group.is('Dead')) return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, memberId);
  if (!group.supportsProtocols(body.protocolType, call.protocols.map((p) => p.name))) {
    return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId);
  }
  if (group.pendingJoinMembers.has(memberId)) {
    // Pending ids are only handed to dynamic members; Kafka fails such a request outright.
    if (body.groupInstanceId !== null) return joinError(ErrorCode.UNKNOWN_SERVER_ERROR, memberId);
    ctx.timers.cancel({ kind: 'pending', groupId: group.groupId, memberId });
    return addMemberAndRebalance(ctx, group, call, memberId);
  }
  const error = group.validateMember(memberId, body.groupInstanceId);
  if (error !== ErrorCode.NONE) {
    if (error === ErrorCode.FENCED_INSTANCE_ID) {
      emit(ctx, { type: 'member-fenced', groupId: group.groupId, memberId, groupInstanceId: body.groupInstanceId!, api: 'join' });
    }
    return joinError(error, memberId);
  }
  const member = group.member(memberId)!;
  switch (group.state) {
    case 'PreparingRebalance':
      return updateMemberAndRebalance(ctx, group, member, call, { reason: 'member-metadata-changed', memberId });
    case 'CompletingRebalance':
      // Same metadata: the member probably missed its JoinGroup response; answer it again.
      if (member.matches(call.protocols)) return currentGenerationResponse(group, memberId, group.isLeader(memberId));
      return updateMemberAndRebalance(ctx, group, member, call, { reason: 'member-metadata-changed', memberId });
    case 'Stable':
      // A leader rejoining forces a rebalance: that is how a consumer leader reacts to topic
      // metadata changes (new partitions) that do not change any member's metadata.
      if (group.isLeader(memberId)) return updateMemberAndRebalance(ctx, group, member, call, { reason: 'leader-rejoined', memberId });
      if (!member.matches(call.protocols)) {
        return updateMemberAndRebalance(ctx, group, member, call, { reason: 'member-metadata-changed', memberId });
      }
      return currentGenerationResponse(group, memberId, false);
    case 'Empty':
    case 'Dead':
      return joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId);
  }
}

function currentGenerationResponse(group: ClassicGroup, memberId: string, withMembers: boolean): JoinGroupResponseInit {
  return {
    errorCode: ErrorCode.NONE,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? '',
    skipAssignment: false,
    memberId,
    members: withMembers ? group.joinResponseMembers() : [],
  };
}

/**
 * Parks the request in place of any earlier one of the same member. Kafka silently drops the
 * superseded request; we answer it (REBALANCE_IN_PROGRESS) so its connection is not held up.
 */
function parkJoin(ctx: Ctx, group: ClassicGroup, member: ClassicGroupMember, call: JoinCall): void {
  const superseded = group.updateMember(member, call.protocols, call.rebalanceTimeoutMs, call.body.sessionTimeoutMs, call.parked);
  if (superseded !== null && superseded.requestId !== call.parked.requestId) {
    ctx.out.completeJoin(superseded, joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
  }
}

function updateMemberAndRebalance(ctx: Ctx, group: ClassicGroup, member: ClassicGroupMember, call: JoinCall, cause: RebalanceCause): JoinOutcome {
  parkJoin(ctx, group, member, call);
  maybePrepareRebalanceOrCompleteJoin(ctx, group, cause);
  return 'parked';
}

function addMemberAndRebalance(ctx: Ctx, group: ClassicGroup, call: JoinCall, memberId: string): JoinOutcome {
  const { body, request } = call;
  const member = new ClassicGroupMember(
    memberId,
    body.groupInstanceId,
    request.clientId,
    request.clientHost,
    call.rebalanceTimeoutMs,
    body.sessionTimeoutMs,
    body.protocolType,
    call.protocols,
  );
  member.isNew = true;
  // A member arriving during the initial delay may extend it (KIP-134).
  if (group.is('PreparingRebalance') && group.previousState === 'Empty') group.newMemberAdded = true;
  group.add(member, call.parked);
  // A new member cannot heartbeat while parked and a disconnect goes unnoticed: bound its stay.
  ctx.timers.set({ kind: 'new-member', groupId: group.groupId, memberId }, ctx.nowMs + ctx.config.newMemberJoinTimeoutMs);
  emit(ctx, {
    type: 'member-joined',
    groupId: group.groupId,
    memberId,
    groupInstanceId: member.groupInstanceId,
    clientId: member.clientId,
    clientHost: member.clientHost,
  });
  maybePrepareRebalanceOrCompleteJoin(ctx, group, { reason: 'member-joined', memberId });
  return 'parked';
}

/**
 * KIP-345: a known group.instance.id joins with an empty member id (the client restarted). The
 * new member id takes over; the old one is fenced. In a Stable group whose selected protocol
 * would not change, there is no rebalance: the group is persisted and the member later gets its
 * previous assignment from SyncGroup.
 */
function replaceStaticMember(ctx: Ctx, group: ClassicGroup, call: JoinCall, oldMemberId: string, newMemberId: string): JoinOutcome {
  const instanceId = call.body.groupInstanceId!;
  const oldLeaderId = group.leaderId;
  const old = group.member(oldMemberId)!;
  const fenced = joinError(ErrorCode.FENCED_INSTANCE_ID, oldMemberId);
  completeParkedJoin(ctx, group, old, fenced);
  completeParkedSync(ctx, old, { errorCode: ErrorCode.FENCED_INSTANCE_ID, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
  const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
  ctx.timers.cancelMember(group.groupId, oldMemberId);
  rescheduleSession(ctx, group, member);
  group.updateMember(member, call.protocols, call.rebalanceTimeoutMs, call.body.sessionTimeoutMs, call.parked);
  emit(ctx, { type: 'member-removed', groupId: group.groupId, memberId: oldMemberId, groupInstanceId: instanceId, reason: 'static-replacement' });
  const withoutRebalance = group.is('Stable') && group.protocolName === group.selectProtocol();
  emit(ctx, { type: 'static-member-replaced', groupId: group.groupId, groupInstanceId: instanceId, oldMemberId, newMemberId, rebalance: !withoutRebalance });
  const cause: RebalanceCause = { reason: 'static-member-rejoined', memberId: newMemberId };
  if (withoutRebalance) {
    persist(ctx, { type: 'group-metadata', groupId: group.groupId, value: group.toMetadataValue(new Map(), ctx.nowMs) });
    const isLeader = group.isLeader(newMemberId);
    const skipAssignment = call.request.apiVersion >= MIN_VERSION_SKIP_ASSIGNMENT;
    // Before v9 the response names the old leader id, so a restarted leader acts as a follower
    // and does not recompute an assignment nobody asked for.
    completeParkedJoin(ctx, group, member, {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: (skipAssignment ? group.leaderId : oldLeaderId) ?? '',
      skipAssignment: skipAssignment && isLeader,
      memberId: newMemberId,
      members: skipAssignment && isLeader ? group.joinResponseMembers() : [],
    });
    return 'parked';
  }
  if (group.is('Stable')) {
    maybePrepareRebalanceOrCompleteJoin(ctx, group, cause);
  } else if (group.is('CompletingRebalance')) {
    // The leader may be assigning with the old member id: start over.
    prepareRebalance(ctx, group, cause);
  } else {
    maybeCompleteJoinPhase(ctx, group);
  }
  return 'parked';
}
