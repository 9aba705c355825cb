import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { JoinGroupResponse } from '../../protocol/messages/index.js';
import { markCoordinatorUnknown } from './coordinator.js';
import { MemberCore, type PendingRequest } from './core.js';
import { encodeSubscription } from './embedded.js';
import { decodeMembers, groupSubscribedTopics } from './leader.js';
import { groupByTopic } from './partitions.js';
import { sendSyncGroup } from './sync.js';
import { PROTOCOL_TYPE, type TopicPartition } from './types.js';

/**
 * The step before every JoinGroup that follows a completed one (Java's onJoinPrepare). If the
 * member lost its generation, everything it owned is lost (onPartitionsLost, nothing may be
 * committed). Otherwise EAGER revokes everything and COOPERATIVE only the partitions of topics
 * it no longer subscribes to, keeping the rest while it rejoins (KIP-429). Returns true when the
 * shell must run callbacks first.
 */
export function prepareJoin(core: MemberCore, nowMs: number): boolean {
  core.needsJoinPrepare = false;
  core.isLeader = false;
  core.assignmentSnapshot = null;
  if (core.rebalanceStartMs === null) {
    core.rebalanceStartMs = nowMs;
    core.event({ name: 'rebalance-start', reason: core.rejoinReason, generationId: core.generation.generationId, memberId: core.generation.memberId, protocol: core.protocol });
  }
  let revoked: TopicPartition[];
  let lost = false;
  if (!core.hasValidGeneration()) {
    revoked = core.owned;
    lost = true;
  } else if (core.protocol === 'EAGER') {
    revoked = core.owned;
  } else {
    const topics = new Set(core.subscription);
    revoked = core.owned.filter((tp) => !topics.has(tp.topic));
  }
  if (revoked.length === 0) return false;
  const revokedKeys = new Set(revoked);
  core.owned = core.owned.filter((tp) => !revokedKeys.has(tp));
  core.state = core.hasValidGeneration() ? 'preparing' : 'unjoined';
  const token = core.newCallbackToken();
  core.emit({ type: 'revoke', token, partitions: revoked, lost, reason: core.rejoinReason });
  return true;
}

export function sendJoinGroup(core: MemberCore, nowMs: number): void {
  const { options } = core;
  const subscription = [...core.subscription];
  const protocols = options.assignors.map((assignor) => ({
    name: assignor.name,
    metadata: encodeSubscription({
      topics: subscription,
      // Sticky assignors remember the last assignment received, even after an eager revoke.
      userData: assignor.subscriptionUserData?.({ ownedPartitions: groupByTopic(core.lastAssignment), generationId: core.lastAssignmentGenerationId }) ?? null,
      ownedPartitions: core.owned,
      generationId: core.generation.generationId,
      rackId: options.rackId ?? null,
    }),
  }));
  core.state = 'joining';
  core.joinedSubscription = subscription;
  core.joinSentMs = nowMs;
  core.joinRequestId = core.send(
    {
      api: 'JoinGroup',
      body: {
        groupId: core.groupId,
        sessionTimeoutMs: options.sessionTimeoutMs,
        rebalanceTimeoutMs: options.rebalanceTimeoutMs,
        memberId: core.generation.memberId,
        groupInstanceId: core.groupInstanceId,
        protocolType: PROTOCOL_TYPE,
        protocols,
        reason: core.rejoinReason.slice(0, 255),
      },
    },
    nowMs,
  );
}

/** JoinGroup answered: per error code, as the Java client's JoinGroupResponseHandler does. */
export function handleJoinResponse(core: MemberCore, sent: PendingRequest, resp: JoinGroupResponse, nowMs: number): void {
  core.joinRequestId = null;
  const code = resp.errorCode;
  if (code === ErrorCode.NONE) {
    joined(core, resp, nowMs);
    return;
  }
  core.event({ name: 'join-failure', api: 'JoinGroup', errorCode: code, retriable: !MemberCore.isFatalJoinError(code) });
  switch (code) {
    case ErrorCode.MEMBER_ID_REQUIRED:
      // KIP-394: the coordinator hands out the id; rejoin with it right away.
      core.generation = { generationId: -1, memberId: resp.memberId, protocolName: null };
      core.requestRejoin(`need to re-join with the given member id ${resp.memberId}`);
      core.joinRetryAtMs = nowMs;
      return;
    case ErrorCode.UNKNOWN_MEMBER_ID:
      if (core.generationUnchanged(sent.generation)) core.resetStateAndRejoin('UNKNOWN_MEMBER_ID from JoinGroup', true);
      else core.requestRejoin('UNKNOWN_MEMBER_ID from JoinGroup');
      core.joinRetryAtMs = nowMs;
      return;
    case ErrorCode.ILLEGAL_GENERATION:
    case ErrorCode.REBALANCE_IN_PROGRESS:
      core.requestRejoin(`${errorName(code)} from JoinGroup`);
      core.joinRetryAtMs = nowMs;
      return;
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
      core.requestRejoin('coordinator loading');
      core.joinRetryAtMs = nowMs + core.options.retryBackoffMs;
      return;
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
      markCoordinatorUnknown(core, `${errorName(code)} from JoinGroup`, nowMs);
      core.requestRejoin(`${errorName(code)} from JoinGroup`);
      core.joinRetryAtMs = nowMs + core.options.retryBackoffMs;
      return;
    default:
      core.fail(code, MemberCore.isFatalJoinError(code) ? `JoinGroup failed for group ${core.groupId}` : `unexpected error in JoinGroup for group ${core.groupId}`);
  }
}

function joined(core: MemberCore, resp: JoinGroupResponse, nowMs: number): void {
  if (resp.protocolType !== null && resp.protocolType !== PROTOCOL_TYPE) {
    core.fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `JoinGroup answered protocol type ${resp.protocolType}, expected ${PROTOCOL_TYPE}`);
    return;
  }
  if (core.state !== 'joining') return; // left or closed while the join was parked
  const assignor = core.assignorNamed(resp.protocolName);
  if (assignor === undefined) {
    core.fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `coordinator chose protocol ${resp.protocolName}, which this member does not offer`);
    return;
  }
  core.generation = { generationId: resp.generationId, memberId: resp.memberId, protocolName: resp.protocolName };
  core.heartbeat.resetTimeouts(nowMs);
  const leader = resp.leader === resp.memberId;
  core.event({ name: 'join', generationId: resp.generationId, memberId: resp.memberId, leader, protocolName: resp.protocolName, members: resp.members.length, durationMs: nowMs - core.joinSentMs });
  core.isLeader = leader;
  // JoinGroup v9 SkipAssignment: a static leader that was replaced in a stable group must not
  // reassign; it syncs like a follower and receives its previous assignment (KIP-814).
  if (leader && !resp.skipAssignment) {
    core.leaderMembers = decodeMembers(resp.members);
    core.state = 'assigning';
    const topics = groupSubscribedTopics(core.leaderMembers);
    core.metadataRequestId = core.newRequestId('Metadata', nowMs);
    core.emit({ type: 'need-metadata', requestId: core.metadataRequestId, topics });
    return;
  }
  core.leaderMembers = null;
  sendSyncGroup(core, [], nowMs);
}
