import { ZERO_UUID } from '../../protocol/codec-helpers.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { DeleteTopicsDeletableTopicResultInit } from '../../protocol/messages/index.js';
import type { TopicInfo } from '../../storage/types.js';
import { allowedOnTopic, Op } from '../authorize.js';
import { BROKER_EVENTS, publishBrokerEvent } from '../events.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { storageErrorCode, topicById, visibleTopic } from '../topics.js';

/**
 * DeleteTopics v1-6 (v6 may name topics by id). Deleting drops the partition logs, the
 * idempotent-producer state and the groups' committed offsets of the topic (as Kafka does), then
 * publishes `samsa:broker:topic-deleted`. With an authorizer, as Kafka: DELETE on the topic
 * (TOPIC_AUTHORIZATION_FAILED, checked before existence); a topic named by id whose name the
 * principal may not DESCRIBE is answered without its name.
 */
export const deleteTopicsHandler = defineHandler({
  apiKey: 20,
  minVersion: 1,
  maxVersion: 6,
  async handle(rctx, request) {
    const wanted = rctx.version >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const responses: DeleteTopicsDeletableTopicResultInit[] = [];
    for (const w of wanted) responses.push(await deleteOne(rctx, w.name, w.topicId));
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(request, errorCode) {
    const names = request.topicNames.length > 0 ? request.topicNames : request.topics.map((t) => t.name);
    return { responses: names.map((name) => ({ name, errorCode })) };
  },
});

async function deleteOne(rctx: RequestContext, name: string | null, topicId: string): Promise<DeleteTopicsDeletableTopicResultInit> {
  const ctx = rctx.broker;
  let topic: TopicInfo | undefined;
  let missing: { errorCode: number; detail: string } | null = null;
  const denied = (shownName: string | null): DeleteTopicsDeletableTopicResultInit => {
    reportRejection(rctx, 'DeleteTopics', { ...(shownName !== null ? { topic: shownName } : {}), errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, detail: 'Authorization failed.' });
    return { name: shownName, topicId, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' };
  };
  if (name === null || name === '') {
    topic = topicById(ctx, topicId);
    if (topic === undefined) missing = { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, detail: `no topic with id ${topicId}` };
    else if (!allowedOnTopic(rctx, Op.DESCRIBE, topic.name)) return denied(null);
    else if (!allowedOnTopic(rctx, Op.DELETE, topic.name)) return denied(topic.name);
  } else if (!allowedOnTopic(rctx, Op.DELETE, name)) {
    return denied(name);
  } else {
    topic = visibleTopic(ctx, name);
    if (topic === undefined) missing = { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, detail: `topic '${name}' does not exist` };
  }
  if (topic === undefined) {
    reportRejection(rctx, 'DeleteTopics', { ...(name !== null ? { topic: name } : {}), ...missing! });
    return { name, topicId, errorCode: missing!.errorCode, errorMessage: missing!.detail };
  }
  try {
    await ctx.store.deleteTopic(topic.name);
  } catch (err) {
    ctx.log.error('topic deletion failed', { topic: topic.name, error: (err as Error).message });
    return { name: topic.name, topicId: topic.id, errorCode: storageErrorCode(err), errorMessage: (err as Error).message };
  }
  await ctx.groups.topicsDeleted([topic.name]);
  ctx.log.info('topic deleted', { topic: topic.name });
  publishBrokerEvent(BROKER_EVENTS.topicDeleted, { nodeId: ctx.config.nodeId, port: ctx.config.port, topic: topic.name, topicId: topic.id });
  return { name: topic.name, topicId: topic.id, errorCode: ErrorCode.NONE, errorMessage: null };
}
