import type {
  DeleteGroupsRequest,
  DeleteGroupsResponseInit,
  DescribeGroupsRequest,
  DescribeGroupsResponseInit,
  HeartbeatRequest,
  HeartbeatResponseInit,
  JoinGroupRequest,
  JoinGroupResponseInit,
  LeaveGroupRequest,
  LeaveGroupResponseInit,
  ListGroupsRequest,
  ListGroupsResponseInit,
  OffsetCommitRequest,
  OffsetCommitResponseInit,
  OffsetDeleteRequest,
  OffsetDeleteResponseInit,
  OffsetFetchRequest,
  OffsetFetchResponseInit,
  SyncGroupRequest,
  SyncGroupResponseInit,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponseInit,
} from '../protocol/messages/index.js';
import type {
  ConsumerGroupDescribeRequest,
  ConsumerGroupDescribeResponseInit,
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponseInit,
} from '../protocol/messages/index.js';
import type { ConsumerGroupState } from './consumer/group.js';
import type { MemberState } from './consumer/records.js';
import type { CoordinatorRecord } from './records.js';

/** Group states of the classic protocol, spelled as Kafka prints them (DescribeGroups, ListGroups). */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** The group APIs the coordinator answers, with the decoded request and response of each. */
export interface CoordinatorApis {
  join: { request: JoinGroupRequest; response: JoinGroupResponseInit };
  sync: { request: SyncGroupRequest; response: SyncGroupResponseInit };
  heartbeat: { request: HeartbeatRequest; response: HeartbeatResponseInit };
  leave: { request: LeaveGroupRequest; response: LeaveGroupResponseInit };
  'offset-commit': { request: OffsetCommitRequest; response: OffsetCommitResponseInit };
  'offset-fetch': { request: OffsetFetchRequest; response: OffsetFetchResponseInit };
  'offset-delete': { request: OffsetDeleteRequest; response: OffsetDeleteResponseInit };
  'describe-groups': { request: DescribeGroupsRequest; response: DescribeGroupsResponseInit };
  'list-groups': { request: ListGroupsRequest; response: ListGroupsResponseInit };
  'delete-groups': { request: DeleteGroupsRequest; response: DeleteGroupsResponseInit };
  'txn-offset-commit': { request: TxnOffsetCommitRequest; response: TxnOffsetCommitResponseInit };
  /** ConsumerGroupHeartbeat (KIP-848 consumer groups). */
  'consumer-heartbeat': { request: ConsumerGroupHeartbeatRequest; response: ConsumerGroupHeartbeatResponseInit };
  /** ConsumerGroupDescribe (KIP-848 consumer groups). */
  'consumer-describe': { request: ConsumerGroupDescribeRequest; response: ConsumerGroupDescribeResponseInit };
}

export type CoordinatorApi = keyof CoordinatorApis;

/**
 * One request as the shell hands it over: the decoded body plus what Kafka's request context
 * carries. `requestId` is chosen by the shell, unique among requests in flight, so a parked
 * JoinGroup or SyncGroup can be completed later.
 */
export interface CoordinatorRequest<A extends CoordinatorApi = CoordinatorApi> {
  readonly api: A;
  readonly requestId: number;
  readonly apiVersion: number;
  readonly clientId: string;
  /** As Kafka prints it: "/" + address. */
  readonly clientHost: string;
  readonly body: CoordinatorApis[A]['request'];
}

export type AnyCoordinatorRequest = { [A in CoordinatorApi]: CoordinatorRequest<A> }[CoordinatorApi];

/** The answer to a parked JoinGroup or SyncGroup, delivered by a later call. */
export type Completion =
  | { readonly requestId: number; readonly api: 'join'; readonly response: JoinGroupResponseInit }
  | { readonly requestId: number; readonly api: 'sync'; readonly response: SyncGroupResponseInit };

export const PARKED: unique symbol = Symbol('parked');

/**
 * What one call of the core produced. The shell appends `records` to the internal log, applies
 * them with `replay`, and only then sends `response` and `completions`: nothing a client sees
 * can be lost by a crash.
 */
export interface CoordinatorResult<R = unknown> {
  readonly records: CoordinatorRecord[];
  /** The answer to the request handled, or PARKED when it waits (JoinGroup, SyncGroup). */
  readonly response: R | typeof PARKED;
  readonly completions: Completion[];
  readonly events: CoordinatorEvent[];
}

// ---- events ------------------------------------------------------------------------------------

/** Why a member left its group. */
export type MemberRemovalReason =
  /** LeaveGroup from the member itself (or an admin removing a static member by instance id). */
  | 'leave-request'
  /** No heartbeat, commit or parked request within session.timeout.ms. */
  | 'session-timeout'
  /** A dynamic member did not rejoin within the rebalance timeout (max.poll.interval.ms). */
  | 'rebalance-timeout'
  /** The member did not send SyncGroup within the rebalance timeout after its JoinGroup returned. */
  | 'sync-timeout'
  /** A JoinGroup of a new member stayed parked longer than the new-member guard (5 min). */
  | 'new-member-timeout'
  /** group.max.size was lowered or reached while the member was not rejoining. */
  | 'group-max-size'
  /** A new incarnation of the same static member (group.instance.id) took its place. */
  | 'static-replacement';

/** Why a rebalance started. */
export type RebalanceReason =
  | 'member-joined'
  /** A member rejoined with different protocols or metadata (subscription change, cooperative rounds). */
  | 'member-metadata-changed'
  /** The leader rejoined while Stable: how a consumer leader reports topic metadata changes. */
  | 'leader-rejoined'
  | 'member-left'
  | 'member-removed'
  /** A static member came back with a protocol that changes the group's selection, or while syncing. */
  | 'static-member-rejoined'
  /** A freshly loaded group is larger than group.max.size. */
  | 'group-over-capacity'
  /** Asked for by a test through the broker's fault-injection seam (`samsa/testing`). */
  | 'forced';

/** Why a consumer group (KIP-848) member left. */
export type ConsumerMemberRemovalReason =
  /** ConsumerGroupHeartbeat with epoch -1 (or -2 handled as a leave by an admin tool). */
  | 'leave-request'
  /** No heartbeat within group.consumer.session.timeout.ms. */
  | 'session-timeout'
  /** Did not revoke its partitions within its rebalance timeout (max.poll.interval.ms). */
  | 'rebalance-timeout'
  /** A new incarnation of the same static member took its place. */
  | 'static-replacement';

/** Why a consumer group moved to a new group epoch (which starts a new target assignment). */
export type ConsumerEpochReason =
  | 'member-joined'
  | 'member-left'
  | 'member-removed'
  /** A member changed its topics, regex or assignor. */
  | 'subscription-changed'
  /** A subscribed topic was created, deleted or got more partitions. */
  | 'metadata-changed'
  /** Asked for by a test through the broker's fault-injection seam (`samsa/testing`). */
  | 'forced';

interface EventBase {
  readonly groupId: string;
  readonly atMs: number;
}

export type CoordinatorEvent =
  | (EventBase & { readonly type: 'group-created' })
  | (EventBase & { readonly type: 'group-deleted'; readonly reason: 'delete-request' | 'offsets-expired' })
  | (EventBase & { readonly type: 'state-changed'; readonly from: GroupState; readonly to: GroupState; readonly generationId: number })
  | (EventBase & {
      readonly type: 'member-joined';
      readonly memberId: string;
      readonly groupInstanceId: string | null;
      readonly clientId: string;
      readonly clientHost: string;
    })
  | (EventBase & {
      readonly type: 'member-removed';
      readonly memberId: string;
      readonly groupInstanceId: string | null;
      readonly reason: MemberRemovalReason;
    })
  | (EventBase & {
      /** A request carried a stale member id for a static member: answered FENCED_INSTANCE_ID. */
      readonly type: 'member-fenced';
      readonly memberId: string;
      readonly groupInstanceId: string;
      readonly api: 'join' | 'sync' | 'heartbeat' | 'leave' | 'offset-commit';
    })
  | (EventBase & {
      readonly type: 'static-member-replaced';
      readonly groupInstanceId: string;
      readonly oldMemberId: string;
      readonly newMemberId: string;
      /** false when the group stayed Stable (KIP-345's rebalance-free restart). */
      readonly rebalance: boolean;
    })
  | (EventBase & {
      readonly type: 'rebalance-started';
      readonly reason: RebalanceReason;
      /** Generation in force when the rebalance began (the next one is generationId + 1). */
      readonly generationId: number;
      readonly memberId: string | null;
    })
  | (EventBase & {
      /** The join phase ended: a new generation with its leader, waiting for the assignment. */
      readonly type: 'join-completed';
      readonly generationId: number;
      readonly protocolName: string | null;
      readonly leaderId: string | null;
      readonly memberIds: readonly string[];
    })
  | (EventBase & {
      /** The group is Stable again with the leader's assignment stored. */
      readonly type: 'rebalance-completed';
      readonly generationId: number;
      readonly protocolName: string;
      readonly leaderId: string;
      readonly members: readonly { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string }[];
      /** From the first PreparingRebalance after the last Stable/Empty state to this Stable state. */
      readonly durationMs: number;
    })
  | (EventBase & { readonly type: 'offsets-expired'; readonly partitions: number })
  // ---- consumer groups (KIP-848) ----
  | (EventBase & {
      readonly type: 'consumer-member-joined';
      readonly memberId: string;
      readonly instanceId: string | null;
      readonly clientId: string;
      readonly clientHost: string;
      /** A known member id joined again with epoch 0 (it had lost its partitions). */
      readonly rejoined: boolean;
    })
  | (EventBase & {
      readonly type: 'consumer-member-removed';
      readonly memberId: string;
      readonly instanceId: string | null;
      readonly memberEpoch: number;
      readonly reason: ConsumerMemberRemovalReason;
    })
  | (EventBase & {
      /** A static member left with epoch -2: its partitions stay reserved until its session times out. */
      readonly type: 'consumer-static-member-left';
      readonly memberId: string;
      readonly instanceId: string;
    })
  | (EventBase & {
      /** A static member joined with a new member id and took its previous incarnation's place and partitions (KIP-345, KIP-848). */
      readonly type: 'consumer-static-member-replaced';
      readonly instanceId: string;
      readonly oldMemberId: string;
      readonly newMemberId: string;
    })
  | (EventBase & {
      /**
       * A heartbeat listed the partitions the member owns (KIP-848's TopicPartitions, sent when
       * they changed; some clients send them every time). Partitions newly listed are the
       * member's acknowledgement that it took them over; partitions no longer listed, that it
       * let them go. Topics by id.
       */
      readonly type: 'consumer-owned-reported';
      readonly memberId: string;
      readonly memberEpoch: number;
      readonly partitions: readonly { readonly topicId: string; readonly partitions: readonly number[] }[];
    })
  | (EventBase & {
      readonly type: 'consumer-epoch-bumped';
      readonly groupEpoch: number;
      readonly reason: ConsumerEpochReason;
      readonly memberId: string | null;
    })
  | (EventBase & {
      /** The assignor computed a new target assignment for the group epoch. */
      readonly type: 'consumer-target-assigned';
      readonly assignmentEpoch: number;
      readonly assignor: string;
      readonly members: number;
      /** Target partitions that changed owner. */
      readonly partitionsMoved: number;
    })
  | (EventBase & {
      /** A member's current assignment changed: a reconciliation step (revoke first, then assign). */
      readonly type: 'consumer-member-reconciled';
      readonly memberId: string;
      readonly memberEpoch: number;
      readonly state: MemberState;
      readonly assigned: number;
      readonly revoking: number;
    })
  | (EventBase & {
      /** Online migration: the group changed protocol with its members in it (group.consumer.migration.policy). */
      readonly type: 'group-converted';
      readonly from: 'classic' | 'consumer';
      readonly to: 'classic' | 'consumer';
      readonly members: number;
      /** The member whose join (upgrade) or departure (downgrade) converted the group. */
      readonly memberId: string;
    })
  | (EventBase & {
      readonly type: 'consumer-state-changed';
      readonly from: ConsumerGroupState | 'Dead';
      readonly to: ConsumerGroupState | 'Dead';
      readonly groupEpoch: number;
      readonly assignmentEpoch: number;
      /** On reaching Stable: how long since the group last left Stable (or Empty). */
      readonly durationMs: number | null;
    });
