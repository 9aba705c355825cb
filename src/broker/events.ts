import { eventChannels } from '../common/event-channels.js';
import type { DamagedBytes, LostRange } from '../storage/types.js';
import type { CleanedLogStats } from '../storage/index.js';

/**
 * Broker facts published on `node:diagnostics_channel` (design guide §3.9): the dashboard, metrics
 * and tests subscribe by name; the broker never waits for a subscriber. Every payload carries the
 * publishing broker's `nodeId` and `port` so that several brokers in one process can be told
 * apart. The names and payloads are listed in docs/events.md.
 */
export const BROKER_EVENTS = {
  started: 'samsa:broker:started',
  stopped: 'samsa:broker:stopped',
  connectionOpened: 'samsa:broker:connection-opened',
  connectionClosed: 'samsa:broker:connection-closed',
  connectionRefused: 'samsa:broker:connection-refused',
  authenticated: 'samsa:broker:authenticated',
  authenticationFailed: 'samsa:broker:authentication-failed',
  requestRejected: 'samsa:broker:request-rejected',
  topicCreated: 'samsa:broker:topic-created',
  topicDeleted: 'samsa:broker:topic-deleted',
  partitionsCreated: 'samsa:broker:partitions-created',
  topicConfigsAltered: 'samsa:broker:topic-configs-altered',
  recordsDeleted: 'samsa:broker:records-deleted',
  producerIdAllocated: 'samsa:broker:producer-id-allocated',
  retentionApplied: 'samsa:broker:retention-applied',
  partitionOffline: 'samsa:broker:partition-offline',
  partitionRepaired: 'samsa:broker:partition-repaired',
  logCleaned: 'samsa:broker:log-cleaned',
  logCleaningAborted: 'samsa:broker:log-cleaning-aborted',
  logCleaningFailed: 'samsa:broker:log-cleaning-failed',
  requestCompleted: 'samsa:broker:request-completed',
  recordsAppended: 'samsa:broker:records-appended',
  recordsFetched: 'samsa:broker:records-fetched',
} as const;

interface BrokerRef {
  nodeId: number;
  port: number;
}

/** Why a connection ended. */
export type ConnectionCloseReason =
  | 'client-closed'
  | 'protocol-error'
  | 'broker-shutdown'
  | 'socket-error'
  | 'idle'
  | 'authentication-failed'
  | 'not-authenticated'
  | 'session-expired';

export interface BrokerEventPayloads {
  [BROKER_EVENTS.started]: BrokerRef & { host: string; dataDir: string | null };
  [BROKER_EVENTS.stopped]: BrokerRef;
  [BROKER_EVENTS.connectionOpened]: BrokerRef & { connectionId: number; remote: string; listener: string; principal: string };
  [BROKER_EVENTS.connectionClosed]: BrokerRef & {
    connectionId: number;
    remote: string;
    reason: ConnectionCloseReason;
    /** For protocol errors: what was wrong with the input. */
    detail?: string;
  };
  /** A new connection closed at once because a connection limit was reached. */
  [BROKER_EVENTS.connectionRefused]: BrokerRef & { remote: string; reason: 'max-connections' | 'max-connections-per-ip' };
  /** A SASL exchange succeeded (also on re-authentication). */
  [BROKER_EVENTS.authenticated]: BrokerRef & { connectionId: number; remote: string; listener: string; principal: string };
  /** A SASL exchange failed; the connection closes after the answer. `detail` is for operators, never sent to the client. */
  [BROKER_EVENTS.authenticationFailed]: BrokerRef & { connectionId: number; remote: string; listener: string; detail: string };
  /** A request (or one partition of it) answered with an error the client caused. */
  [BROKER_EVENTS.requestRejected]: BrokerRef & {
    connectionId: number;
    api: string;
    topic?: string;
    partition?: number;
    errorCode: number;
    errorName: string;
    detail: string;
  };
  [BROKER_EVENTS.topicCreated]: BrokerRef & {
    topic: string;
    topicId: string;
    partitions: number;
    configs: Record<string, string>;
    /** 'create-topics' (CreateTopics request) or 'auto-create' (Metadata or Produce). */
    cause: 'create-topics' | 'auto-create';
  };
  [BROKER_EVENTS.topicDeleted]: BrokerRef & { topic: string; topicId: string };
  [BROKER_EVENTS.partitionsCreated]: BrokerRef & { topic: string; previousPartitions: number; partitions: number };
  [BROKER_EVENTS.topicConfigsAltered]: BrokerRef & { topic: string; changes: Record<string, string | null> };
  [BROKER_EVENTS.recordsDeleted]: BrokerRef & { topic: string; partition: number; logStartOffset: number };
  [BROKER_EVENTS.producerIdAllocated]: BrokerRef & { producerId: number; producerEpoch: number };
  [BROKER_EVENTS.retentionApplied]: BrokerRef & { segmentsDeleted: number; durationMs: number };
  /** Damage below the partition's recovery point found at start-up: it serves KAFKA_STORAGE_ERROR until repaired. */
  [BROKER_EVENTS.partitionOffline]: BrokerRef & {
    topic: string;
    partition: number;
    recoveryPoint: number;
    /** Each damaged range: segment file, byte position and length, the offsets it held, why. */
    damaged: DamagedBytes[];
  };
  /** A start with `repair` repaired a damaged partition: what it lost, where the bytes went. */
  [BROKER_EVENTS.partitionRepaired]: BrokerRef & {
    topic: string;
    partition: number;
    lost: LostRange[];
    /** The log end after the repair (never below what it was before). */
    logEndOffset: number;
  };
  /** One pass of the log cleaner over one compacted partition. */
  [BROKER_EVENTS.logCleaned]: BrokerRef & CleanedLogStats;
  /** A pass stopped without harm (the broker stopping, retention removing a segment meanwhile); it runs again later. */
  [BROKER_EVENTS.logCleaningAborted]: BrokerRef & { topic: string; partition: number; reason: string };
  /** A pass failed (unreadable data); the partition is not cleaned again until the broker restarts. */
  [BROKER_EVENTS.logCleaningFailed]: BrokerRef & { topic: string; partition: number; error: string };
  /** A request was answered (or, for acks=0 Produce, handled). Only computed while someone listens. */
  [BROKER_EVENTS.requestCompleted]: BrokerRef & {
    connectionId: number;
    apiKey: number;
    api: string;
    version: number;
    /** Size of the request frame, and of the response (0 when none is sent). */
    requestBytes: number;
    responseBytes: number;
    /** From the frame's arrival to the response being queued (includes waits: long-poll Fetch, JoinGroup). */
    durationMs: number;
    /** Every non-zero error code in the response (top level, per topic, per partition). */
    errorCodes: number[];
  };
  /** A produced batch was appended to a partition. */
  [BROKER_EVENTS.recordsAppended]: BrokerRef & { topic: string; partition: number; baseOffset: number; records: number; bytes: number };
  /** A Fetch returned record bytes of a partition. */
  [BROKER_EVENTS.recordsFetched]: BrokerRef & { topic: string; partition: number; bytes: number };
}

export type BrokerEventName = keyof BrokerEventPayloads;

const channels = eventChannels<BrokerEventPayloads>();

/** Publishes a fact; costs one check when nobody listens. */
export function publishBrokerEvent<N extends BrokerEventName>(name: N, payload: BrokerEventPayloads[N]): void {
  channels.publish(name, payload);
}

/** Whether anyone listens to an event (so its payload is worth computing). */
export function brokerEventWanted(name: BrokerEventName): boolean {
  return channels.hasSubscribers(name);
}

/** Subscribes to one broker event; returns the function that unsubscribes. */
export function subscribeBrokerEvent<N extends BrokerEventName>(name: N, listener: (payload: BrokerEventPayloads[N]) => void): () => void {
  return channels.subscribe(name, listener);
}
