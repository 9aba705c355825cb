import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../errors.js';
import type { Cluster } from '../net/cluster.js';
import { retryItems, type ItemOutcome } from './retry-items.js';
import type { CreatedTopic, CreateTopicSpec, TopicDescription } from './types.js';

export interface CreateTopicsOptions {
  topics: CreateTopicSpec[];
  /** Only check that the topics could be created (CreateTopics validateOnly). */
  validateOnly?: boolean;
  /** How long the broker may take to create them. Default 30000. */
  timeoutMs?: number;
}

/** A NOT_CONTROLLER answer means our metadata is stale: refresh it before the retry. */
function refreshOnNotController(cluster: Cluster) {
  return async (codes: number[]) => {
    if (codes.includes(ErrorCode.NOT_CONTROLLER)) await cluster.refreshMetadata();
  };
}

/** CreateTopics to the controller (any broker forwards it on KRaft clusters, KIP-590). */
export async function createTopics(cluster: Cluster, o: CreateTopicsOptions): Promise<CreatedTopic[]> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const created = await retryItems<CreateTopicSpec, CreatedTopic>(cluster, o.topics, (t) => t.name, async (pending) => {
    const { response } = await cluster.request('controller', 19, (version) => ({
      topics: pending.map((t) => ({
        name: t.name,
        numPartitions: t.replicaAssignment ? -1 : t.numPartitions ?? (version >= 4 ? -1 : 1),
        replicationFactor: t.replicaAssignment ? -1 : t.replicationFactor ?? (version >= 4 ? -1 : 1),
        assignments: Object.entries(t.replicaAssignment ?? {}).map(([p, brokerIds]) => ({ partitionIndex: Number(p), brokerIds })),
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
      timeoutMs,
      validateOnly: o.validateOnly ?? false,
    }), { timeoutMs: timeoutMs + cluster.options.requestTimeoutMs });
    const out = new Map<string, ItemOutcome<CreatedTopic>>();
    for (const t of response.topics) {
      out.set(t.name, {
        code: t.errorCode, detail: t.errorMessage,
        result: { name: t.name, topicId: t.topicId, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor },
      });
    }
    return out;
  }, (t) => ({ api: 'CreateTopics', topic: t.name }), refreshOnNotController(cluster));
  if (!o.validateOnly) for (const t of created) cluster.invalidateTopic(t.name);
  return created;
}

export async function deleteTopics(cluster: Cluster, o: { topics: string[]; timeoutMs?: number }): Promise<void> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  await retryItems<string, null>(cluster, o.topics, (t) => t, async (pending) => {
    const { response } = await cluster.request('controller', 20, (version) =>
      version >= 6 ? { topics: pending.map((name) => ({ name })), timeoutMs } : { topicNames: pending, timeoutMs },
    { timeoutMs: timeoutMs + cluster.options.requestTimeoutMs });
    const out = new Map<string, ItemOutcome<null>>();
    for (const r of response.responses) if (r.name !== null) out.set(r.name, { code: r.errorCode, detail: r.errorMessage, result: null });
    return out;
  }, (t) => ({ api: 'DeleteTopics', topic: t }), refreshOnNotController(cluster));
  for (const t of o.topics) cluster.cache.forget(t);
}

/** Every topic name, sorted; internal topics (`__consumer_offsets`) only when asked. */
export async function listTopics(cluster: Cluster, o: { includeInternal?: boolean } = {}): Promise<string[]> {
  const cache = await cluster.metadata({ topics: 'all', force: true });
  return [...cache.topics.values()].filter((t) => o.includeInternal || !t.isInternal).map((t) => t.name).sort();
}

/** Partitions, leaders and replicas of each topic, from fresh metadata. */
export async function describeTopics(cluster: Cluster, topics: string[]): Promise<TopicDescription[]> {
  const cache = await cluster.metadata({ topics, force: true });
  return topics.map((name) => {
    const t = cache.topics.get(name);
    if (t === undefined) throw new KafkaError(cache.topicErrors.get(name) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, { api: 'Metadata', topic: name });
    return {
      name, topicId: t.topicId, isInternal: t.isInternal,
      partitions: t.partitions.filter((p) => p !== undefined).map((p) => ({
        partition: p.partition, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas,
      })),
    };
  });
}

export interface CreatePartitionsOptions {
  /** `count` is the new total number of partitions. */
  topics: Array<{ name: string; count: number; assignments?: number[][] }>;
  validateOnly?: boolean;
  timeoutMs?: number;
}

export async function createPartitions(cluster: Cluster, o: CreatePartitionsOptions): Promise<void> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  await retryItems<CreatePartitionsOptions['topics'][number], null>(cluster, o.topics, (t) => t.name, async (pending) => {
    const { response } = await cluster.request('controller', 37, {
      topics: pending.map((t) => ({ name: t.name, count: t.count, assignments: t.assignments ? t.assignments.map((brokerIds) => ({ brokerIds })) : null })),
      timeoutMs,
      validateOnly: o.validateOnly ?? false,
    }, { timeoutMs: timeoutMs + cluster.options.requestTimeoutMs });
    const out = new Map<string, ItemOutcome<null>>();
    for (const r of response.results) out.set(r.name, { code: r.errorCode, detail: r.errorMessage, result: null });
    return out;
  }, (t) => ({ api: 'CreatePartitions', topic: t.name }), refreshOnNotController(cluster));
  if (!o.validateOnly) for (const t of o.topics) cluster.invalidateTopic(t.name);
}
