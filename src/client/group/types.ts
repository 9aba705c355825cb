import type { Assignor, AssignorMember, RebalanceProtocol } from '../../assignors/types.js';
import type {
  HeartbeatRequestInit,
  JoinGroupRequestInit,
  LeaveGroupRequestInit,
  SyncGroupRequestInit,
} from '../../protocol/messages/index.js';

/** The embedded protocol type of consumer groups. */
export const PROTOCOL_TYPE = 'consumer';

/** One partition of one topic. Lists of these are kept sorted by (topic, partition). */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/**
 * Which rebalance protocol the member follows (KIP-429). EAGER gives up every partition before
 * rejoining; COOPERATIVE keeps what it owns and gives up only what the new assignment moves.
 */
export type { RebalanceProtocol };

/**
 * A member's subscription as the leader sees it (decoded JoinGroup member metadata), in the shape
 * the assignors of src/assignors take.
 */
export type MemberSubscription = AssignorMember;

/**
 * An assignor: `range`, `roundrobin`, `sticky`, `cooperative-sticky` from src/assignors, or a
 * custom one implementing the same interface.
 */
export type GroupAssignor = Assignor;

/** Where the member is, following the Java client's MemberState with the waits made explicit. */
export type MemberStateName =
  /** Not in the group (never joined, reset after an error, left, or waiting for poll() after a poll timeout). */
  | 'unjoined'
  /** A rejoin is due and the shell runs the revoke/lost callbacks first (generation still valid). */
  | 'preparing'
  /** JoinGroup sent, or waiting for its retry backoff. */
  | 'joining'
  /** Leader: waiting for the partition counts the assignor needs. */
  | 'assigning'
  /** SyncGroup sent. */
  | 'syncing'
  | 'stable'
  /** close() was called; nothing more is sent but the LeaveGroup. */
  | 'closed'
  /** A fatal error (FENCED_INSTANCE_ID, INCONSISTENT_GROUP_PROTOCOL, ...): the member stops. */
  | 'failed';

export interface Generation {
  generationId: number;
  memberId: string;
  protocolName: string | null;
}

export const NO_GENERATION: Generation = Object.freeze({ generationId: -1, memberId: '', protocolName: null });

/** Options of the member state machine; the consumer fills them from its own options. */
export interface GroupMemberOptions {
  groupId: string;
  groupInstanceId?: string | null;
  sessionTimeoutMs: number;
  /** Sent as the JoinGroup rebalance timeout; the Java client sends max.poll.interval.ms. */
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Backoff before retrying a failed FindCoordinator/JoinGroup/heartbeat. */
  retryBackoffMs: number;
  /** `maxPollIntervalMs`: if poll() (handler progress) is not seen for this long the member leaves. */
  maxPollIntervalMs: number;
  /** In preference order; every one is offered in JoinGroup and the coordinator picks one. */
  assignors: readonly GroupAssignor[];
  rackId?: string | null;
}

/** The requests the member sends to its coordinator. Bodies are encoder inputs. */
export type GroupRequest =
  | { api: 'JoinGroup'; body: JoinGroupRequestInit }
  | { api: 'SyncGroup'; body: SyncGroupRequestInit }
  | { api: 'Heartbeat'; body: HeartbeatRequestInit }
  | { api: 'LeaveGroup'; body: LeaveGroupRequestInit };

/** Facts the shell publishes on diagnostics channels (the core never logs). */
export type GroupEvent =
  | { name: 'join'; generationId: number; memberId: string; leader: boolean; protocolName: string | null; members: number; durationMs: number }
  | { name: 'sync'; generationId: number; memberId: string; assigned: TopicPartition[]; durationMs: number }
  | { name: 'rebalance-start'; reason: string; generationId: number; memberId: string; protocol: RebalanceProtocol }
  /** `final` is false when the member revoked partitions and rejoins for KIP-429's second round. */
  | { name: 'rebalance-end'; generationId: number; memberId: string; protocol: RebalanceProtocol; assigned: TopicPartition[]; added: TopicPartition[]; revoked: TopicPartition[]; durationMs: number; final: boolean }
  | { name: 'heartbeat-failure'; errorCode: number; generationId: number; memberId: string }
  | { name: 'join-failure'; errorCode: number; api: 'JoinGroup' | 'SyncGroup'; retriable: boolean }
  | { name: 'coordinator'; nodeId: number | null; reason: string }
  | { name: 'leave'; memberId: string; reason: string; sentLeaveGroup: boolean }
  | { name: 'poll-timeout'; memberId: string; maxPollIntervalMs: number }
  | { name: 'session-timeout'; memberId: string };

/** What the member asks its shell to do. */
export type GroupAction =
  /** Find the coordinator of `groupId` and answer with coordinatorFound / coordinatorLookupFailed. */
  | { type: 'find-coordinator'; groupId: string }
  /** Send a request to the coordinator and answer with receive(requestId, ...). */
  | { type: 'send'; requestId: number; coordinator: number; request: GroupRequest }
  /**
   * Give up partitions: stop delivering them, wait for their in-flight records, commit (when
   * `lost` is false) and run the listener; then call callbacksDone(token). `lost` means the
   * member is no longer in the generation that owned them (onPartitionsLost, no commit possible).
   */
  | { type: 'revoke'; token: number; partitions: TopicPartition[]; lost: boolean; reason: string }
  /**
   * The generation's assignment: run onPartitionsRevoked(revoked) (cooperative only), then
   * onPartitionsAssigned(added), then call callbacksDone(token).
   */
  | { type: 'assign'; token: number; generationId: number; memberId: string; assigned: TopicPartition[]; added: TopicPartition[]; revoked: TopicPartition[] }
  /** Leader only: answer leaderMetadata(requestId, partitionsPerTopic) with these topics' partition counts. */
  | { type: 'need-metadata'; requestId: number; topics: string[] }
  | { type: 'event'; event: GroupEvent }
  /** The member cannot go on (FENCED_INSTANCE_ID, INCONSISTENT_GROUP_PROTOCOL, ...). */
  | { type: 'fatal'; errorCode: number; message: string };

/** How a commit error is to be handled, following the Java consumer's OffsetCommit handler. */
export type CommitErrorKind =
  /** Retry the same commit (after backoff); the coordinator may have moved. */
  | 'retry'
  /** The group is rebalancing: retry once the member is stable again, for partitions still owned. */
  | 'rebalance-in-progress'
  /** The member is no longer in that generation (CommitFailedException); do not retry. */
  | 'commit-failed'
  /** Surface the error to the caller (OFFSET_METADATA_TOO_LARGE, authorization, fencing). */
  | 'fatal';

/** The identity an OffsetCommit must carry. */
export interface CommitIdentity {
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}
