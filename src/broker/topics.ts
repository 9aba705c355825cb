import { ErrorCode } from '../protocol/errors.js';
import { topicNameProblem } from '../storage/index.js';
import { MAX_PARTITIONS_PER_TOPIC } from '../storage/store-base.js';
import { StorageError, type PartitionLog, type TopicInfo } from '../storage/types.js';
import type { BrokerContext } from './context.js';
import { BROKER_EVENTS, publishBrokerEvent } from './events.js';

/** Most partitions one topic may have (the store's limit; Kafka has none but its controller's). */
export const TOPIC_MAX_PARTITIONS = MAX_PARTITIONS_PER_TOPIC;

/** Why `name` is not a legal topic name (Kafka's `Topic.validate`), or null when it is. */
export function invalidTopicNameReason(name: string | null): string | null {
  return name === null ? 'topic name is null' : topicNameProblem(name);
}

/** A topic by name. The store keeps its internal logs out of the topic namespace, so all are visible. */
export function visibleTopic(ctx: BrokerContext, name: string): TopicInfo | undefined {
  return ctx.store.topic(name);
}

/** Every topic, sorted by name. */
export function visibleTopics(ctx: BrokerContext): TopicInfo[] {
  return ctx.store.listTopics();
}

/** The Kafka error code a failed store operation maps to (StorageError carries one). */
export function storageErrorCode(err: unknown): number {
  return err instanceof StorageError ? err.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR;
}

/**
 * Creates a topic and publishes the fact. Concurrent requests for the same new topic (several
 * producers auto-creating it at once) share one creation.
 */
export async function createTopic(
  ctx: BrokerContext,
  name: string,
  partitions: number,
  configs: Record<string, string>,
  cause: 'create-topics' | 'auto-create',
): Promise<TopicInfo> {
  const pending = inFlightCreations.get(ctx)?.get(name);
  if (pending !== undefined) return pending;
  let perBroker = inFlightCreations.get(ctx);
  if (perBroker === undefined) {
    perBroker = new Map();
    inFlightCreations.set(ctx, perBroker);
  }
  const creation = ctx.store.createTopic(name, partitions, configs).then((info) => {
    ctx.log.info('topic created', { topic: name, partitions, cause, ...(Object.keys(configs).length > 0 ? { configs } : {}) });
    publishBrokerEvent(BROKER_EVENTS.topicCreated, {
      nodeId: ctx.config.nodeId,
      port: ctx.config.port,
      topic: name,
      topicId: info.id,
      partitions: info.partitions,
      configs,
      cause,
    });
    return info;
  });
  perBroker.set(name, creation);
  try {
    return await creation;
  } finally {
    perBroker.delete(name);
  }
}

const inFlightCreations = new WeakMap<BrokerContext, Map<string, Promise<TopicInfo>>>();

export type TopicLookup = { topic: TopicInfo; created: boolean } | { errorCode: number; detail: string };

/**
 * Finds a topic for a data request, creating it with the default partition count when the broker
 * allows auto-creation (`auto.create.topics.enable`) and the request does too.
 */
export async function findOrAutoCreateTopic(ctx: BrokerContext, name: string, requestAllowsCreation: boolean): Promise<TopicLookup> {
  const existing = visibleTopic(ctx, name);
  if (existing !== undefined) return { topic: existing, created: false };
  const invalid = invalidTopicNameReason(name);
  if (invalid !== null) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, detail: invalid };
  if (!ctx.config.autoCreateTopics || !requestAllowsCreation) {
    return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, detail: `topic '${name}' does not exist` };
  }
  // Another request may have created it while we checked.
  const topic = ctx.store.topic(name) ?? (await createTopic(ctx, name, ctx.config.numPartitions, {}, 'auto-create'));
  return { topic, created: true };
}

const idIndexes = new WeakMap<BrokerContext, Map<string, string>>();

/**
 * A topic by its id (Fetch v13+, Metadata v10+, DeleteTopics v6 name topics by id). The id -> name
 * index is rebuilt only on a miss or when a name now belongs to another id (deleted and
 * recreated), so steady fetching costs one map lookup.
 */
export function topicById(ctx: BrokerContext, topicId: string): TopicInfo | undefined {
  let index = idIndexes.get(ctx);
  const cached = index?.get(topicId);
  if (cached !== undefined) {
    const topic = ctx.store.topic(cached);
    if (topic !== undefined && topic.id === topicId) return topic;
  }
  index = new Map(ctx.store.listTopics().map((t) => [t.id, t.name]));
  idIndexes.set(ctx, index);
  const name = index.get(topicId);
  return name === undefined ? undefined : ctx.store.topic(name);
}

export type PartitionLookup = { log: PartitionLog } | { errorCode: number; detail: string };

/**
 * A partition's log for a data request (Produce, Fetch, ListOffsets, DeleteRecords). A partition
 * offline because of damage below its recovery point answers KAFKA_STORAGE_ERROR, as Kafka's
 * replica manager does for a partition in an offline log dir; clients retry and find no leader.
 */
export function partitionLog(ctx: BrokerContext, topic: TopicInfo | undefined, partition: number): PartitionLookup {
  if (topic !== undefined) {
    const log = ctx.store.partition(topic.name, partition);
    if (log !== undefined) return { log };
    if (ctx.store.partitionDamage(topic.name, partition) !== undefined) {
      return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, detail: `partition ${partition} of '${topic.name}' is offline: its log is damaged below its recovery point (repair it with samsa storage repair, or start with --repair)` };
    }
  }
  return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, detail: topic === undefined ? 'no such topic' : `topic '${topic.name}' has no partition ${partition}` };
}
