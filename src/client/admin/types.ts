/** Results of the admin client's operations. */

export interface CreateTopicSpec {
  name: string;
  /** Default: the broker's `num.partitions` (sent as -1; brokers before 2.4 get 1). */
  numPartitions?: number;
  /** Default: the broker's `default.replication.factor` (-1; brokers before 2.4 get 1). */
  replicationFactor?: number;
  /** Explicit replica assignment: partition -> broker ids (then leave the two counts out). */
  replicaAssignment?: Record<number, number[]>;
  configs?: Record<string, string>;
}

export interface CreatedTopic {
  name: string;
  topicId: string;
  numPartitions: number;
  replicationFactor: number;
}

export interface PartitionDescription {
  partition: number;
  /** -1 while the partition has no leader. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface TopicDescription {
  name: string;
  topicId: string;
  isInternal: boolean;
  partitions: PartitionDescription[];
  /** With `includeConfigs`. */
  configs?: ConfigEntry[];
}

export type ConfigResourceType = 'topic' | 'broker';

export type ConfigSource =
  | 'UNKNOWN' | 'DYNAMIC_TOPIC_CONFIG' | 'DYNAMIC_BROKER_CONFIG' | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG' | 'DEFAULT_CONFIG' | 'DYNAMIC_BROKER_LOGGER_CONFIG' | 'CLIENT_METRICS_CONFIG' | 'GROUP_CONFIG';

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  source: ConfigSource;
  isSensitive: boolean;
}

export interface ConfigResourceDescription {
  type: ConfigResourceType;
  name: string;
  configs: ConfigEntry[];
}

/** KIP-339 incremental operations. */
export type AlterConfigOp = 'set' | 'delete' | 'append' | 'subtract';

export interface AlterConfigResource {
  type: ConfigResourceType;
  name: string;
  configs: Array<{ name: string; value?: string | null; op?: AlterConfigOp }>;
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  /** Empty when the broker predates ListGroups v4 and no states filter was asked for. */
  state: string;
  /** `classic` or `consumer` (KIP-848), when the broker says (ListGroups v5+). */
  type: string;
}

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** The member's assignment, decoded from the consumer embedded protocol; null if not decodable. */
  assignment: TopicPartitions[] | null;
  /** Topics the member subscribed to (from its JoinGroup metadata), when decodable. */
  subscription: string[] | null;
  /** Consumer groups (KIP-848): the member's epoch. */
  memberEpoch?: number;
  /** Consumer groups: the partitions the broker's assignor wants the member to own (it converges to them). */
  targetAssignment?: TopicPartitions[];
  /** Consumer groups: the member's subscription regex, if any. */
  subscribedTopicRegex?: string | null;
  /** Consumer groups: whether the member speaks the consumer protocol or joined with JoinGroup (classic). */
  memberType?: 'consumer' | 'classic';
}

export interface GroupDescription {
  groupId: string;
  /**
   * Kafka's state names: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead for classic
   * groups; Empty, Assigning, Reconciling, Stable for consumer groups (KIP-848).
   */
  state: string;
  protocolType: string;
  /** The chosen assignor (e.g. `range`, `cooperative-sticky`; for consumer groups the server-side `uniform` or `range`). */
  protocol: string;
  members: GroupMemberDescription[];
  /** `classic` (JoinGroup/SyncGroup) or `consumer` (KIP-848, described with ConsumerGroupDescribe). */
  type?: 'classic' | 'consumer';
  /** Consumer groups: the group epoch, and the epoch of the target assignment. */
  groupEpoch?: number;
  assignmentEpoch?: number;
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** -1 when the group has no committed offset for the partition. */
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
  /**
   * A transaction's offset for the partition is pending (TxnOffsetCommit before its commit,
   * KIP-447): `offset` is the last stable one, and it will change when the transaction commits.
   */
  pendingTransaction?: boolean;
}

/** `earliest` (-2), `latest` (-1), `max-timestamp` (-3, KIP-734) or a timestamp in ms. */
export type OffsetSpec = 'earliest' | 'latest' | 'max-timestamp' | number;

export interface PartitionOffset {
  partition: number;
  /** -1 when no record matches (a timestamp past the last record). */
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** -1 when the group has committed nothing for the partition. */
  committedOffset: number;
  logStartOffset: number;
  logEndOffset: number;
  /** logEndOffset - committedOffset (never negative), or null with nothing committed. */
  lag: number | null;
  /** The member assigned the partition now, from DescribeGroups; null when none. */
  owner: { memberId: string; clientId: string; host: string; groupInstanceId: string | null } | null;
  /** The group's offset waits on an open transaction (see CommittedOffset.pendingTransaction). */
  pendingTransaction: boolean;
}
