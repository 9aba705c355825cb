import { ErrorCode } from '../protocol/errors.js';
import { completeParkedJoin, completeParkedSync, emit, joinError, persist, transition, type Ctx } from './context.js';
import type { ClassicGroup } from './group.js';
import { EMPTY_BYTES, type ClassicGroupMember } from './member.js';
import type { MemberRemovalReason, RebalanceReason } from './types.js';

/**
 * The rebalance machinery shared by every transition (Kafka's GroupMetadataManager, classic
 * part): starting a rebalance, completing the join phase, propagating the assignment, and
 * removing members.
 */

export interface RebalanceCause {
  readonly reason: RebalanceReason;
  readonly memberId: string | null;
}

/** Starts a rebalance when the state allows one, else tries to finish the join phase in progress. */
export function maybePrepareRebalanceOrCompleteJoin(ctx: Ctx, group: ClassicGroup, cause: RebalanceCause): void {
  if (group.canRebalance()) prepareRebalance(ctx, group, cause);
  else maybeCompleteJoinPhase(ctx, group);
}

export function prepareRebalance(ctx: Ctx, group: ClassicGroup, cause: RebalanceCause): void {
  // Members waiting for an assignment of the generation being abandoned must rejoin.
  if (group.is('CompletingRebalance')) resetAndPropagateAssignmentWithError(ctx, group, ErrorCode.REBALANCE_IN_PROGRESS);
  group.pendingSyncMembers.clear();
  ctx.timers.cancel({ kind: 'sync', groupId: group.groupId, generationId: group.generationId });

  const isInitialRebalance = group.is('Empty');
  if (isInitialRebalance) {
    // KIP-134: a new group waits a little for more members; the delay may be extended while
    // members keep arriving, up to the rebalance timeout.
    const delayMs = ctx.config.initialRebalanceDelayMs;
    const remainingMs = Math.max(group.rebalanceTimeoutMs() - delayMs, 0);
    ctx.timers.set({ kind: 'initial-delay', groupId: group.groupId, delayMs, remainingMs }, ctx.nowMs + delayMs);
  }
  if (group.rebalanceStartedAtMs === null || group.is('Empty') || group.is('Stable')) group.rebalanceStartedAtMs = ctx.nowMs;
  emit(ctx, { type: 'rebalance-started', groupId: group.groupId, reason: cause.reason, generationId: group.generationId, memberId: cause.memberId });
  transition(ctx, group, 'PreparingRebalance');
  if (!isInitialRebalance) maybeCompleteJoinElseSchedule(ctx, group);
}

/** Completes the join phase once every member rejoined, unless this is the initial delayed join. */
export function maybeCompleteJoinPhase(ctx: Ctx, group: ClassicGroup): void {
  if (!group.is('PreparingRebalance')) return;
  if (group.previousState === 'Empty') return; // the initial delayed join completes on its timer only
  if (!group.hasAllMembersJoined()) return;
  completeJoin(ctx, group);
}

function maybeCompleteJoinElseSchedule(ctx: Ctx, group: ClassicGroup): void {
  if (group.hasAllMembersJoined()) completeJoin(ctx, group);
  else ctx.timers.set({ kind: 'join', groupId: group.groupId }, ctx.nowMs + group.rebalanceTimeoutMs());
}

/** The initial delay elapsed: extend it if members are still arriving, else complete the join. */
export function onInitialDelayExpired(ctx: Ctx, group: ClassicGroup, delayMs: number, remainingMs: number): void {
  if (!group.is('PreparingRebalance')) return;
  if (group.newMemberAdded && remainingMs !== 0) {
    group.newMemberAdded = false;
    const nextDelayMs = Math.min(ctx.config.initialRebalanceDelayMs, remainingMs);
    const nextRemainingMs = Math.max(remainingMs - delayMs, 0);
    ctx.timers.set({ kind: 'initial-delay', groupId: group.groupId, delayMs: nextDelayMs, remainingMs: nextRemainingMs }, ctx.nowMs + nextDelayMs);
    return;
  }
  completeJoin(ctx, group);
}

/**
 * Ends the join phase: dynamic members that did not rejoin are dropped (static members stay
 * until their session times out), the generation moves on, and every parked JoinGroup is
 * answered, the leader's with the members' metadata.
 */
export function completeJoin(ctx: Ctx, group: ClassicGroup): void {
  if (!group.is('PreparingRebalance')) return;
  ctx.timers.cancel({ kind: 'join', groupId: group.groupId });
  for (const m of group.notYetRejoinedMembers()) {
    if (m.isStatic) continue;
    removeMember(ctx, group, m, 'rebalance-timeout');
  }
  if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
    // Nobody rejoined: wait another rebalance timeout, until session timeouts clear the group.
    ctx.timers.set({ kind: 'join', groupId: group.groupId }, ctx.nowMs + group.rebalanceTimeoutMs());
    return;
  }
  group.initNextGeneration(ctx.nowMs);
  emit(ctx, { type: 'state-changed', groupId: group.groupId, from: 'PreparingRebalance', to: group.state, generationId: group.generationId });
  if (group.is('Empty')) {
    group.rebalanceStartedAtMs = null;
    persist(ctx, { type: 'group-metadata', groupId: group.groupId, value: group.toMetadataValue(new Map(), ctx.nowMs) });
    return;
  }
  const leaderMembers = group.joinResponseMembers();
  for (const m of group.members.values()) {
    completeParkedJoin(ctx, group, m, {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      skipAssignment: false,
      memberId: m.memberId,
      members: group.isLeader(m.memberId) ? leaderMembers : [],
    });
    rescheduleSession(ctx, group, m);
    if (m.isNew) {
      m.isNew = false;
      ctx.timers.cancel({ kind: 'new-member', groupId: group.groupId, memberId: m.memberId });
    }
    group.pendingSyncMembers.add(m.memberId);
  }
  emit(ctx, {
    type: 'join-completed',
    groupId: group.groupId,
    generationId: group.generationId,
    protocolName: group.protocolName,
    leaderId: group.leaderId,
    memberIds: [...group.members.keys()],
  });
  ctx.timers.set({ kind: 'sync', groupId: group.groupId, generationId: group.generationId }, ctx.nowMs + group.rebalanceTimeoutMs());
}

export function rescheduleSession(ctx: Ctx, group: ClassicGroup, member: ClassicGroupMember): void {
  ctx.timers.set({ kind: 'session', groupId: group.groupId, memberId: member.memberId }, ctx.nowMs + member.sessionTimeoutMs);
}

/** A SyncGroup arrived from the member: stop waiting for it. */
export function removePendingSyncMember(ctx: Ctx, group: ClassicGroup, memberId: string): void {
  group.pendingSyncMembers.delete(memberId);
  if (group.pendingSyncMembers.size === 0 || !(group.is('CompletingRebalance') || group.is('Stable'))) {
    ctx.timers.cancel({ kind: 'sync', groupId: group.groupId, generationId: group.generationId });
  }
}

/** Rebalance timeout after the join phase: members that never sent SyncGroup are removed. */
export function onSyncExpired(ctx: Ctx, group: ClassicGroup, generationId: number): void {
  if (generationId !== group.generationId) return;
  if (!(group.is('CompletingRebalance') || group.is('Stable'))) return;
  if (group.pendingSyncMembers.size === 0) return;
  const laggards = [...group.pendingSyncMembers];
  for (const memberId of laggards) {
    const m = group.member(memberId);
    if (m !== undefined) removeMember(ctx, group, m, 'sync-timeout');
  }
  prepareRebalance(ctx, group, { reason: 'member-removed', memberId: laggards[0] ?? null });
}

/** Abandons the generation's assignment: parked SyncGroups get `errorCode`. */
export function resetAndPropagateAssignmentWithError(ctx: Ctx, group: ClassicGroup, errorCode: number): void {
  for (const m of group.members.values()) m.assignment = EMPTY_BYTES;
  propagateAssignment(ctx, group, errorCode);
}

/** Answers every parked SyncGroup with the member's assignment (or the error). */
export function propagateAssignment(ctx: Ctx, group: ClassicGroup, errorCode: number): void {
  const ok = errorCode === ErrorCode.NONE;
  for (const m of group.members.values()) {
    const answered = completeParkedSync(ctx, m, {
      errorCode,
      protocolType: ok ? group.protocolType : null,
      protocolName: ok ? group.protocolName : null,
      assignment: m.assignment,
    });
    // The session may have expired while the member waited; it starts afresh from its answer.
    if (answered) rescheduleSession(ctx, group, m);
  }
}

/**
 * Takes a member out of the group, answering its parked requests with UNKNOWN_MEMBER_ID so a
 * live client rejoins. Does not start a rebalance: callers decide.
 */
export function removeMember(ctx: Ctx, group: ClassicGroup, member: ClassicGroupMember, reason: MemberRemovalReason): void {
  completeParkedJoin(ctx, group, member, joinError(ErrorCode.UNKNOWN_MEMBER_ID));
  // Kafka leaves such a SyncGroup unanswered; we answer it so the connection is not held up.
  completeParkedSync(ctx, member, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null, assignment: EMPTY_BYTES });
  group.remove(member.memberId);
  ctx.timers.cancelMember(group.groupId, member.memberId);
  emit(ctx, { type: 'member-removed', groupId: group.groupId, memberId: member.memberId, groupInstanceId: member.groupInstanceId, reason });
}

/**
 * A member failed (session or new-member timeout): remove it, then rebalance, or let the join
 * phase in progress complete without it.
 */
export function removeMemberAndUpdateGroup(ctx: Ctx, group: ClassicGroup, member: ClassicGroupMember, reason: MemberRemovalReason): void {
  removeMember(ctx, group, member, reason);
  if (group.is('Stable') || group.is('CompletingRebalance')) {
    maybePrepareRebalanceOrCompleteJoin(ctx, group, { reason: 'member-removed', memberId: member.memberId });
  } else if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) {
    completeJoin(ctx, group);
  }
}

/** A pending member (MEMBER_ID_REQUIRED) went away; it may have been the last one awaited. */
export function removePendingMember(ctx: Ctx, group: ClassicGroup, memberId: string): void {
  group.remove(memberId);
  ctx.timers.cancelMember(group.groupId, memberId);
  if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) completeJoin(ctx, group);
}

/** session.timeout.ms elapsed without a heartbeat. */
export function onSessionExpired(ctx: Ctx, group: ClassicGroup, memberId: string): void {
  const member = group.member(memberId);
  if (member === undefined || member.hasSatisfiedHeartbeat()) return;
  removeMemberAndUpdateGroup(ctx, group, member, 'session-timeout');
}

/** The new-member guard: a member whose first join never completed is dropped. */
export function onNewMemberExpired(ctx: Ctx, group: ClassicGroup, memberId: string): void {
  const member = group.member(memberId);
  if (member === undefined || !member.isNew) return;
  removeMemberAndUpdateGroup(ctx, group, member, 'new-member-timeout');
}

export function onPendingMemberExpired(ctx: Ctx, group: ClassicGroup, memberId: string): void {
  if (group.pendingJoinMembers.has(memberId)) removePendingMember(ctx, group, memberId);
}
