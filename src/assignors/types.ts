/**
 * The contract between the consumer-group leader and a client-side partition assignor (the
 * "consumer" embedded protocol of classic groups). Assignors are pure: given the members'
 * subscriptions and the partition counts, they return every member's partitions, and they must
 * return exactly what Apache Kafka's Java assignor of the same name returns, so that a group can
 * mix Samsa, librdkafka and Java members whichever of them is the leader.
 */

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface AssignorMember {
  memberId: string;
  groupInstanceId: string | null;
  /** The member's subscription (ConsumerProtocolSubscription.Topics). */
  topics: string[];
  /** ConsumerProtocolSubscription.OwnedPartitions (v1+, KIP-429); [] when absent. */
  ownedPartitions: TopicPartitions[];
  /** ConsumerProtocolSubscription.GenerationId (v2+); -1 when absent. */
  generationId: number;
  /** ConsumerProtocolSubscription.RackId (v3+). */
  rackId: string | null;
  /** ConsumerProtocolSubscription.UserData: assignor-specific bytes. */
  userData: Buffer | null;
}

export interface AssignmentInput {
  /**
   * The members in the order of the JoinGroup response. The order matters for the sticky
   * assignors: Java's leader iterates a HashMap keyed by member id, and ties are broken by that
   * iteration order, which depends on the order of insertion (see java-hash-order.ts).
   */
  members: AssignorMember[];
  /** Partition count per topic for every subscribed topic that exists. */
  partitionsPerTopic: ReadonlyMap<string, number>;
  /**
   * Optional, from cluster metadata: for each topic, indexed by partition, the racks of the
   * partition's replicas (all replicas, in or out of sync; brokers without a rack left out). With
   * it, and rack ids in the members' subscriptions, the range and sticky assignors become
   * rack-aware exactly when Java's do (KIP-881: some partition is not on every rack). Without it
   * they assign as Java does when replica racks are unknown.
   */
  partitionRacks?: ReadonlyMap<string, readonly (readonly string[])[]>;
}

export interface MemberAssignment {
  /** Topics sorted, partitions sorted ascending. */
  partitions: TopicPartitions[];
  userData: Buffer | null;
}

export type RebalanceProtocol = 'EAGER' | 'COOPERATIVE';

export interface Assignor {
  /** The protocol name on the wire (JoinGroup Protocols[].Name). */
  readonly name: string;
  /**
   * Rebalance protocols this assignor supports, in Java's order. A client uses COOPERATIVE only if
   * every assignor it offers supports it (Java's ConsumerCoordinator picks the highest common one).
   */
  readonly supportedProtocols: readonly RebalanceProtocol[];
  /** Every member of the input gets an entry (possibly with no partitions). */
  assign(input: AssignmentInput): Map<string, MemberAssignment>;
  /**
   * The userData this member puts in its own subscription, given what it owns now and the
   * generation of that ownership. For the eager `sticky` assignor pass the partitions of the last
   * assignment received (Java keeps them although an eager member revokes everything before it
   * rejoins) and the generation of that assignment; before the first assignment pass [] and -1.
   */
  subscriptionUserData?(state: { ownedPartitions: TopicPartitions[]; generationId: number }): Buffer | null;
}
