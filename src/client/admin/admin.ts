import { Cluster } from '../net/cluster.js';
import { CLIENT_OPTION_NAMES, rejectUnknownOptions, resolveClientOptions, type ClientOptions } from '../options.js';
import { createAcls, deleteAcls, describeAcls, type AclBinding, type AclFilter } from './acls.js';
import { alterConfigs, describeConfigs, type DescribeConfigsOptions } from './configs.js';
import { deleteGroups, describeGroups, listGroups } from './groups.js';
import { alterOffsets, deleteOffsets, fetchOffsetsForGroups, lag, listOffsets, resetOffsets, type AlterOffsetsOptions } from './offsets.js';
import { abortTransaction, describeProducers, describeTransactions, listTransactions, type ProducerStateDescription, type TransactionDescription, type TransactionListing } from './transactions.js';
import { createPartitions, createTopics, deleteTopics, describeTopics, listTopics, type CreatePartitionsOptions, type CreateTopicsOptions } from './topics.js';
import type {
  AlterConfigResource, CommittedOffset, ConfigResourceDescription, CreatedTopic, GroupDescription, GroupListing, OffsetSpec,
  PartitionLag, PartitionOffset, TopicDescription,
} from './types.js';

export type AdminOptions = ClientOptions;

/**
 * Topics, configs, groups and offsets of any Kafka-compatible cluster, through the standard APIs
 * only (so the same calls work against Samsa, Apache Kafka and Redpanda). Every call retries
 * retriable errors (moved coordinators and leaders, a controller change) and surfaces anything
 * else as one KafkaError saying which topic, partition or group it concerns.
 */
export class Admin {
  readonly cluster: Cluster;

  constructor(options: AdminOptions) {
    rejectUnknownOptions('admin', options ?? {}, CLIENT_OPTION_NAMES);
    this.cluster = new Cluster(resolveClientOptions(options));
  }

  /** Connects and loads the cluster's brokers (optional: every call connects on demand). */
  async connect(): Promise<void> {
    await this.cluster.metadata({ force: true });
  }

  close(): Promise<void> {
    return this.cluster.close();
  }

  // topics
  createTopics(o: CreateTopicsOptions): Promise<CreatedTopic[]> {
    return createTopics(this.cluster, o);
  }

  deleteTopics(o: { topics: string[]; timeoutMs?: number }): Promise<void> {
    return deleteTopics(this.cluster, o);
  }

  listTopics(o: { includeInternal?: boolean } = {}): Promise<string[]> {
    return listTopics(this.cluster, o);
  }

  /** Partitions, leaders, replicas; with `includeConfigs` also each topic's configs. */
  async describeTopics(o: { topics: string[]; includeConfigs?: boolean }): Promise<TopicDescription[]> {
    const described = await describeTopics(this.cluster, o.topics);
    if (o.includeConfigs) {
      const configs = await describeConfigs(this.cluster, { resources: o.topics.map((name) => ({ type: 'topic' as const, name })) });
      described.forEach((d, i) => (d.configs = configs[i]!.configs));
    }
    return described;
  }

  createPartitions(o: CreatePartitionsOptions): Promise<void> {
    return createPartitions(this.cluster, o);
  }

  // configs
  describeConfigs(o: DescribeConfigsOptions): Promise<ConfigResourceDescription[]> {
    return describeConfigs(this.cluster, o);
  }

  /** Incremental (KIP-339): only the named configs change. */
  alterConfigs(o: { resources: AlterConfigResource[]; validateOnly?: boolean }): Promise<void> {
    return alterConfigs(this.cluster, o);
  }

  // groups
  listGroups(o: { states?: string[]; types?: string[] } = {}): Promise<GroupListing[]> {
    return listGroups(this.cluster, o);
  }

  describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    return describeGroups(this.cluster, groupIds);
  }

  deleteGroups(groupIds: string[]): Promise<void> {
    return deleteGroups(this.cluster, groupIds);
  }

  // offsets
  async fetchOffsets(o: { groupId: string; topics?: Array<{ topic: string; partitions?: number[] }> }): Promise<CommittedOffset[]> {
    return (await fetchOffsetsForGroups(this.cluster, [o.groupId], o.topics)).get(o.groupId)!;
  }

  fetchOffsetsForGroups(o: { groupIds: string[]; topics?: Array<{ topic: string; partitions?: number[] }> }): Promise<Map<string, CommittedOffset[]>> {
    return fetchOffsetsForGroups(this.cluster, o.groupIds, o.topics);
  }

  /** Offsets at `timestamp`: 'earliest', 'latest' (default), 'max-timestamp' or a time in ms. */
  listOffsets(o: { topic: string; partitions?: number[]; timestamp?: OffsetSpec }): Promise<PartitionOffset[]> {
    return listOffsets(this.cluster, o);
  }

  alterOffsets(o: AlterOffsetsOptions): Promise<void> {
    return alterOffsets(this.cluster, o);
  }

  resetOffsets(o: { groupId: string; topic: string; partitions?: number[]; to: OffsetSpec }): Promise<PartitionOffset[]> {
    return resetOffsets(this.cluster, o);
  }

  deleteOffsets(o: { groupId: string; topic: string; partitions?: number[] }): Promise<void> {
    return deleteOffsets(this.cluster, o);
  }

  // transactions (KIP-664)
  listTransactions(o: { states?: string[]; producerIds?: number[]; durationMs?: number } = {}): Promise<TransactionListing[]> {
    return listTransactions(this.cluster, o);
  }

  describeTransactions(transactionalIds: string[]): Promise<TransactionDescription[]> {
    return describeTransactions(this.cluster, transactionalIds);
  }

  describeProducers(o: { topic: string; partition: number }): Promise<ProducerStateDescription[]> {
    return describeProducers(this.cluster, o.topic, o.partition);
  }

  /** Writes an ABORT marker for a hanging transaction into one partition (kafka-transactions.sh abort). */
  abortTransaction(o: { topic: string; partition: number; producerId: number; producerEpoch: number; coordinatorEpoch: number }): Promise<void> {
    return abortTransaction(this.cluster, o);
  }

  // ACLs (kafka-acls.sh)
  /** Adds ACLs (needs ALTER on the cluster). */
  createAcls(acls: AclBinding[]): Promise<void> {
    return createAcls(this.cluster, acls);
  }

  /** The ACLs a filter matches (needs DESCRIBE on the cluster); `{}` lists them all. */
  describeAcls(filter: AclFilter = {}): Promise<AclBinding[]> {
    return describeAcls(this.cluster, filter);
  }

  /** Removes the ACLs each filter matches and returns them. */
  deleteAcls(filters: AclFilter[]): Promise<AclBinding[]> {
    return deleteAcls(this.cluster, filters);
  }

  /** Lag per partition of the group's topics (or of `topics` only). */
  lag(groupId: string, o: { topics?: string[] } = {}): Promise<PartitionLag[]> {
    return lag(this.cluster, groupId, o);
  }
}

export function createAdmin(options: AdminOptions): Admin {
  return new Admin(options);
}
