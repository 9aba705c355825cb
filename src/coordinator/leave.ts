import { ErrorCode } from '../protocol/errors.js';
import type { LeaveGroupMemberResponseInit, LeaveGroupResponseInit } from '../protocol/messages/index.js';
import { emit, type Ctx } from './context.js';
import type { ClassicGroup } from './group.js';
import { maybeCompleteJoinPhase, maybePrepareRebalanceOrCompleteJoin, removeMember } from './rebalance.js';
import type { CoordinatorRequest } from './types.js';

/** LeaveGroup v3+ carries a batch of members (KIP-345); v0-2 one member id and a top-level error. */
const MIN_VERSION_BATCH = 3;

export function handleLeaveGroup(ctx: Ctx, request: CoordinatorRequest<'leave'>): LeaveGroupResponseInit {
  const body = request.body;
  const batch = request.apiVersion >= MIN_VERSION_BATCH;
  if (body.groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
  const leaving = batch ? body.members : [{ memberId: body.memberId, groupInstanceId: null, reason: null }];
  const group = ctx.groups.get(body.groupId);
  if (group === undefined) {
    // Kafka answers NONE at the top and UNKNOWN_MEMBER_ID for every member.
    const members = leaving.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }));
    return shape(batch, ErrorCode.NONE, members);
  }
  if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };

  const responses: LeaveGroupMemberResponseInit[] = [];
  let removedMemberId: string | null = null;
  for (const m of leaving) {
    const errorCode = leaveOne(ctx, group, m.memberId, m.groupInstanceId);
    responses.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode });
    if (errorCode === ErrorCode.NONE) removedMemberId ??= m.memberId;
  }
  if (removedMemberId !== null) {
    if (group.is('Stable') || group.is('CompletingRebalance')) {
      maybePrepareRebalanceOrCompleteJoin(ctx, group, { reason: 'member-left', memberId: removedMemberId });
    } else if (group.is('PreparingRebalance')) {
      maybeCompleteJoinPhase(ctx, group);
    }
  }
  return shape(batch, ErrorCode.NONE, responses);
}

function shape(batch: boolean, errorCode: number, members: LeaveGroupMemberResponseInit[]): LeaveGroupResponseInit {
  if (batch) return { errorCode, members };
  // v0-2: the only member's error is the request's error.
  const memberError = members[0]?.errorCode ?? ErrorCode.NONE;
  return { errorCode: errorCode !== ErrorCode.NONE ? errorCode : memberError, members: [] };
}

function leaveOne(ctx: Ctx, group: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
  if (memberId === '') {
    // An admin removing a static member by its instance id (KIP-345).
    const target = groupInstanceId === null ? undefined : group.staticMembers.get(groupInstanceId);
    if (target === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    removeMember(ctx, group, group.member(target)!, 'leave-request');
    return ErrorCode.NONE;
  }
  if (group.pendingJoinMembers.has(memberId)) {
    group.remove(memberId);
    ctx.timers.cancelMember(group.groupId, memberId);
    return ErrorCode.NONE;
  }
  const error = group.validateMember(memberId, groupInstanceId);
  if (error === ErrorCode.FENCED_INSTANCE_ID) {
    emit(ctx, { type: 'member-fenced', groupId: group.groupId, memberId, groupInstanceId: groupInstanceId!, api: 'leave' });
  }
  if (error !== ErrorCode.NONE) return error;
  removeMember(ctx, group, group.member(memberId)!, 'leave-request');
  return ErrorCode.NONE;
}
