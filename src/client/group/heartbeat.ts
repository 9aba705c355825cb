import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { HeartbeatResponse } from '../../protocol/messages/index.js';
import { markCoordinatorUnknown } from './coordinator.js';
import type { MemberCore, PendingRequest } from './core.js';
import { leaveGroup } from './leave.js';

/**
 * Background liveness (KIP-62): heartbeats go out every heartbeatIntervalMs whatever the
 * application is doing, so a slow handler never costs the member its session. Progress is
 * tracked separately by poll(): a member that shows none for maxPollIntervalMs leaves the group.
 */
export function maybeSendHeartbeat(core: MemberCore, nowMs: number): void {
  if (core.coordinator === null || !core.heartbeatEnabled() || !core.heartbeat.shouldHeartbeat(nowMs)) return;
  core.heartbeat.sent(nowMs);
  core.heartbeatRequestId = core.send(
    {
      api: 'Heartbeat',
      body: {
        groupId: core.groupId,
        generationId: core.generation.generationId,
        memberId: core.generation.memberId,
        groupInstanceId: core.groupInstanceId,
      },
    },
    nowMs,
  );
}

/** Session and poll clocks; run on every input before anything is sent. */
export function checkMemberTimers(core: MemberCore, nowMs: number): void {
  if (!core.heartbeatEnabled()) return;
  if (core.coordinator !== null && core.heartbeat.sessionExpired(nowMs)) {
    // No heartbeat answer for a whole session: the coordinator may be gone. Rediscover it; the
    // next heartbeat tells whether we are still a member (Java does the same).
    core.event({ name: 'session-timeout', memberId: core.generation.memberId });
    markCoordinatorUnknown(core, 'session timed out without a heartbeat response', nowMs);
    return;
  }
  if (core.heartbeat.pollExpired(nowMs)) {
    core.event({ name: 'poll-timeout', memberId: core.generation.memberId, maxPollIntervalMs: core.options.maxPollIntervalMs });
    leaveGroup(core, 'consumer poll timeout has expired', false, nowMs);
    core.pollTimedOut = true;
  }
}

/** Heartbeat answered: per error code, as the Java client's HeartbeatResponseHandler does. */
export function handleHeartbeatResponse(core: MemberCore, sent: PendingRequest, resp: HeartbeatResponse, nowMs: number): void {
  core.heartbeatRequestId = null;
  const code = resp.errorCode;
  if (code === ErrorCode.NONE) {
    core.heartbeat.received(nowMs);
    return;
  }
  core.event({ name: 'heartbeat-failure', errorCode: code, generationId: sent.generation.generationId, memberId: sent.generation.memberId });
  switch (code) {
    case ErrorCode.REBALANCE_IN_PROGRESS:
      // The coordinator counts this heartbeat as alive; a stable member must rejoin.
      core.heartbeat.received(nowMs);
      if (core.state === 'stable') core.requestRejoin('group is already rebalancing');
      return;
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
      core.heartbeat.failed(nowMs);
      markCoordinatorUnknown(core, `${errorName(code)} from Heartbeat`, nowMs);
      return;
    case ErrorCode.ILLEGAL_GENERATION:
    case ErrorCode.UNKNOWN_MEMBER_ID:
    case ErrorCode.FENCED_INSTANCE_ID:
      if (!core.generationUnchanged(sent.generation)) {
        core.heartbeat.received(nowMs); // stale answer for a generation we already left
        return;
      }
      if (code === ErrorCode.FENCED_INSTANCE_ID) {
        core.fail(code, `instance id ${core.groupInstanceId} was fenced by another instance`);
        return;
      }
      core.heartbeat.failed(nowMs);
      core.resetStateAndRejoin(`${errorName(code)} from Heartbeat`, code === ErrorCode.UNKNOWN_MEMBER_ID);
      return;
    case ErrorCode.GROUP_AUTHORIZATION_FAILED:
      core.fail(code, `not authorized to use group ${core.groupId}`);
      return;
    default:
      core.heartbeat.failed(nowMs);
  }
}
