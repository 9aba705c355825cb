import type { Ctx } from './context.js';
import { emit, persist } from './context.js';
import { fenceMember } from './consumer/leave.js';
import { LEAVE_GROUP_STATIC_MEMBER_EPOCH } from './consumer/member.js';
import { groupTopicNames, subscribedTopicMetadata } from './consumer/subscriptions.js';
import { scheduleSessionTimeout } from './consumer/timers.js';
import { prepareRebalance, removeMemberAndUpdateGroup, rescheduleSession } from './rebalance.js';

/**
 * What the broker's fault-injection seam (tests only, never the wire) may ask of the coordinator.
 * Each one is a transition the coordinator already makes on its own (a rebalance, a member
 * removed by a timer, a heartbeat keeping a session); the seam only chooses when.
 */

/** How a removal is presented: as the session timer or the rebalance timer would do it. */
export type ForcedRemoval = 'session-timeout' | 'rebalance-timeout';

/**
 * Starts a rebalance now. A classic group goes to PreparingRebalance (every member must rejoin,
 * as after a member joined); a consumer group (KIP-848) moves to a new group epoch, so its next
 * heartbeats compute a new target assignment. Returns false when there is no such group or it
 * cannot rebalance (Empty, Dead).
 */
export function forceRebalance(ctx: Ctx, groupId: string): boolean {
  const classic = ctx.groups.get(groupId);
  if (classic !== undefined) {
    if (classic.size === 0 || !classic.canRebalance()) return false;
    prepareRebalance(ctx, classic, { reason: 'forced', memberId: null });
    return true;
  }
  const group = ctx.durable.consumerGroups.get(groupId);
  if (group === undefined || group.members.size === 0) return false;
  const subscribedTopics = subscribedTopicMetadata(groupTopicNames(group, new Map(), new Map()), ctx.topics);
  const groupEpoch = group.groupEpoch + 1;
  persist(ctx, { type: 'consumer-group', groupId, value: { groupEpoch, subscribedTopics: [...subscribedTopics.values()] } });
  emit(ctx, { type: 'consumer-epoch-bumped', groupId, groupEpoch, reason: 'forced', memberId: null });
  return true;
}

/**
 * Removes a member now, as its session timer (`session-timeout`) or its rebalance timer
 * (`rebalance-timeout`: fenced for not revoking, or not rejoining, in time) would. The client
 * learns it at its next request (UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH) and rejoins. Returns
 * false when the member is not in the group.
 */
export function removeMemberNow(ctx: Ctx, groupId: string, memberId: string, reason: ForcedRemoval): boolean {
  const classic = ctx.groups.get(groupId);
  if (classic !== undefined) {
    const member = classic.member(memberId);
    if (member === undefined) return false;
    removeMemberAndUpdateGroup(ctx, classic, member, reason);
    return true;
  }
  const group = ctx.durable.consumerGroups.get(groupId);
  const member = group?.members.get(memberId);
  if (group === undefined || member === undefined) return false;
  fenceMember(ctx, group, member, reason);
  return true;
}

/**
 * Time jumps forward: the members `alive` vouches for are treated as having heartbeated all
 * along, so their sessions restart at `ctx.nowMs`; everyone else keeps the deadline their last
 * heartbeat gave them. Static members gone with epoch -2 are never kept: their session must run
 * out for their partitions to move (KIP-848).
 */
export function extendSessions(ctx: Ctx, alive: (groupId: string, memberId: string) => boolean): void {
  for (const group of ctx.groups.values()) {
    for (const m of group.members.values()) if (alive(group.groupId, m.memberId)) rescheduleSession(ctx, group, m);
  }
  for (const id of ctx.durable.consumerGroups.ids()) {
    const group = ctx.durable.consumerGroups.get(id)!;
    for (const m of group.members.values()) {
      if (m.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH || !alive(id, m.memberId)) continue;
      scheduleSessionTimeout(ctx, id, m.memberId, m.classic?.sessionTimeoutMs);
    }
  }
}
