import type { MemberCore } from './core.js';

/**
 * Java's maybeLeaveGroup: a dynamic member in a generation sends LeaveGroup (best effort, never
 * retried) so the group rebalances at once instead of waiting out its session. Since KIP-345 a
 * static member (groupInstanceId) does not, unless asked (`force`, e.g. close({ leaveGroup: true })):
 * its identity outlives the process, and a restart within the session timeout takes its place
 * without a rebalance. Either way the member is out of its generation afterwards.
 */
export function leaveGroup(core: MemberCore, reason: string, force: boolean, nowMs: number): void {
  const memberId = core.generation.memberId;
  const dynamic = core.groupInstanceId === null;
  const send = (dynamic || force) && core.coordinator !== null && core.state !== 'unjoined' && memberId !== '';
  if (send) {
    core.send(
      {
        api: 'LeaveGroup',
        body: {
          groupId: core.groupId,
          // v0-2 carry one member id; v3+ a list with the instance id (KIP-345).
          memberId,
          members: [{ memberId, groupInstanceId: core.groupInstanceId, reason: reason.slice(0, 255) }],
        },
      },
      nowMs,
    );
  }
  if (memberId !== '') core.event({ name: 'leave', memberId, reason, sentLeaveGroup: send });
  core.resetStateAndRejoin(`left the group: ${reason}`, true);
}
