/**
 * The rebalance timeline of a consumer group: one entry per generation (and per membership change
 * that needs none, such as a KIP-345 static member restart). The same shape comes from two
 * sources: the Samsa broker's group coordinator, which knows every fact (`source: 'coordinator'`,
 * exact), and a tool watching any Kafka cluster through DescribeGroups, which only sees snapshots
 * (`source: 'inferred'`: no generation ids, times within a poll interval, causes guessed from
 * what changed). Plain JSON: it is stored by the broker and served to dashboards as is.
 */

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

export interface TimelineMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** topic -> partitions owned, sorted; empty when the member got none (or the protocol is not "consumer"). */
  readonly assignment: Readonly<Record<string, readonly number[]>>;
}

/**
 * Why a rebalance happened, in words an operator uses. Exact entries map the coordinator's
 * reasons onto these; inferred ones guess from the difference between two snapshots.
 */
export type TimelineCauseKind =
  | 'member-joined'
  /** LeaveGroup: a clean shutdown (librdkafka also leaves when max.poll.interval.ms passes). */
  | 'member-left'
  /** No heartbeat for session.timeout.ms: a crashed process or a lost network. */
  | 'session-timeout'
  /** Did not rejoin within the rebalance timeout: max.poll.interval.ms for the Java client. */
  | 'max-poll-interval-exceeded'
  /** Consumer groups (KIP-848): did not revoke its partitions within its rebalance timeout, and was fenced. */
  | 'rebalance-timeout'
  | 'sync-timeout'
  | 'new-member-timeout'
  | 'group-max-size'
  /** A restarted static member (group.instance.id) took its old place (KIP-345). */
  | 'static-replacement'
  /** A member rejoined with another subscription or metadata. */
  | 'subscription-changed'
  /** The leader rejoined: how a consumer leader reports topic metadata changes. */
  | 'leader-rejoined'
  /** A subscribed topic got more partitions (CreatePartitions). */
  | 'partitions-added'
  /** A topic matching a member's subscription was created (for a consumer group: `regex` says which subscription, when by regex). */
  | 'topic-created'
  /** Consumer groups (KIP-848): a subscribed topic was deleted. */
  | 'topic-deleted'
  /** Consumer groups (KIP-848): the subscribed topics' metadata changed in a way not seen (history replayed after a restart). */
  | 'metadata-changed'
  /** The second round of an incremental cooperative rebalance (KIP-429) after partitions were revoked. */
  | 'cooperative-second-round'
  | 'group-over-capacity'
  /** A test asked for it (`forceRebalance` of `samsa/testing`). */
  | 'forced'
  /** Inferred only: members are gone but how they left cannot be seen from outside. */
  | 'member-gone'
  /** Inferred only: the group rebalanced but no member or partition change explains it. */
  | 'unknown';

export interface TimelineCause {
  readonly kind: TimelineCauseKind;
  readonly atMs: number;
  readonly memberId?: string | null;
  readonly clientId?: string;
  readonly groupInstanceId?: string | null;
  readonly topic?: string;
  /** For partitions-added: the partition count before and after. */
  readonly partitionsBefore?: number;
  readonly partitionsAfter?: number;
  /** For topic-created in a consumer group: the subscription regex (KIP-848 SubscribedTopicRegex) the topic matched. */
  readonly regex?: string;
  /** The coordinator's own reason code, when it said one (exact entries). */
  readonly coordinatorReason?: string;
}

/** One partition whose owner changed. `from` null: nobody owned it; `to` null: nobody owns it now. */
export interface PartitionMove extends TopicPartitionRef {
  readonly from: string | null;
  readonly to: string | null;
  /**
   * How long nobody consumed the partition because of this rebalance, in ms; null when it was
   * not being consumed before (a new partition, a group's first assignment) or the pause is still
   * running (revoked in a cooperative first round, waiting for its new owner).
   */
  readonly pauseMs: number | null;
  /** Cooperative: the generation in which the previous owner gave the partition up. */
  readonly revokedInGeneration?: number | null;
  /**
   * Consumer groups (KIP-848): how long the previous owner took from being asked to revoke the
   * partition to letting it go (null when it was not asked: it left, crashed or was fenced).
   */
  readonly revokeMs?: number | null;
  /**
   * Consumer groups: whether the new owner acknowledged the partition (listed it as owned in a
   * heartbeat); false when the round ended first, and the pause then runs to the assignment.
   */
  readonly acknowledged?: boolean;
}

/**
 * `eager` and `cooperative`: classic groups (JoinGroup/SyncGroup), by assignor; `consumer`: the
 * KIP-848 consumer group protocol (ConsumerGroupHeartbeat, server-side assignment, each member
 * reconciling on its own: revoke first, then assign).
 */
export type RebalanceProtocol = 'eager' | 'cooperative' | 'consumer' | 'unknown';

export interface TimelinePause {
  /**
   * `stop-the-world`: eager protocols revoke every partition before rejoining, so the whole group
   * stops for the rebalance; `per-partition`: cooperative rebalancing (KIP-429) and consumer
   * groups (KIP-848) stop only the partitions that move; `none`: nothing stopped (a static member restart).
   */
  readonly kind: 'stop-the-world' | 'per-partition' | 'none';
  /** Eager: the group's pause; cooperative: the longest pause of a moved partition. */
  readonly maxMs: number;
  readonly partitionsPaused: number;
}

export type TimelineEntryKind =
  /** A new generation with its assignment. */
  | 'rebalance'
  /** The last member left: the group is Empty. */
  | 'emptied'
  /** A static member restarted with a new member id and the group did not rebalance (KIP-345). */
  | 'member-replaced';

/**
 * For a consumer group (KIP-848, `rebalanceProtocol: 'consumer'`) an entry is one reconciliation
 * round: from the first group epoch bump after the group was Stable (or Empty) until it is Stable
 * again with every moved partition acknowledged by its new owner (or Empty). Epoch bumps during
 * the round fold into it, each with its cause. `generationId` is the group epoch reached and
 * `joinCompletedAtMs` when the coordinator computed the last target assignment. A moved
 * partition's pause runs from the coordinator asking its owner to revoke it (or taking it from a
 * member that left or failed) to its new owner acknowledging it.
 */
export interface TimelineEntry {
  readonly groupId: string;
  readonly kind: TimelineEntryKind;
  readonly source: 'coordinator' | 'inferred';
  /** The generation this entry produced; null when inferred (DescribeGroups does not tell). */
  readonly generationId: number | null;
  readonly previousGenerationId: number | null;
  /** When the group left Stable/Empty (exact), or the last poll that still saw the old state (inferred). */
  readonly startedAtMs: number;
  /** When the join phase ended (every member rejoined, the leader got the member list); null if unknown. */
  readonly joinCompletedAtMs: number | null;
  /** When the new assignment was stored and the group became Stable (or Empty). */
  readonly completedAtMs: number;
  readonly protocolType: string | null;
  /** The assignor the group chose: range, roundrobin, cooperative-sticky, RoundRobinAssigner, ... */
  readonly protocolName: string | null;
  readonly rebalanceProtocol: RebalanceProtocol;
  readonly leaderId: string | null;
  readonly causes: readonly TimelineCause[];
  readonly membersBefore: readonly TimelineMember[];
  readonly membersAfter: readonly TimelineMember[];
  /** Member ids that are new in this generation, and those that are gone. */
  readonly joined: readonly string[];
  readonly left: readonly string[];
  readonly partitions: {
    /** Same owner before and after. */
    readonly kept: readonly TopicPartitionRef[];
    /**
     * Owned by someone else now (including a cooperative second round completing a move). In a
     * consumer group, a member that rejoined (epoch 0) loses its partitions and gets them back:
     * they are listed here with `from` equal to `to`, because they paused.
     */
    readonly moved: readonly PartitionMove[];
    /** Owned before, owned by nobody now (cooperative first round, or the group emptied). */
    readonly revoked: readonly PartitionMove[];
    /** Owned by nobody before, owned now (new partitions, first assignment). */
    readonly assigned: readonly PartitionMove[];
  };
  readonly pause: TimelinePause;
}

/** Most entries kept per group (by the broker and by a watching tool). */
export const TIMELINE_MAX_ENTRIES_PER_GROUP = 200;
