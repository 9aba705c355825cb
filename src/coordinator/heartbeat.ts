import { ErrorCode } from '../protocol/errors.js';
import type { HeartbeatResponseInit } from '../protocol/messages/index.js';
import { emit, type Ctx } from './context.js';
import { rescheduleSession } from './rebalance.js';
import type { CoordinatorRequest } from './types.js';

/**
 * Heartbeat: keeps the member's session alive. During PreparingRebalance the answer is
 * REBALANCE_IN_PROGRESS (the member must rejoin) but the session is still extended; after the
 * join phase members may heartbeat before their SyncGroup, so CompletingRebalance answers NONE.
 */
export function handleHeartbeat(ctx: Ctx, request: CoordinatorRequest<'heartbeat'>): HeartbeatResponseInit {
  const body = request.body;
  const answer = (errorCode: number): HeartbeatResponseInit => ({ errorCode });
  if (body.groupId === '') return answer(ErrorCode.INVALID_GROUP_ID);
  const group = ctx.groups.get(body.groupId);
  if (group === undefined) return answer(ErrorCode.UNKNOWN_MEMBER_ID);
  if (group.is('Dead')) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const memberError = group.validateMember(body.memberId, body.groupInstanceId);
  if (memberError === ErrorCode.FENCED_INSTANCE_ID) {
    emit(ctx, { type: 'member-fenced', groupId: group.groupId, memberId: body.memberId, groupInstanceId: body.groupInstanceId!, api: 'heartbeat' });
  }
  if (memberError !== ErrorCode.NONE) return answer(memberError);
  if (body.generationId !== group.generationId) return answer(ErrorCode.ILLEGAL_GENERATION);
  const member = group.member(body.memberId)!;
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      return answer(ErrorCode.UNKNOWN_MEMBER_ID);
    case 'PreparingRebalance':
      rescheduleSession(ctx, group, member);
      return answer(ErrorCode.REBALANCE_IN_PROGRESS);
    case 'CompletingRebalance':
    case 'Stable':
      rescheduleSession(ctx, group, member);
      return answer(ErrorCode.NONE);
  }
}
