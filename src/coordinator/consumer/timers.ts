import type { Ctx } from '../context.js';
import type { ConsumerGroupMember } from './member.js';

/** Kafka's session timeout of consumer groups: fenced unless a heartbeat comes within it. */
export function scheduleSessionTimeout(ctx: Ctx, groupId: string, memberId: string, sessionTimeoutMs = ctx.config.consumerSessionTimeoutMs): void {
  ctx.timers.set({ kind: 'consumer-session', groupId, memberId }, ctx.nowMs + sessionTimeoutMs);
}

/** A member asked to revoke must do so within its rebalance timeout, or be fenced at that epoch. */
export function scheduleRebalanceTimeout(ctx: Ctx, groupId: string, member: ConsumerGroupMember): void {
  ctx.timers.set({ kind: 'consumer-rebalance', groupId, memberId: member.memberId, memberEpoch: member.memberEpoch }, ctx.nowMs + Math.max(0, member.rebalanceTimeoutMs));
}

export function cancelRebalanceTimeout(ctx: Ctx, groupId: string, memberId: string): void {
  ctx.timers.cancel({ kind: 'consumer-rebalance', groupId, memberId, memberEpoch: 0 });
}

/** Classic members of a consumer group: Kafka's join timeout (set only when none is pending) and sync timeout. */
export function scheduleJoinTimeoutIfAbsent(ctx: Ctx, groupId: string, member: ConsumerGroupMember): void {
  const target = { kind: 'consumer-join', groupId, memberId: member.memberId } as const;
  if (ctx.timers.deadlineOf(target) === undefined) ctx.timers.set(target, ctx.nowMs + member.rebalanceTimeoutMs);
}

export function scheduleSyncTimeout(ctx: Ctx, groupId: string, member: ConsumerGroupMember): void {
  ctx.timers.set({ kind: 'consumer-sync', groupId, memberId: member.memberId }, ctx.nowMs + member.rebalanceTimeoutMs);
}

export function cancelMemberTimers(ctx: Ctx, groupId: string, memberId: string): void {
  ctx.timers.cancel({ kind: 'consumer-session', groupId, memberId });
  cancelRebalanceTimeout(ctx, groupId, memberId);
  ctx.timers.cancel({ kind: 'consumer-join', groupId, memberId });
  ctx.timers.cancel({ kind: 'consumer-sync', groupId, memberId });
}
