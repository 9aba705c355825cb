import { eventChannels } from '../../common/event-channels.js';
import type { TimelineEntry } from '../../common/timeline/index.js';
import type { CoordinatorEvent } from '../../coordinator/index.js';

/**
 * Group coordinator facts on `node:diagnostics_channel`, one channel per kind: what the core
 * reports (membership changes and rebalances with their reasons, generations and pauses) plus
 * what the shell does with the internal log. Listed in docs/events.md.
 */
export const COORDINATOR_EVENTS = {
  groupCreated: 'samsa:coordinator:group-created',
  groupDeleted: 'samsa:coordinator:group-deleted',
  stateChanged: 'samsa:coordinator:state-changed',
  memberJoined: 'samsa:coordinator:member-joined',
  memberRemoved: 'samsa:coordinator:member-removed',
  memberFenced: 'samsa:coordinator:member-fenced',
  staticMemberReplaced: 'samsa:coordinator:static-member-replaced',
  rebalanceStarted: 'samsa:coordinator:rebalance-started',
  joinCompleted: 'samsa:coordinator:join-completed',
  rebalanceCompleted: 'samsa:coordinator:rebalance-completed',
  offsetsExpired: 'samsa:coordinator:offsets-expired',
  consumerMemberJoined: 'samsa:coordinator:consumer-member-joined',
  consumerMemberRemoved: 'samsa:coordinator:consumer-member-removed',
  consumerStaticMemberLeft: 'samsa:coordinator:consumer-static-member-left',
  consumerStaticMemberReplaced: 'samsa:coordinator:consumer-static-member-replaced',
  consumerOwnedReported: 'samsa:coordinator:consumer-owned-reported',
  consumerEpochBumped: 'samsa:coordinator:consumer-epoch-bumped',
  consumerTargetAssigned: 'samsa:coordinator:consumer-target-assigned',
  consumerMemberReconciled: 'samsa:coordinator:consumer-member-reconciled',
  consumerStateChanged: 'samsa:coordinator:consumer-state-changed',
  groupConverted: 'samsa:coordinator:group-converted',
  loaded: 'samsa:coordinator:loaded',
  compacted: 'samsa:coordinator:compacted',
  timelineEntry: 'samsa:coordinator:timeline-entry',
} as const;

interface BrokerRef {
  nodeId: number;
  port: number;
}

type EventOf<T extends CoordinatorEvent['type']> = Extract<CoordinatorEvent, { type: T }> & BrokerRef;

export interface CoordinatorEventPayloads {
  [COORDINATOR_EVENTS.groupCreated]: EventOf<'group-created'>;
  [COORDINATOR_EVENTS.groupDeleted]: EventOf<'group-deleted'>;
  [COORDINATOR_EVENTS.stateChanged]: EventOf<'state-changed'>;
  [COORDINATOR_EVENTS.memberJoined]: EventOf<'member-joined'>;
  [COORDINATOR_EVENTS.memberRemoved]: EventOf<'member-removed'>;
  [COORDINATOR_EVENTS.memberFenced]: EventOf<'member-fenced'>;
  [COORDINATOR_EVENTS.staticMemberReplaced]: EventOf<'static-member-replaced'>;
  [COORDINATOR_EVENTS.rebalanceStarted]: EventOf<'rebalance-started'>;
  [COORDINATOR_EVENTS.joinCompleted]: EventOf<'join-completed'>;
  [COORDINATOR_EVENTS.rebalanceCompleted]: EventOf<'rebalance-completed'>;
  [COORDINATOR_EVENTS.offsetsExpired]: EventOf<'offsets-expired'>;
  [COORDINATOR_EVENTS.consumerMemberJoined]: EventOf<'consumer-member-joined'>;
  [COORDINATOR_EVENTS.consumerMemberRemoved]: EventOf<'consumer-member-removed'>;
  [COORDINATOR_EVENTS.consumerStaticMemberLeft]: EventOf<'consumer-static-member-left'>;
  [COORDINATOR_EVENTS.consumerStaticMemberReplaced]: EventOf<'consumer-static-member-replaced'>;
  [COORDINATOR_EVENTS.consumerOwnedReported]: EventOf<'consumer-owned-reported'>;
  [COORDINATOR_EVENTS.consumerEpochBumped]: EventOf<'consumer-epoch-bumped'>;
  [COORDINATOR_EVENTS.consumerTargetAssigned]: EventOf<'consumer-target-assigned'>;
  [COORDINATOR_EVENTS.consumerMemberReconciled]: EventOf<'consumer-member-reconciled'>;
  [COORDINATOR_EVENTS.consumerStateChanged]: EventOf<'consumer-state-changed'>;
  [COORDINATOR_EVENTS.groupConverted]: EventOf<'group-converted'>;
  /** The internal log was replayed at start. */
  [COORDINATOR_EVENTS.loaded]: BrokerRef & { groups: number; records: number; durationMs: number };
  /** The internal log was rewritten as a snapshot of the live state and older records dropped. */
  [COORDINATOR_EVENTS.compacted]: BrokerRef & { recordsBefore: number; snapshotRecords: number; logStartOffset: number };
  /** A rebalance (or a static member's replacement, or the group emptying) was added to the group's durable history. */
  [COORDINATOR_EVENTS.timelineEntry]: BrokerRef & { groupId: string; atMs: number; entry: TimelineEntry };
}

export type CoordinatorEventName = keyof CoordinatorEventPayloads;

const channels = eventChannels<CoordinatorEventPayloads>();

/** The channel name of a core event. */
export function coordinatorEventName(event: CoordinatorEvent): CoordinatorEventName {
  return `samsa:coordinator:${event.type}` as CoordinatorEventName;
}

/** Publishes a fact; costs one check when nobody listens. */
export function publishCoordinatorEvent<N extends CoordinatorEventName>(name: N, payload: CoordinatorEventPayloads[N]): void {
  channels.publish(name, payload);
}

/** Subscribes to one coordinator event; returns the function that unsubscribes. */
export function subscribeCoordinatorEvent<N extends CoordinatorEventName>(name: N, listener: (payload: CoordinatorEventPayloads[N]) => void): () => void {
  return channels.subscribe(name, listener);
}
