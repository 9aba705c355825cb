import { ZERO_UUID } from '../../protocol/codec-helpers.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { CreateTopicsCreatableTopic, CreateTopicsCreatableTopicResultInit } from '../../protocol/messages/index.js';
import { allowedOnTopic, mayCreateTopic, Op } from '../authorize.js';
import type { BrokerContext } from '../context.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { checkTopicConfig, describeTopicConfigs } from '../topic-configs.js';
import { createTopic, invalidTopicNameReason, storageErrorCode, TOPIC_MAX_PARTITIONS } from '../topics.js';

/** NumPartitions / ReplicationFactor -1: use the broker default (KIP-464, v4+). */
const USE_DEFAULT = -1;

type Plan = { ok: true; partitions: number; configs: Record<string, string> } | { ok: false; errorCode: number; detail: string };

/**
 * CreateTopics v2-7. A single node accepts replication factor 1 (or -1, the default) only, and
 * manual assignments only when every partition lives on this broker. Unknown config names and bad
 * values are INVALID_CONFIG. ValidateOnly checks everything and creates nothing. With an
 * authorizer, as Kafka: CREATE on the cluster or else on each topic (TOPIC_AUTHORIZATION_FAILED),
 * and the configs of the answer only with DESCRIBE_CONFIGS on the topic.
 */
export const createTopicsHandler = defineHandler({
  apiKey: 19,
  minVersion: 2,
  maxVersion: 7,
  async handle(rctx, request) {
    const ctx = rctx.broker;
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const topics: CreateTopicsCreatableTopicResultInit[] = [];
    for (const t of request.topics) {
      const plan: Plan = (counts.get(t.name) ?? 0) > 1
        ? { ok: false, errorCode: ErrorCode.INVALID_REQUEST, detail: `topic '${t.name}' appears more than once in the request` }
        : !mayCreateTopic(rctx, t.name)
          ? { ok: false, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, detail: 'Authorization failed.' }
          : planTopic(ctx, t);
      topics.push(await carryOut(rctx, t, plan, request.validateOnly));
    }
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(request, errorCode) {
    return { topics: request.topics.map((t) => ({ name: t.name, errorCode })) };
  },
});

function planTopic(ctx: BrokerContext, t: CreateTopicsCreatableTopic): Plan {
  const fail = (errorCode: number, detail: string): Plan => ({ ok: false, errorCode, detail });
  const badName = invalidTopicNameReason(t.name);
  if (badName !== null) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, badName);
  if (ctx.store.topic(t.name) !== undefined) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${t.name}' already exists`);
  let partitions = t.numPartitions;
  if (t.assignments.length > 0) {
    if (t.numPartitions !== USE_DEFAULT || t.replicationFactor !== USE_DEFAULT) {
      return fail(ErrorCode.INVALID_REQUEST, 'with manual assignments, NumPartitions and ReplicationFactor must be -1');
    }
    const indexes = t.assignments.map((a) => a.partitionIndex).sort((a, b) => a - b);
    if (indexes.some((p, i) => p !== i)) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partition indexes must be 0..n-1');
    if (t.assignments.some((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== ctx.config.nodeId)) {
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `every partition must be assigned to broker ${ctx.config.nodeId} alone`);
    }
    partitions = t.assignments.length;
  } else {
    if (partitions === USE_DEFAULT) partitions = ctx.config.numPartitions;
    if (partitions <= 0) return fail(ErrorCode.INVALID_PARTITIONS, `number of partitions must be positive, got ${t.numPartitions}`);
    if (t.replicationFactor !== 1 && t.replicationFactor !== USE_DEFAULT) {
      return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `replication factor ${t.replicationFactor} is impossible on a single broker`);
    }
  }
  if (partitions > TOPIC_MAX_PARTITIONS) return fail(ErrorCode.INVALID_PARTITIONS, `at most ${TOPIC_MAX_PARTITIONS} partitions per topic`);
  const configs: Record<string, string> = {};
  for (const c of t.configs) {
    const problem = checkTopicConfig(c.name, c.value);
    if (problem !== null) return fail(ErrorCode.INVALID_CONFIG, problem);
    if (c.value !== null) configs[c.name] = c.value;
  }
  return { ok: true, partitions, configs };
}

async function carryOut(rctx: RequestContext, t: CreateTopicsCreatableTopic, plan: Plan, validateOnly: boolean): Promise<CreateTopicsCreatableTopicResultInit> {
  const ctx = rctx.broker;
  if (!plan.ok) {
    reportRejection(rctx, 'CreateTopics', { topic: t.name, errorCode: plan.errorCode, detail: plan.detail });
    return { name: t.name, topicId: ZERO_UUID, errorCode: plan.errorCode, errorMessage: plan.detail, numPartitions: -1, replicationFactor: -1, configs: null };
  }
  let topicId = ZERO_UUID;
  if (!validateOnly) {
    try {
      topicId = (await createTopic(ctx, t.name, plan.partitions, plan.configs, 'create-topics')).id;
    } catch (err) {
      const errorCode = storageErrorCode(err);
      if (errorCode === ErrorCode.UNKNOWN_SERVER_ERROR) ctx.log.error('topic creation failed', { topic: t.name, error: (err as Error).message });
      else reportRejection(rctx, 'CreateTopics', { topic: t.name, errorCode, detail: (err as Error).message });
      return { name: t.name, topicId, errorCode, errorMessage: (err as Error).message, numPartitions: -1, replicationFactor: -1, configs: null };
    }
  }
  // v5+ tell the client what the topic ended up with (KIP-525), if it may describe them.
  if (!allowedOnTopic(rctx, Op.DESCRIBE_CONFIGS, t.name)) {
    return { name: t.name, topicId, errorCode: ErrorCode.NONE, errorMessage: null, numPartitions: plan.partitions, replicationFactor: 1, configs: null, topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
  }
  const configs = describeTopicConfigs(ctx.config, plan.configs).map((c) => ({
    name: c.name,
    value: c.value,
    readOnly: c.readOnly,
    configSource: c.source,
    isSensitive: false,
  }));
  return { name: t.name, topicId, errorCode: ErrorCode.NONE, errorMessage: null, numPartitions: plan.partitions, replicationFactor: 1, configs };
}
