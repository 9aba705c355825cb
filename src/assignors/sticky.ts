import {
  decodeCooperativeStickyUserData,
  decodeStickyUserData,
  encodeCooperativeStickyUserData,
  encodeStickyUserData,
} from '../protocol/sticky-user-data.js';
import { toMemberAssignment } from './common.js';
import { javaHashMapOrder, javaStringHash } from './java-hash-order.js';
import { assignConstrained, type StickyResult } from './sticky-constrained.js';
import { assignGeneral } from './sticky-general.js';
import { StickyRackInfo } from './sticky-racks.js';
import { prepareStickyInput, resolvePreviousOwnership, type MemberData, type StickyInput, type TP } from './sticky-input.js';
import type { AssignmentInput, Assignor, AssignorMember, MemberAssignment, TopicPartitions } from './types.js';

/** Java's AbstractStickyAssignor.assignPartitions: the constrained algorithm when all subscriptions are equal. */
function runSticky(input: AssignmentInput, memberData: (m: AssignorMember) => MemberData): { sticky: StickyInput; result: StickyResult } {
  const sticky = prepareStickyInput(input, memberData);
  if (sticky.members.length === 0) return { sticky, result: { assignment: new Map(), partitionsTransferringOwnership: new Map() } };
  const previous = resolvePreviousOwnership(sticky);
  const racks = new StickyRackInfo(input, sticky);
  const result = previous.allSubscriptionsEqual ? assignConstrained(sticky.registry, previous, racks) : assignGeneral(sticky, previous, racks);
  return { sticky, result };
}

function toOutput(input: AssignmentInput, assignment: Map<string, TP[]>): Map<string, MemberAssignment> {
  const out = new Map<string, MemberAssignment>();
  for (const m of input.members) out.set(m.memberId, toMemberAssignment(assignment.get(m.memberId) ?? []));
  return out;
}

/**
 * Java's StickyAssignor takes a member's previous assignment and generation from its userData
 * only (an eager member revokes everything before it rejoins, so its OwnedPartitions are empty).
 */
export function stickyMemberData(member: AssignorMember): MemberData {
  const data = decodeStickyUserData(member.userData);
  if (data === null) return { partitions: [], generation: -1 };
  return { partitions: data.previousAssignment, generation: data.generation ?? -1 };
}

/**
 * Java's CooperativeStickyAssignor takes OwnedPartitions from the subscription, and the generation
 * from the subscription's GenerationId (v2+) or else from its 4-byte userData.
 */
export function cooperativeMemberData(member: AssignorMember): MemberData {
  if (member.generationId >= 0) return { partitions: member.ownedPartitions, generation: member.generationId };
  return { partitions: member.ownedPartitions, generation: decodeCooperativeStickyUserData(member.userData) ?? -1 };
}

/**
 * Java's StickyAssignor ("sticky"), eager: balanced like round-robin while keeping as many of the
 * previous assignments as possible. See sticky-constrained.ts and sticky-general.ts.
 */
export const stickyAssignor: Assignor = {
  name: 'sticky',
  supportedProtocols: ['EAGER'],
  assign(input: AssignmentInput): Map<string, MemberAssignment> {
    const { result } = runSticky(input, stickyMemberData);
    return toOutput(input, result.assignment);
  },
  subscriptionUserData({ ownedPartitions, generationId }): Buffer | null {
    // Java writes nothing until the member has received an assignment.
    if (generationId < 0 && ownedPartitions.every((t) => t.partitions.length === 0)) return null;
    return encodeStickyUserData(javaGroupedByTopic(ownedPartitions), generationId);
  },
};

/**
 * Java's CooperativeStickyAssignor ("cooperative-sticky", KIP-429): the sticky assignment, minus
 * every partition that would move to a member while another member still owns it. Those are
 * revoked by their owners after this round and assigned in the follow-up rebalance.
 */
export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  supportedProtocols: ['COOPERATIVE', 'EAGER'],
  assign(input: AssignmentInput): Map<string, MemberAssignment> {
    const { sticky, result } = runSticky(input, cooperativeMemberData);
    const transferring = result.partitionsTransferringOwnership ?? transfersFromOwnedPartitions(sticky, result.assignment);
    for (const [tp, consumer] of transferring) {
      const list = result.assignment.get(consumer)!;
      const i = list.indexOf(tp);
      if (i >= 0) list.splice(i, 1);
    }
    return toOutput(input, result.assignment);
  },
  subscriptionUserData({ generationId }): Buffer | null {
    return encodeCooperativeStickyUserData(generationId);
  },
};

/**
 * CooperativeStickyAssignor.computePartitionsTransferringOwnership: partitions newly assigned to a
 * member that some member owned and is losing in this assignment.
 */
function transfersFromOwnedPartitions(sticky: StickyInput, assignment: Map<string, TP[]>): Map<TP, string> {
  const added = new Map<TP, string>();
  const revoked = new Set<TP>();
  for (const [consumer, assigned] of assignment) {
    const owned = new Set(sticky.byId.get(consumer)!.ownedPartitions);
    const assignedSet = new Set(assigned);
    for (const tp of assigned) if (!owned.has(tp)) added.set(tp, consumer);
    for (const tp of owned) if (!assignedSet.has(tp)) revoked.add(tp);
  }
  for (const tp of [...added.keys()]) if (!revoked.has(tp)) added.delete(tp);
  return added;
}

/**
 * Groups partitions by topic the way Java's CollectionUtils.groupPartitionsByTopic does (a HashMap,
 * so topics come out in Java's HashMap order), keeping each topic's partitions in the given order.
 */
function javaGroupedByTopic(owned: readonly TopicPartitions[]): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partitions } of owned) {
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    list.push(...partitions);
  }
  const topics = javaHashMapOrder([...byTopic.keys()], javaStringHash);
  return topics.filter((t) => byTopic.get(t)!.length > 0).map((topic) => ({ topic, partitions: byTopic.get(topic)! }));
}
