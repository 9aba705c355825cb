import { ErrorCode } from '../../protocol/errors.js';
import type { CreatePartitionsTopic, CreatePartitionsTopicResultInit } from '../../protocol/messages/index.js';
import { allowedOnTopic, Op } from '../authorize.js';
import { BROKER_EVENTS, publishBrokerEvent } from '../events.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { storageErrorCode, TOPIC_MAX_PARTITIONS, visibleTopic } from '../topics.js';

/**
 * CreatePartitions v0-3: grows a topic to `Count` partitions. Count must exceed the current number
 * (INVALID_PARTITIONS); manual assignments may only name this broker. The topic needs ALTER
 * (TOPIC_AUTHORIZATION_FAILED, before existence), as in Kafka.
 */
export const createPartitionsHandler = defineHandler({
  apiKey: 37,
  minVersion: 0,
  maxVersion: 3,
  async handle(rctx, request) {
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results: CreatePartitionsTopicResultInit[] = [];
    for (const t of request.topics) {
      const duplicate = (counts.get(t.name) ?? 0) > 1;
      results.push(await growTopic(rctx, t, duplicate, request.validateOnly));
    }
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, results: request.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })) };
  },
});

async function growTopic(rctx: RequestContext, t: CreatePartitionsTopic, duplicate: boolean, validateOnly: boolean): Promise<CreatePartitionsTopicResultInit> {
  const ctx = rctx.broker;
  const fail = (errorCode: number, detail: string): CreatePartitionsTopicResultInit => {
    reportRejection(rctx, 'CreatePartitions', { topic: t.name, errorCode, detail });
    return { name: t.name, errorCode, errorMessage: detail };
  };
  if (duplicate) return fail(ErrorCode.INVALID_REQUEST, `topic '${t.name}' appears more than once in the request`);
  if (!allowedOnTopic(rctx, Op.ALTER, t.name)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
  const topic = visibleTopic(ctx, t.name);
  if (topic === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${t.name}' does not exist`);
  if (t.count <= topic.partitions) return fail(ErrorCode.INVALID_PARTITIONS, `topic has ${topic.partitions} partitions; the new count ${t.count} must be larger`);
  if (t.count > TOPIC_MAX_PARTITIONS) return fail(ErrorCode.INVALID_PARTITIONS, `at most ${TOPIC_MAX_PARTITIONS} partitions per topic`);
  if (t.assignments !== null) {
    if (t.assignments.length !== t.count - topic.partitions) {
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `expected ${t.count - topic.partitions} assignments, got ${t.assignments.length}`);
    }
    if (t.assignments.some((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== ctx.config.nodeId)) {
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `every partition must be assigned to broker ${ctx.config.nodeId} alone`);
    }
  }
  if (validateOnly) return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
  const previous = topic.partitions;
  try {
    await ctx.store.createPartitions(t.name, t.count);
  } catch (err) {
    return fail(storageErrorCode(err), (err as Error).message);
  }
  ctx.log.info('partitions created', { topic: t.name, previousPartitions: previous, partitions: t.count });
  publishBrokerEvent(BROKER_EVENTS.partitionsCreated, { nodeId: ctx.config.nodeId, port: ctx.config.port, topic: t.name, previousPartitions: previous, partitions: t.count });
  return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
}
