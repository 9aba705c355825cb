/**
 * The contract of the server-side assignors of consumer groups (KIP-848): the group coordinator,
 * not a leader member, computes every member's target partitions. Topics are named by id (what
 * the ConsumerGroupHeartbeat speaks); assignors are pure and deterministic, so the same group
 * gives the same assignment on every run and every replay.
 */

/** topic id -> partition numbers. */
export type PartitionsByTopic = ReadonlyMap<string, ReadonlySet<number>>;

export interface ServerAssignorMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  /** Ids of the existing topics the member subscribes to (names and resolved regex together). */
  readonly subscribedTopicIds: ReadonlySet<string>;
  /** The member's current target assignment: what stickiness preserves. */
  readonly assignment: PartitionsByTopic;
}

export interface ServerAssignmentInput {
  /** In any order: assignors sort what they iterate. */
  readonly members: readonly ServerAssignorMember[];
  /** Partition count of every topic some member subscribes to. */
  readonly partitionCounts: ReadonlyMap<string, number>;
  /** Topic names by id, so that topics are walked in name order (ids sort by randomness). */
  readonly topicNames: ReadonlyMap<string, string>;
}

export interface ServerAssignor {
  /** The name members ask for in ConsumerGroupHeartbeat.ServerAssignor (`uniform`, `range`). */
  readonly name: string;
  /** Every member of the input gets an entry, possibly empty. */
  assign(input: ServerAssignmentInput): Map<string, Map<string, Set<number>>>;
}
