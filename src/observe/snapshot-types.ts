import type { GroupStatus, PartitionStatus } from './lag/health.js';
import type { PartitionSnapshot } from './lag/snapshot.js';

/** What one poll of a cluster saw: the data behind /metrics, the dashboard and its live updates. */
export interface ClusterSnapshot {
  readonly atMs: number;
  /** How long the poll took. */
  readonly pollMs: number;
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: ReadonlyArray<{ nodeId: number; host: string; port: number; rack: string | null }>;
  readonly groups: readonly GroupView[];
  readonly topics: readonly TopicView[];
  /** What the cluster could not tell (an API it lacks, a group it failed to describe). */
  readonly notes: readonly string[];
  /** Whether the timeline comes from the coordinator (a Samsa broker in this process) or is inferred. */
  readonly timelineSource: 'coordinator' | 'inferred';
}

export interface GroupMemberView {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly assignment: Readonly<Record<string, readonly number[]>>;
  readonly subscription: readonly string[] | null;
}

export interface PartitionLagView extends PartitionSnapshot {
  readonly status: PartitionStatus | null;
}

export interface GroupView {
  readonly groupId: string;
  /** null when the cluster cannot describe groups. */
  readonly state: string | null;
  readonly protocolType: string | null;
  /** 'consumer' for a KIP-848 consumer group (described with ConsumerGroupDescribe), 'classic' otherwise; null when unknown. */
  readonly type: 'classic' | 'consumer' | null;
  /** The assignor chosen (server-side for a consumer group). */
  readonly protocol: string | null;
  readonly coordinatorId: number | null;
  /**
   * The current generation when known exactly (from the coordinator's history); for a consumer
   * group, its group epoch (from ConsumerGroupDescribe, so from any cluster).
   */
  readonly generationId: number | null;
  readonly members: readonly GroupMemberView[];
  readonly partitions: readonly PartitionLagView[];
  readonly totalLag: number;
  readonly maxLagSeconds: number | null;
  /** Burrow's verdict over the last polls (see the CLI's `samsa lag`). */
  readonly status: GroupStatus;
}

export interface TopicPartitionView {
  readonly partition: number;
  readonly leader: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /** Bytes on disk, when known (a Samsa broker in this process). */
  readonly sizeBytes: number | null;
  /** Records per second produced since the previous poll; null on the first. */
  readonly produceRate: number | null;
}

export interface TopicView {
  readonly name: string;
  readonly isInternal: boolean;
  readonly replicationFactor: number;
  readonly cleanupPolicy: string | null;
  readonly partitions: readonly TopicPartitionView[];
}
