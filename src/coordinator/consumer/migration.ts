import { decodeAssignment, decodeSubscription, encodeAssignment } from '../../protocol/consumer-protocol.js';
import { ErrorCode } from '../../protocol/errors.js';
import { completeParkedJoin, completeParkedSync, emit, joinError, persist, syncError, type Ctx } from '../context.js';
import { ClassicGroup } from '../group.js';
import { ClassicGroupMember } from '../member.js';
import { prepareRebalance, rescheduleSession } from '../rebalance.js';
import type { CoordinatorRecord } from '../records.js';
import { toEntries, type TopicPartitionsEntry } from './assignment.js';
import { GroupRequestError } from './errors.js';
import { ConsumerGroup } from './group.js';
import type { ConsumerGroupMember } from './member.js';
import { normalizeTopicNames } from './member.js';
import { removalRecords } from './membership.js';
import type { ConsumerGroupRecord } from './records.js';
import { subscribedTopicMetadata } from './subscriptions.js';
import { cancelMemberTimers, scheduleSessionTimeout } from './timers.js';

const upgrades = (ctx: Ctx): boolean => ctx.config.consumerMigrationPolicy === 'upgrade' || ctx.config.consumerMigrationPolicy === 'bidirectional';
const downgrades = (ctx: Ctx): boolean => ctx.config.consumerMigrationPolicy === 'downgrade' || ctx.config.consumerMigrationPolicy === 'bidirectional';

/**
 * Online upgrade (Kafka's convertToConsumerGroup): a KIP-848 member joins a classic consumer group
 * that has members. The classic group becomes a consumer group at its generation, every member
 * keeping its assignment as its current and target partitions (still a classic member, answered
 * through JoinGroup/SyncGroup/Heartbeat); parked JoinGroups and SyncGroups are told to rejoin.
 * Returns the new group as its records will make it; the caller records them with its own.
 */
export function upgradeToConsumerGroup(ctx: Ctx, classic: ClassicGroup, joiningMemberId: string, records: CoordinatorRecord[]): ConsumerGroup {
  const groupId = classic.groupId;
  const protocol = classic.protocolName;
  if (!upgrades(ctx) || !classic.usesConsumerProtocol() || protocol === null || classic.size > ctx.config.consumerMaxGroupSize) {
    throw new GroupRequestError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
  }
  const converted: ConsumerGroupRecord[] = [];
  const taken = new Set<string>();
  const topicNames = new Set<string>();
  for (const m of classic.members.values()) {
    let topics: string[];
    let assigned: TopicPartitionsEntry[];
    try {
      const sub = decodeSubscription(m.metadata(protocol));
      topics = normalizeTopicNames(sub.topics);
      assigned = decodeAssignment(m.assignment).assignedPartitions.flatMap((t) => {
        const topic = ctx.topics.byName(t.topic);
        // A partition claimed twice in a stale assignment stays with the first member only.
        const partitions = topic === undefined ? [] : t.partitions.filter((p) => !taken.has(`${topic.id}:${p}`));
        for (const p of partitions) taken.add(`${topic!.id}:${p}`);
        return topic === undefined || partitions.length === 0 ? [] : [{ topicId: topic.id, partitions: [...partitions].sort((a, b) => a - b) }];
      });
    } catch {
      throw new GroupRequestError(ErrorCode.GROUP_ID_NOT_FOUND, `Cannot upgrade the classic group ${groupId}: malformed consumer protocol.`);
    }
    for (const t of topics) topicNames.add(t);
    converted.push(
      {
        type: 'consumer-member',
        groupId,
        memberId: m.memberId,
        value: {
          instanceId: m.groupInstanceId,
          rackId: null,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: topics,
          subscribedTopicRegex: null,
          serverAssignor: null,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          classic: { sessionTimeoutMs: m.sessionTimeoutMs, protocols: m.protocols },
        },
      },
      { type: 'consumer-target-member', groupId, memberId: m.memberId, value: { partitions: assigned } },
      { type: 'consumer-current', groupId, memberId: m.memberId, value: { memberEpoch: classic.generationId, previousMemberEpoch: classic.generationId, state: 'STABLE', assigned, pendingRevocation: [] } },
    );
  }
  const subscribedTopics = [...subscribedTopicMetadata(topicNames, ctx.topics).values()];
  converted.unshift({ type: 'consumer-group', groupId, value: { groupEpoch: classic.generationId, subscribedTopics } });
  converted.push({ type: 'consumer-target-epoch', groupId, value: { assignmentEpoch: classic.generationId } });

  // The classic group goes (its offsets stay); its waiting requests are told to rejoin.
  for (const m of classic.members.values()) {
    completeParkedJoin(ctx, classic, m, joinError(ErrorCode.REBALANCE_IN_PROGRESS, m.memberId));
    completeParkedSync(ctx, m, syncError(ErrorCode.REBALANCE_IN_PROGRESS));
    ctx.timers.cancelMember(groupId, m.memberId);
  }
  for (const id of classic.pendingJoinMembers) ctx.timers.cancelMember(groupId, id);
  ctx.timers.cancel({ kind: 'join', groupId });
  ctx.timers.cancel({ kind: 'sync', groupId, generationId: classic.generationId });
  ctx.groups.delete(groupId);
  if (ctx.durable.groupMetadata(groupId) !== undefined) records.push({ type: 'group-metadata', groupId, value: null });
  records.push(...converted);

  const group = new ConsumerGroup(groupId);
  for (const r of converted) group.apply(r);
  for (const m of group.members.values()) scheduleSessionTimeout(ctx, groupId, m.memberId, m.classic!.sessionTimeoutMs);
  emit(ctx, { type: 'group-converted', groupId, from: 'classic', to: 'consumer', members: group.members.size, memberId: joiningMemberId });
  return group;
}

/**
 * Online downgrade (Kafka's convertToClassicGroup): when the last KIP-848 member leaves a group
 * whose other members all joined with JoinGroup, it becomes a classic group again at its group
 * epoch, each member with its target assignment, and a rebalance starts so they all rejoin.
 * Returns false (nothing done) when the group stays a consumer group.
 */
export function maybeDowngradeToClassicGroup(ctx: Ctx, group: ConsumerGroup, leaving: ConsumerGroupMember): boolean {
  const remaining = [...group.members.values()].filter((m) => m.memberId !== leaving.memberId);
  if (!downgrades(ctx) || remaining.length === 0 || remaining.some((m) => m.classic === null) || remaining.length > ctx.config.maxGroupSize) return false;
  const groupId = group.groupId;
  for (const m of group.sortedMembers()) {
    for (const r of removalRecords(groupId, m.memberId)) persist(ctx, r);
    cancelMemberTimers(ctx, groupId, m.memberId);
  }
  for (const regex of group.resolvedRegexes.keys()) persist(ctx, { type: 'consumer-regex', groupId, regex, value: null });
  persist(ctx, { type: 'consumer-target-epoch', groupId, value: null });
  persist(ctx, { type: 'consumer-group', groupId, value: null });

  const classic = new ClassicGroup(groupId, 'Stable', group.groupEpoch, 'consumer', null, null, ctx.nowMs);
  for (const m of remaining) {
    const c = m.classic!;
    classic.add(new ClassicGroupMember(m.memberId, m.instanceId, m.clientId, m.clientHost, m.rebalanceTimeoutMs, c.sessionTimeoutMs, 'consumer', c.protocols), null);
  }
  classic.protocolName = classic.selectProtocol();
  classic.subscribedTopics = classic.computeSubscribedTopics();
  for (const cm of classic.members.values()) {
    const target = toEntries(group.targetAssignment.get(cm.memberId) ?? new Map());
    const assignedPartitions = target.flatMap((e) => {
      const topic = ctx.topics.byId(e.topicId);
      return topic === undefined ? [] : [{ topic: topic.name, partitions: [...e.partitions] }];
    });
    const version = Math.max(0, Math.min(3, cm.metadata(classic.protocolName).readInt16BE(0)));
    cm.assignment = encodeAssignment({ assignedPartitions, userData: null }, version);
  }
  ctx.groups.set(groupId, classic);
  persist(ctx, { type: 'group-metadata', groupId, value: classic.toMetadataValue(new Map(), ctx.nowMs) });
  for (const cm of classic.members.values()) rescheduleSession(ctx, classic, cm);
  emit(ctx, { type: 'group-converted', groupId, from: 'consumer', to: 'classic', members: remaining.length, memberId: leaving.memberId });
  prepareRebalance(ctx, classic, { reason: 'member-left', memberId: leaving.memberId });
  return true;
}
