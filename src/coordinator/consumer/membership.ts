import { ErrorCode } from '../../protocol/errors.js';
import { EMPTY_PARTITIONS, isSubset, toEntries } from './assignment.js';
import { GroupRequestError } from './errors.js';
import type { ConsumerGroup } from './group.js';
import { currentAssignmentOf, LEAVE_GROUP_STATIC_MEMBER_EPOCH, newMember, subscriptionOf, type ConsumerGroupMember } from './member.js';
import type { CoordinatorRecord } from '../records.js';
import type { ConsumerGroupRecord } from './records.js';
import type { OwnedPartitions } from './reconcile.js';

/** The member a heartbeat speaks for, and what finding it changed. */
export interface MemberLookup {
  readonly member: ConsumerGroupMember;
  /** The member as the group holds it now (undefined: new); its partitions do not block it. */
  readonly stored: ConsumerGroupMember | undefined;
  /** A static member's new id replaced this old one, whose target it takes over. */
  readonly replacedMemberId: string | null;
  /** A known member joined again with epoch 0: it dropped its partitions. */
  readonly rejoined: boolean;
}

/**
 * Kafka's throwIfConsumerGroupMemberEpochIsInvalid: an epoch ahead of the coordinator's, or behind
 * it, fences the member; except its previous epoch with owned partitions within its current
 * assignment, which means only the response that moved it on was lost.
 */
export function checkMemberEpoch(member: ConsumerGroupMember, received: number, owned: OwnedPartitions): void {
  if (received > member.memberEpoch) {
    throw new GroupRequestError(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a greater member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`);
  }
  if (received < member.memberEpoch && (received !== member.previousMemberEpoch || owned === null || !isSubset(owned, member.assigned))) {
    throw new GroupRequestError(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a smaller member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`);
  }
}

/**
 * A known member sending epoch 0 lost its state (it was fenced, or timed out on its side) and
 * owns nothing any more. Kafka would answer FENCED_MEMBER_EPOCH until the session times out;
 * since KIP-1082 members keep their id across rejoins, we take it back at epoch 0 instead.
 */
function restarted(member: ConsumerGroupMember): ConsumerGroupMember {
  return { ...member, memberEpoch: 0, previousMemberEpoch: 0, state: 'STABLE', assigned: EMPTY_PARTITIONS, pendingRevocation: EMPTY_PARTITIONS };
}

export function dynamicMember(group: ConsumerGroup, memberId: string, epoch: number, owned: OwnedPartitions): MemberLookup {
  const stored = group.members.get(memberId);
  if (stored === undefined) {
    if (epoch !== 0) throw new GroupRequestError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${group.groupId}.`);
    return { member: newMember(memberId), stored, replacedMemberId: null, rejoined: false };
  }
  if (epoch === 0) return { member: restarted(stored), stored, replacedMemberId: null, rejoined: true };
  checkMemberEpoch(stored, epoch, owned);
  return { member: stored, stored, replacedMemberId: null, rejoined: false };
}

/**
 * KIP-345 for consumer groups: a static member joining with epoch 0 takes over the instance id's
 * place (partitions and target) if its previous incarnation left with epoch -2; while that one is
 * still in, the join is refused with UNRELEASED_INSTANCE_ID.
 */
export function staticMember(group: ConsumerGroup, memberId: string, epoch: number, instanceId: string, owned: OwnedPartitions, records: CoordinatorRecord[]): MemberLookup {
  const existing = group.staticMember(instanceId);
  if (epoch === 0) {
    if (existing === undefined) {
      const stored = group.members.get(memberId);
      return stored === undefined
        ? { member: newMember(memberId), stored, replacedMemberId: null, rejoined: false }
        : { member: restarted(stored), stored, replacedMemberId: null, rejoined: true };
    }
    if (existing.memberId === memberId) return { member: restarted(existing), stored: existing, replacedMemberId: null, rejoined: true };
    if (existing.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH && existing.classic === null) {
      throw new GroupRequestError(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id is owned by ${existing.memberId} member.`);
    }
    const member: ConsumerGroupMember = { ...existing, memberId, memberEpoch: 0, previousMemberEpoch: 0 };
    replaceMember(group, existing, member, records);
    return { member, stored: undefined, replacedMemberId: existing.memberId, rejoined: false };
  }
  if (existing === undefined) throw new GroupRequestError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`);
  if (existing.memberId !== memberId) {
    throw new GroupRequestError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} was fenced by member ${existing.memberId}.`);
  }
  checkMemberEpoch(existing, epoch, owned);
  return { member: existing, stored: existing, replacedMemberId: null, rejoined: false };
}

/** The records that take a member out of the group; the order matters for replay. */
export function removalRecords(groupId: string, memberId: string): ConsumerGroupRecord[] {
  return [
    { type: 'consumer-current', groupId, memberId, value: null },
    { type: 'consumer-target-member', groupId, memberId, value: null },
    { type: 'consumer-member', groupId, memberId, value: null },
  ];
}

/** Kafka's replaceMember: the old incarnation goes, the new one comes with its target and partitions. */
function replaceMember(group: ConsumerGroup, old: ConsumerGroupMember, member: ConsumerGroupMember, records: CoordinatorRecord[]): void {
  const groupId = group.groupId;
  records.push(...removalRecords(groupId, old.memberId));
  records.push({ type: 'consumer-member', groupId, memberId: member.memberId, value: subscriptionOf(member) });
  records.push({ type: 'consumer-target-member', groupId, memberId: member.memberId, value: { partitions: toEntries(group.targetAssignment.get(old.memberId) ?? EMPTY_PARTITIONS) } });
  records.push({ type: 'consumer-current', groupId, memberId: member.memberId, value: currentAssignmentOf(member) });
}
