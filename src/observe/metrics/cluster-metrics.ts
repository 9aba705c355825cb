import { Counter, Gauge, type Registry } from 'prom-client';
import type { TimelineEntry } from '../../common/timeline/index.js';
import type { ClusterSnapshot } from '../snapshot-types.js';

const gauge = (registry: Registry, name: string, help: string, labelNames: readonly string[] = []) =>
  new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });

/**
 * Cluster-level series, computed from each poll of the cluster (so they exist for any Kafka
 * cluster). Where KMinion or kafka-lag-exporter name a series, we use their names and labels so
 * that their Grafana dashboards and alerts work unchanged; the rest are `samsa_`. Every name is
 * listed in docs/metrics.md.
 */
export class ClusterMetrics {
  // KMinion
  private readonly clusterInfo;
  private readonly brokerInfo;
  private readonly topicInfo;
  private readonly partitionHighWaterMark;
  private readonly partitionLowWaterMark;
  private readonly topicHighWaterMarkSum;
  private readonly topicLowWaterMarkSum;
  private readonly topicLogDirSize;
  private readonly groupInfo;
  private readonly groupMembers;
  private readonly groupEmptyMembers;
  private readonly groupTopicMembers;
  private readonly groupTopicAssignedPartitions;
  private readonly groupTopicOffsetSum;
  private readonly groupTopicPartitionLag;
  private readonly groupTopicLag;
  // kafka-lag-exporter
  private readonly lagOffset;
  private readonly lagRecords;
  private readonly lagSeconds;
  private readonly maxLag;
  private readonly maxLagSeconds;
  private readonly sumLag;
  private readonly topicSumLag;
  private readonly latestOffset;
  private readonly earliestOffset;
  // Samsa
  private readonly groupHealth;
  private readonly groupType;
  private readonly groupGeneration;
  private readonly rebalances;
  private readonly lastPause;
  private readonly lastRebalanceTime;
  private readonly exporterUp;
  private readonly pollDuration;
  private readonly lastPoll;
  private readonly pauseProtocol = new Map<string, string>();

  constructor(registry: Registry, private readonly clusterName: () => string) {
    this.clusterInfo = gauge(registry, 'kminion_kafka_cluster_info', 'Kafka cluster information', ['cluster_version', 'broker_count', 'controller_id', 'cluster_id']);
    this.brokerInfo = gauge(registry, 'kminion_kafka_broker_info', 'Kafka broker information', ['broker_id', 'address', 'port', 'rack_id', 'is_controller']);
    this.topicInfo = gauge(registry, 'kminion_kafka_topic_info', 'Info labels for a given topic', ['topic_name', 'partition_count', 'replication_factor', 'cleanup_policy']);
    this.partitionHighWaterMark = gauge(registry, 'kminion_kafka_topic_partition_high_water_mark', 'Partition High Water Mark', ['topic_name', 'partition_id']);
    this.partitionLowWaterMark = gauge(registry, 'kminion_kafka_topic_partition_low_water_mark', 'Partition Low Water Mark', ['topic_name', 'partition_id']);
    this.topicHighWaterMarkSum = gauge(registry, 'kminion_kafka_topic_high_water_mark_sum', "Sum of all the topic's partition high water marks", ['topic_name']);
    this.topicLowWaterMarkSum = gauge(registry, 'kminion_kafka_topic_low_water_mark_sum', "Sum of all the topic's partition low water marks", ['topic_name']);
    this.topicLogDirSize = gauge(registry, 'kminion_kafka_topic_log_dir_size_total_bytes', 'The summed size in bytes of partitions for a given topic (only with a Samsa broker in the same process)', ['topic_name']);
    this.groupInfo = gauge(registry, 'kminion_kafka_consumer_group_info', 'Consumer Group info metrics. It will report 1 if the group is in the stable state, otherwise 0.', ['group_id', 'protocol', 'protocol_type', 'state', 'coordinator_id']);
    this.groupMembers = gauge(registry, 'kminion_kafka_consumer_group_members', 'The number of members in the consumer group', ['group_id']);
    this.groupEmptyMembers = gauge(registry, 'kminion_kafka_consumer_group_empty_members', 'The number of members in the consumer group with no partition assigned', ['group_id']);
    this.groupTopicMembers = gauge(registry, 'kminion_kafka_consumer_group_topic_members', 'The number of members in the consumer group assigned on a given topic', ['group_id', 'topic_name']);
    this.groupTopicAssignedPartitions = gauge(registry, 'kminion_kafka_consumer_group_topic_assigned_partitions', 'The number of partitions assigned in the consumer group for a given topic', ['group_id', 'topic_name']);
    this.groupTopicOffsetSum = gauge(registry, 'kminion_kafka_consumer_group_topic_offset_sum', 'The sum of all committed group offsets across all partitions in a topic', ['group_id', 'topic_name']);
    this.groupTopicPartitionLag = gauge(registry, 'kminion_kafka_consumer_group_topic_partition_lag', 'The number of messages a consumer group is lagging behind the latest offset of a partition', ['group_id', 'topic_name', 'partition_id']);
    this.groupTopicLag = gauge(registry, 'kminion_kafka_consumer_group_topic_lag', 'The number of messages a consumer group is lagging behind across all partitions in a topic', ['group_id', 'topic_name']);

    const lagLabels = ['cluster_name', 'group', 'topic', 'partition', 'member_host', 'consumer_id', 'client_id'];
    this.lagOffset = gauge(registry, 'kafka_consumergroup_group_offset', 'The committed offset of the group on the partition', lagLabels);
    this.lagRecords = gauge(registry, 'kafka_consumergroup_group_lag', 'Records between the committed offset and the log end offset', lagLabels);
    this.lagSeconds = gauge(registry, 'kafka_consumergroup_group_lag_seconds', 'Age in seconds of the oldest record the group has not consumed (the record at the committed offset, read from the partition); 0 when caught up', lagLabels);
    this.maxLag = gauge(registry, 'kafka_consumergroup_group_max_lag', 'The highest lag in records of the group', ['cluster_name', 'group', 'is_simple_consumer']);
    this.maxLagSeconds = gauge(registry, 'kafka_consumergroup_group_max_lag_seconds', 'The highest lag in seconds of the group', ['cluster_name', 'group', 'is_simple_consumer']);
    this.sumLag = gauge(registry, 'kafka_consumergroup_group_sum_lag', 'The total lag in records of the group', ['cluster_name', 'group']);
    this.topicSumLag = gauge(registry, 'kafka_consumergroup_group_topic_sum_lag', 'The total lag in records of the group on one topic', ['cluster_name', 'group', 'topic']);
    this.latestOffset = gauge(registry, 'kafka_partition_latest_offset', 'The log end offset of the partition', ['cluster_name', 'topic', 'partition']);
    this.earliestOffset = gauge(registry, 'kafka_partition_earliest_offset', 'The log start offset of the partition', ['cluster_name', 'topic', 'partition']);

    this.groupHealth = gauge(registry, 'samsa_consumer_group_status', "1 for the group's current health verdict (Burrow's rules over the last polls: OK, WARN, ERR)", ['group_id', 'status']);
    this.groupType = gauge(registry, 'samsa_consumer_group_info', '1 per group, labelled with its protocol (classic, or consumer for KIP-848 groups), state and assignor', ['group_id', 'group_type', 'state', 'assignor']);
    this.groupGeneration = gauge(registry, 'samsa_consumer_group_generation', 'The group\'s current generation (classic groups: only when the timeline comes from the coordinator), or its group epoch (consumer groups, KIP-848)', ['group_id']);
    this.rebalances = new Counter({ name: 'samsa_consumer_group_rebalances_total', help: 'Rebalances seen, by their first cause (the timeline\'s reasons)', labelNames: ['group_id', 'reason', 'source'], registers: [registry] });
    this.lastPause = gauge(registry, 'samsa_consumer_group_last_rebalance_pause_seconds', 'How long consumption paused in the last rebalance: the whole group for eager protocols, the longest moved partition for cooperative ones and consumer groups (KIP-848)', ['group_id', 'rebalance_protocol']);
    this.lastRebalanceTime = gauge(registry, 'samsa_consumer_group_last_rebalance_timestamp_seconds', 'When the last rebalance completed (Unix time)', ['group_id']);
    this.exporterUp = gauge(registry, 'samsa_exporter_up', '1 when the last poll of the cluster worked, else 0');
    this.pollDuration = gauge(registry, 'samsa_exporter_poll_duration_seconds', 'How long the last poll of the cluster took');
    this.lastPoll = gauge(registry, 'samsa_exporter_last_poll_timestamp_seconds', 'When the cluster was last polled (Unix time)');
  }

  /** Replaces every series with what the poll saw (series of gone groups and topics disappear). */
  update(s: ClusterSnapshot, ok: boolean): void {
    this.exporterUp.set(ok ? 1 : 0);
    this.pollDuration.set(s.pollMs / 1000);
    this.lastPoll.set(s.atMs / 1000);
    if (!ok) return;
    const cluster = this.clusterName();
    for (const g of [
      this.clusterInfo, this.brokerInfo, this.topicInfo, this.partitionHighWaterMark, this.partitionLowWaterMark, this.topicHighWaterMarkSum,
      this.topicLowWaterMarkSum, this.topicLogDirSize, this.groupInfo, this.groupMembers, this.groupEmptyMembers, this.groupTopicMembers,
      this.groupTopicAssignedPartitions, this.groupTopicOffsetSum, this.groupTopicPartitionLag, this.groupTopicLag, this.lagOffset, this.lagRecords,
      this.lagSeconds, this.maxLag, this.maxLagSeconds, this.sumLag, this.topicSumLag, this.latestOffset, this.earliestOffset, this.groupHealth, this.groupType, this.groupGeneration,
    ]) g.reset();
    this.clusterInfo.set({ cluster_version: '', broker_count: String(s.brokers.length), controller_id: String(s.controllerId), cluster_id: s.clusterId ?? '' }, 1);
    for (const b of s.brokers) {
      this.brokerInfo.set({ broker_id: String(b.nodeId), address: b.host, port: String(b.port), rack_id: b.rack ?? '', is_controller: String(b.nodeId === s.controllerId) }, 1);
    }
    for (const t of s.topics) {
      this.topicInfo.set({ topic_name: t.name, partition_count: String(t.partitions.length), replication_factor: String(t.replicationFactor), cleanup_policy: t.cleanupPolicy ?? '' }, 1);
      let high = 0;
      let low = 0;
      let size: number | null = null;
      for (const p of t.partitions) {
        const labels = { topic_name: t.name, partition_id: String(p.partition) };
        this.partitionHighWaterMark.set(labels, p.logEndOffset);
        this.partitionLowWaterMark.set(labels, p.logStartOffset);
        this.latestOffset.set({ cluster_name: cluster, topic: t.name, partition: String(p.partition) }, p.logEndOffset);
        this.earliestOffset.set({ cluster_name: cluster, topic: t.name, partition: String(p.partition) }, p.logStartOffset);
        high += p.logEndOffset;
        low += p.logStartOffset;
        if (p.sizeBytes !== null) size = (size ?? 0) + p.sizeBytes;
      }
      this.topicHighWaterMarkSum.set({ topic_name: t.name }, high);
      this.topicLowWaterMarkSum.set({ topic_name: t.name }, low);
      if (size !== null) this.topicLogDirSize.set({ topic_name: t.name }, size);
    }
    for (const g of s.groups) this.updateGroup(cluster, g);
  }

  private updateGroup(cluster: string, g: ClusterSnapshot['groups'][number]): void {
    const group_id = g.groupId;
    if (g.state !== null) {
      this.groupInfo.set({ group_id, protocol: g.protocol ?? '', protocol_type: g.protocolType ?? '', state: g.state, coordinator_id: String(g.coordinatorId ?? '') }, g.state === 'Stable' ? 1 : 0);
      this.groupMembers.set({ group_id }, g.members.length);
      this.groupType.set({ group_id, group_type: g.type ?? '', state: g.state, assignor: g.protocol ?? '' }, 1);
      this.groupEmptyMembers.set({ group_id }, g.members.filter((m) => Object.keys(m.assignment).length === 0).length);
      const topicMembers = new Map<string, number>();
      const topicPartitions = new Map<string, number>();
      for (const m of g.members) {
        for (const [topic, partitions] of Object.entries(m.assignment)) {
          topicMembers.set(topic, (topicMembers.get(topic) ?? 0) + 1);
          topicPartitions.set(topic, (topicPartitions.get(topic) ?? 0) + partitions.length);
        }
      }
      for (const [topic_name, n] of topicMembers) this.groupTopicMembers.set({ group_id, topic_name }, n);
      for (const [topic_name, n] of topicPartitions) this.groupTopicAssignedPartitions.set({ group_id, topic_name }, n);
    }
    if (g.generationId !== null) this.groupGeneration.set({ group_id }, g.generationId);
    this.groupHealth.set({ group_id, status: g.status }, 1);
    const offsetSum = new Map<string, number>();
    const lagSum = new Map<string, number>();
    let maxLag = 0;
    let maxLagSeconds = 0;
    for (const p of g.partitions) {
      if (p.currentOffset === null || p.lag === null) continue;
      const topic_name = p.topic;
      offsetSum.set(topic_name, (offsetSum.get(topic_name) ?? 0) + p.currentOffset);
      lagSum.set(topic_name, (lagSum.get(topic_name) ?? 0) + p.lag);
      this.groupTopicPartitionLag.set({ group_id, topic_name, partition_id: String(p.partition) }, p.lag);
      const labels = { cluster_name: cluster, group: group_id, topic: p.topic, partition: String(p.partition), member_host: p.host ?? '', consumer_id: p.consumerId ?? '', client_id: p.clientId ?? '' };
      this.lagOffset.set(labels, p.currentOffset);
      this.lagRecords.set(labels, p.lag);
      if (p.lagSeconds !== null) this.lagSeconds.set(labels, p.lagSeconds);
      maxLag = Math.max(maxLag, p.lag);
      maxLagSeconds = Math.max(maxLagSeconds, p.lagSeconds ?? 0);
    }
    for (const [topic_name, sum] of offsetSum) this.groupTopicOffsetSum.set({ group_id, topic_name }, sum);
    for (const [topic, sum] of lagSum) {
      this.groupTopicLag.set({ group_id, topic_name: topic }, sum);
      this.topicSumLag.set({ cluster_name: cluster, group: group_id, topic }, sum);
    }
    // A group with no members is how kafka-lag-exporter tells a "simple consumer" (manual assignment, commits only).
    const simple = { cluster_name: cluster, group: group_id, is_simple_consumer: String(g.state === 'Empty' && g.protocolType === '') };
    this.maxLag.set(simple, maxLag);
    this.maxLagSeconds.set(simple, maxLagSeconds);
    this.sumLag.set({ cluster_name: cluster, group: group_id }, g.totalLag);
  }

  /** Counts a rebalance and keeps its pause. */
  recordEntry(entry: TimelineEntry): void {
    if (entry.kind === 'member-replaced') return;
    const reason = entry.causes[0]?.kind ?? (entry.kind === 'emptied' ? 'member-left' : 'initial');
    this.rebalances.inc({ group_id: entry.groupId, reason, source: entry.source });
    const previous = this.pauseProtocol.get(entry.groupId);
    if (previous !== undefined && previous !== entry.rebalanceProtocol) this.lastPause.remove({ group_id: entry.groupId, rebalance_protocol: previous });
    this.pauseProtocol.set(entry.groupId, entry.rebalanceProtocol);
    this.lastPause.set({ group_id: entry.groupId, rebalance_protocol: entry.rebalanceProtocol }, entry.pause.maxMs / 1000);
    this.lastRebalanceTime.set({ group_id: entry.groupId }, entry.completedAtMs / 1000);
  }
}
