import type { Ctx } from './context.js';
import { ClassicGroup } from './group.js';
import { ClassicGroupMember } from './member.js';
import { prepareRebalance, rescheduleSession } from './rebalance.js';
import type { GroupMetadataValue } from './records.js';

/**
 * Rebuilds the live groups from the durable state, as Kafka loads a coordinator partition: a
 * group with members comes back Stable with their assignments and a fresh session timer each
 * (members that are gone will time out), one without members comes back Empty, and a group that
 * only has offsets comes back as a simple group.
 */
export function loadGroups(ctx: Ctx): void {
  for (const groupId of ctx.durable.classicGroupIds()) {
    const value = ctx.durable.groupMetadata(groupId);
    const group = value === undefined ? new ClassicGroup(groupId) : groupFromMetadata(groupId, value);
    ctx.groups.set(groupId, group);
    for (const m of group.members.values()) rescheduleSession(ctx, group, m);
    if (group.size > ctx.config.maxGroupSize) {
      // group.max.size was lowered since: rebalance so the members can commit and some leave.
      prepareRebalance(ctx, group, { reason: 'group-over-capacity', memberId: null });
    }
  }
}

function groupFromMetadata(groupId: string, value: GroupMetadataValue): ClassicGroup {
  const group = new ClassicGroup(
    groupId,
    value.members.length === 0 ? 'Empty' : 'Stable',
    value.generationId,
    value.protocolType === '' ? null : value.protocolType,
    value.protocolName,
    value.leaderId,
    value.currentStateTimestampMs < 0 ? null : value.currentStateTimestampMs,
  );
  for (const m of value.members) {
    const member = new ClassicGroupMember(
      m.memberId,
      m.groupInstanceId,
      m.clientId,
      m.clientHost,
      m.rebalanceTimeoutMs < 0 ? m.sessionTimeoutMs : m.rebalanceTimeoutMs,
      m.sessionTimeoutMs,
      value.protocolType,
      // Only the selected protocol's metadata is stored, so that is all a loaded member supports.
      value.protocolName === null ? [] : [{ name: value.protocolName, metadata: m.subscription }],
      m.assignment,
    );
    group.add(member, null);
  }
  // add() makes the first member leader; the stored leader wins.
  group.leaderId = value.leaderId;
  group.subscribedTopics = group.computeSubscribedTopics();
  return group;
}
