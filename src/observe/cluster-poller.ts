import type { Admin } from '../client/admin/index.js';
import type { GroupDescription, TopicDescription } from '../client/admin/types.js';
import { assignmentRecord } from '../common/timeline/index.js';
import { describeGroupsIfSupported, isUnsupported } from './lag/cluster-reads.js';
import { evaluatePartition, groupStatus, SampleWindows } from './lag/health.js';
import { takeGroupSnapshot } from './lag/snapshot.js';
import type { ClusterSnapshot, GroupView, TopicPartitionView, TopicView } from './snapshot-types.js';

export interface ClusterPollerOptions {
  readonly admin: Admin;
  /** Time between polls. */
  readonly intervalMs: number;
  readonly nowMs?: () => number;
  /** Groups to watch when the cluster cannot list groups (librdkafka's mock cluster has no ListGroups). */
  readonly groups?: readonly string[];
  /** Bytes of a partition on disk, when the broker is in this process. */
  readonly partitionSizeBytes?: (topic: string, partition: number) => number | null;
  /** A group's current generation, when the coordinator's history says it. */
  readonly generationOf?: (groupId: string) => number | null;
  readonly timelineSource: 'coordinator' | 'inferred';
  /** Polls kept for the health verdict (Burrow's window). Default 10. */
  readonly healthWindow?: number;
}

/**
 * Polls a cluster through the standard admin APIs (so it works against any Kafka-compatible
 * cluster): brokers, topics with their offsets, groups with members, assignments, lag in records
 * and in seconds, and a health verdict over the last polls. Every poll yields one
 * ClusterSnapshot, handed to the listeners (metrics, the dashboard's live stream, the inferred
 * timeline). A poll that fails yields a snapshot with what it could read and a note.
 */
export class ClusterPoller {
  private latest_: ClusterSnapshot | null = null;
  private readonly listeners = new Set<(s: ClusterSnapshot) => void>();
  private readonly windows = new Map<string, SampleWindows>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ClusterSnapshot> | null = null;
  private stopped = false;
  private failures = 0;
  private readonly nowMs: () => number;

  constructor(private readonly o: ClusterPollerOptions) {
    this.nowMs = o.nowMs ?? Date.now;
  }

  get latest(): ClusterSnapshot | null {
    return this.latest_;
  }

  /** Consecutive polls that failed outright (0 when the last one worked). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  onSnapshot(listener: (s: ClusterSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Polls now and then every `intervalMs` until stop(). Resolves after the first poll. */
  async start(): Promise<void> {
    await this.pollNow();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One poll (shared with a poll already running). */
  pollNow(): Promise<ClusterSnapshot> {
    this.running ??= this.poll().finally(() => (this.running = null));
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.pollNow().finally(() => this.schedule());
    }, this.o.intervalMs);
    this.timer.unref();
  }

  private async poll(): Promise<ClusterSnapshot> {
    const startedMs = this.nowMs();
    const notes: string[] = [];
    let snapshot: ClusterSnapshot;
    try {
      const cache = await this.o.admin.cluster.metadata({ force: true });
      const [topics, groups] = await Promise.all([this.readTopics(notes), this.readGroups(notes)]);
      snapshot = {
        atMs: this.nowMs(), pollMs: this.nowMs() - startedMs, clusterId: cache.clusterId, controllerId: cache.controllerId,
        brokers: [...cache.brokers.values()].map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })).sort((a, b) => a.nodeId - b.nodeId),
        groups, topics, notes, timelineSource: this.o.timelineSource,
      };
      this.failures = 0;
    } catch (err) {
      this.failures++;
      notes.push(`poll failed: ${err instanceof Error ? err.message : String(err)}`);
      snapshot = { ...(this.latest_ ?? emptySnapshot(this.o.timelineSource)), atMs: this.nowMs(), pollMs: this.nowMs() - startedMs, notes };
    }
    this.latest_ = snapshot;
    for (const l of this.listeners) {
      try {
        l(snapshot);
      } catch {
        // A listener's failure is its own.
      }
    }
    return snapshot;
  }

  private async readTopics(notes: string[]): Promise<TopicView[]> {
    const admin = this.o.admin;
    const names = (await admin.listTopics({ includeInternal: true })).sort();
    if (names.length === 0) return [];
    const described = await admin.describeTopics({ topics: names });
    const cleanup = await this.cleanupPolicies(names, notes);
    const previous = new Map((this.latest_?.topics ?? []).map((t) => [t.name, t]));
    const elapsedS = this.latest_ === null ? 0 : (this.nowMs() - this.latest_.atMs) / 1000;
    return Promise.all(described.map(async (t: TopicDescription): Promise<TopicView> => {
      const [starts, ends] = await Promise.all([
        admin.listOffsets({ topic: t.name, timestamp: 'earliest' }),
        admin.listOffsets({ topic: t.name, timestamp: 'latest' }),
      ]);
      const startOf = new Map(starts.map((p) => [p.partition, p.offset]));
      const endOf = new Map(ends.map((p) => [p.partition, p.offset]));
      const before = previous.get(t.name);
      const partitions = t.partitions.map((p): TopicPartitionView => {
        const logEndOffset = endOf.get(p.partition) ?? -1;
        const earlier = before?.partitions.find((q) => q.partition === p.partition);
        return {
          partition: p.partition,
          leader: p.leader,
          logStartOffset: startOf.get(p.partition) ?? -1,
          logEndOffset,
          sizeBytes: this.o.partitionSizeBytes?.(t.name, p.partition) ?? null,
          produceRate: earlier === undefined || elapsedS <= 0 ? null : Math.max(0, logEndOffset - earlier.logEndOffset) / elapsedS,
        };
      }).sort((a, b) => a.partition - b.partition);
      return { name: t.name, isInternal: t.isInternal, replicationFactor: t.partitions[0]?.replicas.length ?? 0, cleanupPolicy: cleanup.get(t.name) ?? null, partitions };
    }));
  }

  private async cleanupPolicies(topics: string[], notes: string[]): Promise<Map<string, string>> {
    try {
      const configs = await this.o.admin.describeConfigs({ resources: topics.map((name) => ({ type: 'topic' as const, name })) });
      return new Map(configs.map((c) => [c.name, c.configs.find((e) => e.name === 'cleanup.policy')?.value ?? 'delete']));
    } catch (err) {
      notes.push(`topic configs unavailable: ${err instanceof Error ? err.message : String(err)}`);
      return new Map();
    }
  }

  private async readGroups(notes: string[]): Promise<GroupView[]> {
    const admin = this.o.admin;
    let groupIds: string[];
    try {
      groupIds = (await admin.listGroups()).map((g) => g.groupId);
    } catch (err) {
      if (!isUnsupported(err)) throw err;
      notes.push('the cluster does not implement ListGroups (API 16): only the groups named with --group are shown');
      groupIds = [];
    }
    groupIds = [...new Set([...groupIds, ...(this.o.groups ?? [])])].sort();
    if (groupIds.length === 0) return [];
    const described = await describeGroupsIfSupported(admin, groupIds);
    if (described === null) notes.push('the cluster does not implement DescribeGroups (API 15): group state, members and owners are unknown, and no timeline can be inferred');
    const views = await Promise.all(groupIds.map(async (groupId) => {
      try {
        return await this.readGroup(groupId, described === null ? null : (described.get(groupId) ?? null));
      } catch (err) {
        notes.push(`group ${groupId}: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      }
    }));
    const seen = new Set(groupIds);
    for (const key of this.windows.keys()) if (!seen.has(key)) this.windows.delete(key);
    return views.filter((v): v is GroupView => v !== null);
  }

  private async readGroup(groupId: string, description: GroupDescription | null): Promise<GroupView> {
    const snapshot = await takeGroupSnapshot(this.o.admin, groupId, this.nowMs, { description });
    let windows = this.windows.get(groupId);
    if (windows === undefined) this.windows.set(groupId, (windows = new SampleWindows(this.o.healthWindow ?? 10)));
    const keys = new Set<string>();
    const partitions = snapshot.partitions.map((p) => {
      const key = `${p.topic}:${p.partition}`;
      keys.add(key);
      windows.add(key, { atMs: snapshot.atMs, offset: p.currentOffset, lag: p.lag, owned: p.consumerId !== null });
      return { ...p, status: evaluatePartition(windows.get(key), windows.windowSize).status };
    });
    windows.retain(keys);
    let coordinatorId: number | null = null;
    try {
      coordinatorId = await this.o.admin.cluster.coordinator(groupId);
    } catch {
      coordinatorId = null;
    }
    const lagSeconds = partitions.map((p) => p.lagSeconds).filter((s): s is number => s !== null);
    return {
      groupId,
      state: description?.state ?? null,
      protocolType: description?.protocolType ?? null,
      type: description?.type ?? null,
      protocol: description === null || description.protocol === '' ? null : description.protocol,
      coordinatorId,
      generationId: description?.type === 'consumer' ? (description.groupEpoch ?? null) : (this.o.generationOf?.(groupId) ?? null),
      members: (description?.members ?? []).map((m) => ({
        memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
        assignment: assignmentRecord(m.assignment), subscription: m.subscription,
      })).sort((a, b) => (a.memberId < b.memberId ? -1 : 1)),
      partitions,
      totalLag: partitions.reduce((n, p) => n + (p.lag ?? 0), 0),
      maxLagSeconds: lagSeconds.length === 0 ? null : Math.max(...lagSeconds),
      status: groupStatus(partitions.map((p) => p.status)),
    };
  }
}

function emptySnapshot(timelineSource: 'coordinator' | 'inferred'): ClusterSnapshot {
  return { atMs: 0, pollMs: 0, clusterId: null, controllerId: -1, brokers: [], groups: [], topics: [], notes: [], timelineSource };
}
