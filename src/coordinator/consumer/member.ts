import { EMPTY_PARTITIONS, fromEntries, toEntries, type TopicPartitionsMap } from './assignment.js';
import type { ConsumerCurrentAssignmentValue, ConsumerMemberValue, MemberState } from './records.js';

/** ConsumerGroupHeartbeat.MemberEpoch -1: the member leaves the group. */
export const LEAVE_GROUP_MEMBER_EPOCH = -1;
/** ConsumerGroupHeartbeat.MemberEpoch -2: a static member leaves for now and keeps its partitions. */
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

/**
 * A consumer group member (Kafka's ConsumerGroupMember), an immutable value: its subscription
 * (from ConsumerMember records) and where it stands in reconciliation (from ConsumerCurrent
 * records). Transitions build a new member; replaying its records installs it.
 */
export interface ConsumerGroupMember extends ConsumerMemberValue {
  readonly memberId: string;
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: MemberState;
  /** The partitions the member may own now. */
  readonly assigned: TopicPartitionsMap;
  /** Partitions it still owns but must give up before it moves on. */
  readonly pendingRevocation: TopicPartitionsMap;
}

/** A member as Kafka's builder creates it before any record: epoch 0, previous -1, nothing owned. */
export function newMember(memberId: string): ConsumerGroupMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    clientId: '',
    clientHost: '',
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    serverAssignor: null,
    rebalanceTimeoutMs: -1,
    classic: null,
    memberEpoch: 0,
    previousMemberEpoch: -1,
    state: 'STABLE',
    assigned: EMPTY_PARTITIONS,
    pendingRevocation: EMPTY_PARTITIONS,
  };
}

export function subscriptionOf(m: ConsumerGroupMember): ConsumerMemberValue {
  return {
    instanceId: m.instanceId,
    rackId: m.rackId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    subscribedTopicNames: m.subscribedTopicNames,
    subscribedTopicRegex: m.subscribedTopicRegex,
    serverAssignor: m.serverAssignor,
    rebalanceTimeoutMs: m.rebalanceTimeoutMs,
    classic: m.classic,
  };
}

export function currentAssignmentOf(m: ConsumerGroupMember): ConsumerCurrentAssignmentValue {
  return {
    memberEpoch: m.memberEpoch,
    previousMemberEpoch: m.previousMemberEpoch,
    state: m.state,
    assigned: toEntries(m.assigned),
    pendingRevocation: toEntries(m.pendingRevocation),
  };
}

export function withSubscription(m: ConsumerGroupMember, v: ConsumerMemberValue): ConsumerGroupMember {
  return { ...m, ...v };
}

export function withCurrentAssignment(m: ConsumerGroupMember, v: ConsumerCurrentAssignmentValue): ConsumerGroupMember {
  return {
    ...m,
    memberEpoch: v.memberEpoch,
    previousMemberEpoch: v.previousMemberEpoch,
    state: v.state,
    assigned: fromEntries(v.assigned),
    pendingRevocation: fromEntries(v.pendingRevocation),
  };
}

/** Whether two subscriptions differ in anything a ConsumerMember record holds. */
export function subscriptionChanged(a: ConsumerMemberValue, b: ConsumerMemberValue): boolean {
  return (
    a.instanceId !== b.instanceId ||
    a.rackId !== b.rackId ||
    a.clientId !== b.clientId ||
    a.clientHost !== b.clientHost ||
    a.subscribedTopicRegex !== b.subscribedTopicRegex ||
    a.serverAssignor !== b.serverAssignor ||
    a.rebalanceTimeoutMs !== b.rebalanceTimeoutMs ||
    !sameNames(a.subscribedTopicNames, b.subscribedTopicNames) ||
    !sameClassic(a.classic, b.classic)
  );
}

export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

function sameClassic(a: ConsumerMemberValue['classic'], b: ConsumerMemberValue['classic']): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.sessionTimeoutMs === b.sessionTimeoutMs &&
    a.protocols.length === b.protocols.length &&
    a.protocols.every((p, i) => p.name === b.protocols[i]!.name && p.metadata.equals(b.protocols[i]!.metadata))
  );
}

/** Kafka's isReconciledTo: STABLE at the target assignment epoch. */
export function isReconciledTo(m: ConsumerGroupMember, targetAssignmentEpoch: number): boolean {
  return m.state === 'STABLE' && m.memberEpoch === targetAssignmentEpoch;
}

/** Sorted, without duplicates: how subscribed topic names are kept. */
export function normalizeTopicNames(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}
