import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { SyncGroupRequestAssignmentInit, SyncGroupResponse } from '../../protocol/messages/index.js';
import { markCoordinatorUnknown } from './coordinator.js';
import type { MemberCore, PendingRequest } from './core.js';
import { decodeAssignment } from './embedded.js';
import { groupSubscribedTopics, performAssignment } from './leader.js';
import { formatPartitions, sortPartitions, subtractPartitions } from './partitions.js';
import { PROTOCOL_TYPE } from './types.js';

export function sendSyncGroup(core: MemberCore, assignments: SyncGroupRequestAssignmentInit[], nowMs: number): void {
  core.state = 'syncing';
  core.syncSentMs = nowMs;
  core.syncRequestId = core.send(
    {
      api: 'SyncGroup',
      body: {
        groupId: core.groupId,
        generationId: core.generation.generationId,
        memberId: core.generation.memberId,
        groupInstanceId: core.groupInstanceId,
        protocolType: PROTOCOL_TYPE,
        protocolName: core.generation.protocolName,
        assignments,
      },
    },
    nowMs,
  );
}

/** Leader: the partition counts arrived; run the chosen assignor and send the assignments. */
export function handleLeaderMetadata(
  core: MemberCore,
  partitionsPerTopic: ReadonlyMap<string, number>,
  nowMs: number,
  partitionRacks?: ReadonlyMap<string, readonly (readonly string[])[]>,
): void {
  core.metadataRequestId = null;
  const members = core.leaderMembers ?? [];
  const assignor = core.assignorNamed(core.generation.protocolName)!;
  const snapshot = new Map<string, number>();
  for (const topic of groupSubscribedTopics(members)) snapshot.set(topic, partitionsPerTopic.get(topic) ?? 0);
  let result;
  try {
    result = performAssignment(assignor, core.protocol, members, snapshot, partitionRacks);
  } catch (err) {
    core.fail(ErrorCode.UNKNOWN_SERVER_ERROR, `assignor ${assignor.name} failed: ${(err as Error).message}`);
    return;
  }
  core.pendingSnapshot = snapshot;
  sendSyncGroup(core, result.assignments, nowMs);
}

/** SyncGroup answered: per error code, as the Java client's SyncGroupResponseHandler does. */
export function handleSyncResponse(core: MemberCore, sent: PendingRequest, resp: SyncGroupResponse, nowMs: number): void {
  core.syncRequestId = null;
  const code = resp.errorCode;
  if (code === ErrorCode.NONE) {
    synced(core, resp, nowMs);
    return;
  }
  core.event({ name: 'join-failure', api: 'SyncGroup', errorCode: code, retriable: code !== ErrorCode.FENCED_INSTANCE_ID && code !== ErrorCode.GROUP_AUTHORIZATION_FAILED });
  core.state = 'joining';
  switch (code) {
    case ErrorCode.REBALANCE_IN_PROGRESS:
      core.requestRejoin('group began another rebalance during SyncGroup');
      core.joinRetryAtMs = nowMs;
      return;
    case ErrorCode.UNKNOWN_MEMBER_ID:
    case ErrorCode.ILLEGAL_GENERATION:
      // The member id survives ILLEGAL_GENERATION: it may still be valid in the group.
      if (core.generationUnchanged(sent.generation)) core.resetStateAndRejoin(`${errorName(code)} from SyncGroup`, code === ErrorCode.UNKNOWN_MEMBER_ID);
      else core.requestRejoin(`${errorName(code)} from SyncGroup`);
      core.joinRetryAtMs = nowMs;
      return;
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
      markCoordinatorUnknown(core, `${errorName(code)} from SyncGroup`, nowMs);
      core.requestRejoin(`${errorName(code)} from SyncGroup`);
      core.joinRetryAtMs = nowMs + core.options.retryBackoffMs;
      return;
    default:
      core.fail(code, code === ErrorCode.FENCED_INSTANCE_ID ? `instance id ${core.groupInstanceId} was fenced by another instance` : `SyncGroup failed for group ${core.groupId}`);
  }
}

function synced(core: MemberCore, resp: SyncGroupResponse, nowMs: number): void {
  if (resp.protocolType !== null && resp.protocolType !== PROTOCOL_TYPE) {
    core.fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `SyncGroup answered protocol type ${resp.protocolType}`);
    return;
  }
  if (core.state !== 'syncing' || !core.hasValidGeneration()) {
    // The generation was reset (by a heartbeat answer) while SyncGroup was in flight: retry.
    core.state = 'joining';
    core.requestRejoin('generation reset before SyncGroup completed');
    core.joinRetryAtMs = nowMs;
    return;
  }
  if (resp.protocolName !== null && resp.protocolName !== core.generation.protocolName) {
    core.fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `SyncGroup answered protocol ${resp.protocolName}, joined with ${core.generation.protocolName}`);
    return;
  }
  let assignment;
  try {
    assignment = decodeAssignment(resp.assignment);
  } catch (err) {
    core.state = 'joining';
    core.requestRejoin(`undecodable assignment: ${(err as Error).message}`);
    core.joinRetryAtMs = nowMs + core.options.retryBackoffMs;
    return;
  }
  completeJoin(core, assignment, nowMs);
}

/** Java's onJoinComplete: work out what moved, hand it to the shell, rejoin if we revoked. */
function completeJoin(core: MemberCore, assignment: { partitions: ReturnType<typeof sortPartitions>; userData: Buffer | null }, nowMs: number): void {
  const { generation } = core;
  core.state = 'stable';
  core.rejoinNeeded = false;
  core.rejoinReason = '';
  core.needsJoinPrepare = true;
  core.assignmentSnapshot = core.isLeader ? core.pendingSnapshot : null;
  core.pendingSnapshot = null;
  const assigned = sortPartitions(assignment.partitions);
  const revoked = core.protocol === 'COOPERATIVE' ? subtractPartitions(core.owned, assigned) : [];
  const added = subtractPartitions(assigned, core.owned);
  core.owned = assigned;
  core.lastAssignment = assigned;
  core.lastAssignmentGenerationId = generation.generationId;
  core.event({ name: 'sync', generationId: generation.generationId, memberId: generation.memberId, assigned, durationMs: nowMs - core.syncSentMs });
  if (revoked.length > 0) {
    // KIP-429: what we gave up may now go to its new owner, which needs another round.
    core.requestRejoin(`need to revoke ${formatPartitions(revoked)} and re-join`);
  }
  const subscribed = new Set(core.subscription);
  if (assigned.some((tp) => !subscribed.has(tp.topic))) {
    core.requestRejoin('assignment holds topics outside the subscription');
  }
  if (core.joinedSubscription !== null && core.joinedSubscription.join('\n') !== core.subscription.join('\n')) {
    core.requestRejoin('subscription changed during the rebalance');
  }
  const startedMs = core.rebalanceStartMs ?? core.joinSentMs;
  if (!core.rejoinNeeded) core.rebalanceStartMs = null;
  core.event({ name: 'rebalance-end', generationId: generation.generationId, memberId: generation.memberId, protocol: core.protocol, assigned, added, revoked, durationMs: nowMs - startedMs, final: !core.rejoinNeeded });
  const token = core.newCallbackToken();
  core.emit({ type: 'assign', token, generationId: generation.generationId, memberId: generation.memberId, assigned, added, revoked });
}
