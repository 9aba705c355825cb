import { ErrorCode } from '../../protocol/errors.js';
import type { MetadataResponse } from '../../protocol/messages/03-metadata.js';

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionInfo {
  partition: number;
  /** -1 while the partition has no leader. */
  leaderId: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  topicId: string;
  isInternal: boolean;
  /** Indexed by partition number. */
  partitions: PartitionInfo[];
}

/**
 * What the client knows about the cluster (pure: time comes in as `nowMs`). Topics are refreshed
 * individually, so each keeps the time it was last seen; a topic the broker reported with an error
 * (UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE while it is being created) is dropped from the
 * cache and its error kept, so the next lookup asks again.
 */
export class MetadataCache {
  readonly brokers = new Map<number, BrokerInfo>();
  readonly topics = new Map<string, TopicInfo>();
  readonly topicErrors = new Map<string, number>();
  private readonly seenAtMs = new Map<string, number>();
  clusterId: string | null = null;
  controllerId = -1;
  /** When the whole cluster view (brokers) was last refreshed; -Infinity before the first. */
  updatedAtMs = -Infinity;

  /** Applies a Metadata response; `all` when the request asked for every topic. */
  apply(res: MetadataResponse, all: boolean, nowMs: number): void {
    this.brokers.clear();
    for (const b of res.brokers) this.brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack });
    this.clusterId = res.clusterId;
    this.controllerId = res.controllerId;
    this.updatedAtMs = nowMs;
    if (all) {
      const present = new Set(res.topics.map((t) => t.name));
      for (const name of [...this.topics.keys()]) if (!present.has(name)) this.forget(name);
    }
    for (const t of res.topics) {
      if (t.name === null) continue;
      // LEADER_NOT_AVAILABLE on a topic means it is being created: keep asking.
      if (t.errorCode !== ErrorCode.NONE) {
        this.forget(t.name);
        this.topicErrors.set(t.name, t.errorCode);
        continue;
      }
      this.topicErrors.delete(t.name);
      const partitions: PartitionInfo[] = [];
      for (const p of t.partitions) {
        partitions[p.partitionIndex] = {
          partition: p.partitionIndex,
          leaderId: p.errorCode === ErrorCode.LEADER_NOT_AVAILABLE ? -1 : p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
          errorCode: p.errorCode,
        };
      }
      this.topics.set(t.name, { name: t.name, topicId: t.topicId, isInternal: t.isInternal, partitions });
      this.seenAtMs.set(t.name, nowMs);
    }
  }

  forget(topic: string): void {
    this.topics.delete(topic);
    this.seenAtMs.delete(topic);
  }

  /** Whether `topic` needs a refresh: unknown, or last seen more than `maxAgeMs` ago. */
  isStale(topic: string, nowMs: number, maxAgeMs: number): boolean {
    const seen = this.seenAtMs.get(topic);
    return seen === undefined || nowMs - seen >= maxAgeMs;
  }

  /** The leader's node id, or -1 when the topic/partition is unknown or leaderless. */
  leaderFor(topic: string, partition: number): number {
    return this.topics.get(topic)?.partitions[partition]?.leaderId ?? -1;
  }

  partitionCount(topic: string): number {
    return this.topics.get(topic)?.partitions.length ?? 0;
  }

  /** Records a leader change learned from an error (drops the topic so it is looked up again). */
  invalidateTopic(topic: string): void {
    this.seenAtMs.delete(topic);
  }
}
