import type { ConsumerGroupHeartbeatRequestInit } from '../../../protocol/messages/index.js';

/** One partition of a topic named by id: what ConsumerGroupHeartbeat (KIP-848) speaks. */
export interface TopicIdPartition {
  readonly topicId: string;
  readonly partition: number;
}

/** Where a KIP-848 member is, after the Java client's MemberState. */
export type ConsumerMemberStateName =
  /** Not subscribed, or waiting to join (backoff, coordinator lookup). */
  | 'unjoined'
  /** Sent epoch 0 and waiting for the answer. */
  | 'joining'
  /** Running the revoke/assign callbacks for a new assignment. */
  | 'reconciling'
  /** Owns its assignment; heartbeats at the interval the coordinator gave. */
  | 'stable'
  /** Fenced or unknown to the coordinator: dropping everything (lost) before it joins again. */
  | 'fenced'
  /** close() was called: revoking, then the leave heartbeat. */
  | 'leaving'
  | 'closed'
  /** A fatal error: the member stops (FENCED_INSTANCE_ID, UNRELEASED_INSTANCE_ID, a broker without KIP-848, ...). */
  | 'failed';

export interface ConsumerMemberOptions {
  groupId: string;
  groupInstanceId?: string | null;
  rackId?: string | null;
  /** Sent as RebalanceTimeoutMs: how long the coordinator waits for a revocation (max.poll.interval.ms). */
  rebalanceTimeoutMs: number;
  /** `group.remote.assignor`: the server-side assignor to ask for (null: the group's default). */
  serverAssignor?: string | null;
  retryBackoffMs: number;
  /** The member id, generated once per member (KIP-1082); a UUID in base64url as Kafka's clients do. */
  memberId: string;
  /** ConsumerGroupHeartbeat version the shell negotiated (0 or 1); v0 lets the coordinator pick the id. */
  heartbeatVersion?: number;
}

/** Facts for the shell to publish. */
export type ConsumerMemberEvent =
  | { name: 'joined'; memberId: string; memberEpoch: number }
  | { name: 'reconciled'; memberId: string; memberEpoch: number; assigned: TopicIdPartition[]; added: TopicIdPartition[]; revoked: TopicIdPartition[]; durationMs: number }
  | { name: 'heartbeat-failure'; errorCode: number; memberId: string; memberEpoch: number }
  | { name: 'fenced'; memberId: string; memberEpoch: number; errorCode: number }
  | { name: 'coordinator'; nodeId: number | null; reason: string }
  | { name: 'left'; memberId: string; memberEpoch: number };

export type ConsumerMemberAction =
  | { type: 'find-coordinator'; groupId: string }
  | { type: 'send'; requestId: number; coordinator: number; body: ConsumerGroupHeartbeatRequestInit }
  /** Give up partitions: `lost` when the member is no longer in the group (no commit possible). */
  | { type: 'revoke'; token: number; partitions: TopicIdPartition[]; lost: boolean; reason: string }
  /** New partitions to start consuming: run onPartitionsAssigned, then callbacksDone(token). */
  | { type: 'assign'; token: number; memberId: string; memberEpoch: number; added: TopicIdPartition[]; assigned: TopicIdPartition[] }
  | { type: 'event'; event: ConsumerMemberEvent }
  | { type: 'fatal'; errorCode: number; message: string };
