import { ErrorCode } from '../../protocol/errors.js';
import type { MemberCore } from './core.js';

/**
 * Coordinator discovery and loss. Losing the coordinator (NOT_COORDINATOR, a disconnect, a
 * session that ran out without heartbeat answers) does not reset the generation: like the Java
 * client, the member rediscovers it, and in-flight JoinGroup/SyncGroup are retried there.
 */

/** Does the member need a coordinator now? */
export function needsCoordinator(core: MemberCore): boolean {
  if (core.state === 'failed' || core.state === 'closed' || core.closing !== null) return false;
  return core.subscription.length > 0 || core.hasValidGeneration();
}

export function maybeLookupCoordinator(core: MemberCore, nowMs: number): void {
  if (core.coordinator !== null || core.findingCoordinator || !needsCoordinator(core)) return;
  if (nowMs < core.coordinatorRetryAtMs) return;
  core.findingCoordinator = true;
  core.emit({ type: 'find-coordinator', groupId: core.groupId });
}

export function coordinatorFound(core: MemberCore, nodeId: number, nowMs: number): void {
  core.findingCoordinator = false;
  if (core.coordinator === nodeId) return;
  core.coordinator = nodeId;
  // A new coordinator starts a new session clock (Java resets it on discovery).
  core.heartbeat.resetTimeouts(nowMs);
  core.event({ name: 'coordinator', nodeId, reason: 'discovered' });
}

export function coordinatorLookupFailed(core: MemberCore, errorCode: number, nowMs: number): void {
  core.findingCoordinator = false;
  if (errorCode === ErrorCode.GROUP_AUTHORIZATION_FAILED) {
    core.fail(errorCode, `not authorized to use group ${core.groupId}`);
    return;
  }
  core.coordinatorRetryAtMs = nowMs + core.options.retryBackoffMs;
}

/**
 * Forget the coordinator. In-flight JoinGroup/SyncGroup are dropped and retried after a backoff
 * against the rediscovered coordinator; an in-flight heartbeat is abandoned.
 */
export function markCoordinatorUnknown(core: MemberCore, reason: string, nowMs: number): void {
  const had = core.coordinator;
  core.coordinator = null;
  core.coordinatorRetryAtMs = nowMs;
  core.dropInFlight(['Heartbeat']);
  core.heartbeat.abandon(nowMs);
  if (core.state === 'joining' || core.state === 'assigning' || core.state === 'syncing') {
    core.dropInFlight(['JoinGroup', 'SyncGroup', 'Metadata']);
    core.state = 'joining';
    core.requestRejoin(`coordinator lost during rebalance: ${reason}`);
    core.joinRetryAtMs = nowMs + core.options.retryBackoffMs;
  }
  if (had !== null) core.event({ name: 'coordinator', nodeId: null, reason });
}
