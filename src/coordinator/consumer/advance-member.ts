import { emit, persist, type Ctx } from '../context.js';
import type { CoordinatorRecord } from '../records.js';
import { partitionsEqual, type TopicPartitionsMap } from './assignment.js';
import type { ConsumerGroup, ResolvedRegex } from './group.js';
import { currentAssignmentOf, isReconciledTo, subscriptionChanged, subscriptionOf, type ConsumerGroupMember } from './member.js';
import type { MemberLookup } from './membership.js';
import { reconcile, type OwnedPartitions } from './reconcile.js';
import { effectiveTopicNames, groupTopicNames, resolveRegex, sameMetadata, subscribedTopicMetadata, type RegexOverrides } from './subscriptions.js';
import { computeTargetAssignment } from './target-assignment.js';
import { cancelRebalanceTimeout, scheduleRebalanceTimeout } from './timers.js';

export interface MemberUpdate {
  readonly group: ConsumerGroup;
  /** The group is new: its first member moves it off epoch 0. */
  readonly created: boolean;
  readonly lookup: MemberLookup;
  /** The member with what this request changed (subscription, timeouts, identity). */
  readonly updated: ConsumerGroupMember;
  /** What the member says it owns (null: unchanged). */
  readonly owned: OwnedPartitions;
  /** Records gathered so far; this appends its own, then persists them all. */
  readonly records: CoordinatorRecord[];
}

/**
 * The heart of Kafka's consumerGroupHeartbeat, shared by ConsumerGroupHeartbeat and by classic
 * members' JoinGroup in a consumer group: (1) record the member and bump the group epoch when its
 * subscription or the subscribed topics changed; (2) compute a new target assignment when the
 * group epoch moved past the assignment epoch; (3) move the member one reconciliation step
 * towards its target. Everything is computed from the group as it is and becomes true when the
 * records are replayed. Returns the member as it will be.
 */
export function advanceMember(ctx: Ctx, u: MemberUpdate): ConsumerGroupMember {
  const { group, lookup, updated, records } = u;
  const member = lookup.member;
  const memberId = updated.memberId;
  const isNew = lookup.stored === undefined && lookup.replacedMemberId === null;
  if (isNew || subscriptionChanged(member, updated)) records.push({ type: 'consumer-member', groupId: group.groupId, memberId, value: subscriptionOf(updated) });

  // (1) The group epoch.
  const regexOverrides = regexChanges(ctx, group, member, updated, lookup.replacedMemberId, records);
  const changes = new Map<string, ConsumerGroupMember | null>([[memberId, updated]]);
  if (lookup.replacedMemberId !== null) changes.set(lookup.replacedMemberId, null);
  const subscribedTopics = subscribedTopicMetadata(groupTopicNames(group, changes, regexOverrides), ctx.topics);
  const ownTopicsChanged = !sameSet(effectiveTopicNames(member, group), effectiveTopicNames(updated, group, regexOverrides));
  const metadataChanged = !sameMetadata(subscribedTopics, group.subscribedTopics);
  const assignorsBefore = group.preferredServerAssignor();
  const assignorCounts = group.serverAssignorsWith(lookup.stored ?? (lookup.replacedMemberId === null ? undefined : group.members.get(lookup.replacedMemberId)), updated);
  const assignorChanged = group.preferredServerAssignor(assignorCounts) !== assignorsBefore;
  let groupEpoch = group.groupEpoch;
  if (u.created || isNew || ownTopicsChanged || metadataChanged || assignorChanged) {
    groupEpoch++;
    records.push({ type: 'consumer-group', groupId: group.groupId, value: { groupEpoch, subscribedTopics: [...subscribedTopics.values()] } });
    const reason = isNew || u.created ? 'member-joined' : ownTopicsChanged || assignorChanged ? 'subscription-changed' : 'metadata-changed';
    emit(ctx, { type: 'consumer-epoch-bumped', groupId: group.groupId, groupEpoch, reason, memberId });
  }

  // (2) The target assignment.
  let targetEpoch = group.assignmentEpoch;
  let target: TopicPartitionsMap = group.targetOf(memberId, updated.instanceId);
  if (groupEpoch > group.assignmentEpoch) {
    const assignorName = group.preferredServerAssignor(assignorCounts) ?? ctx.config.consumerAssignors[0]!;
    const inheritsFrom = new Map(lookup.replacedMemberId === null ? [] : [[memberId, lookup.replacedMemberId]]);
    const result = computeTargetAssignment({ group, groupEpoch, assignorName, changes, inheritsFrom, subscribedTopics, regexOverrides });
    records.push(...result.records);
    targetEpoch = groupEpoch;
    target = result.targets.get(memberId)!;
    emit(ctx, { type: 'consumer-target-assigned', groupId: group.groupId, assignmentEpoch: groupEpoch, assignor: assignorName, members: result.targets.size, partitionsMoved: result.partitionsMoved });
  }

  // (3) One reconciliation step.
  const stored = lookup.stored;
  const reconciled = isReconciledTo(updated, targetEpoch)
    ? updated
    : reconcile({
        member: updated,
        targetEpoch,
        target,
        // The member's own earlier partitions never block it (it may be rejoining without them).
        partitionEpoch: (t, p) => (stored !== undefined && (stored.assigned.get(t)?.has(p) || stored.pendingRevocation.get(t)?.has(p)) ? -1 : group.currentPartitionEpoch(t, p)),
        owned: u.owned,
      });
  if (assignmentChanged(lookup.stored ?? member, reconciled) || isNew || lookup.replacedMemberId !== null) {
    records.push({ type: 'consumer-current', groupId: group.groupId, memberId, value: currentAssignmentOf(reconciled) });
    emit(ctx, {
      type: 'consumer-member-reconciled',
      groupId: group.groupId,
      memberId,
      memberEpoch: reconciled.memberEpoch,
      state: reconciled.state,
      assigned: countOf(reconciled.assigned),
      revoking: countOf(reconciled.pendingRevocation),
    });
    // Classic members have JoinGroup/SyncGroup deadlines instead (Kafka's join and sync timeouts).
    if (reconciled.state === 'UNREVOKED_PARTITIONS' && reconciled.classic === null) scheduleRebalanceTimeout(ctx, group.groupId, reconciled);
    else cancelRebalanceTimeout(ctx, group.groupId, memberId);
  }
  if (lookup.replacedMemberId !== null && updated.instanceId !== null) {
    emit(ctx, { type: 'consumer-static-member-replaced', groupId: group.groupId, instanceId: updated.instanceId, oldMemberId: lookup.replacedMemberId, newMemberId: memberId });
  }
  if (isNew || lookup.rejoined) {
    emit(ctx, { type: 'consumer-member-joined', groupId: group.groupId, memberId, instanceId: updated.instanceId, clientId: updated.clientId, clientHost: updated.clientHost, rejoined: lookup.rejoined });
  }
  for (const r of records) persist(ctx, r);
  return reconciled;
}

/**
 * A member bringing a regex nobody in the group uses yet has it resolved now, against the topics
 * that exist; a regex its last user dropped is forgotten. Both are recorded.
 */
function regexChanges(ctx: Ctx, group: ConsumerGroup, member: ConsumerGroupMember, updated: ConsumerGroupMember, replacedMemberId: string | null, records: CoordinatorRecord[]): RegexOverrides {
  const overrides = new Map<string, ResolvedRegex | null>();
  const before = member.subscribedTopicRegex;
  const after = updated.subscribedTopicRegex;
  if (before === after) return overrides;
  // The member (or the static member it replaces) was the regex's last user.
  const wasUser = replacedMemberId !== null || group.members.has(member.memberId);
  if (before !== null && wasUser && (group.subscribedRegexes.get(before) ?? 0) <= 1) {
    overrides.set(before, null);
    records.push({ type: 'consumer-regex', groupId: group.groupId, regex: before, value: null });
  }
  if (after !== null && !group.resolvedRegexes.has(after)) {
    const resolved = resolveRegex(after, ctx.topics, ctx.nowMs);
    overrides.set(after, resolved);
    records.push({ type: 'consumer-regex', groupId: group.groupId, regex: after, value: { topics: resolved.topics, resolvedAtMs: resolved.resolvedAtMs } });
  }
  return overrides;
}

function assignmentChanged(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.memberEpoch !== b.memberEpoch ||
    a.previousMemberEpoch !== b.previousMemberEpoch ||
    a.state !== b.state ||
    !partitionsEqual(a.assigned, b.assigned) ||
    !partitionsEqual(a.pendingRevocation, b.pendingRevocation)
  );
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function countOf(map: TopicPartitionsMap): number {
  let n = 0;
  for (const s of map.values()) n += s.size;
  return n;
}

