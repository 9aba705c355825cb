import { ZERO_UUID } from '../../protocol/codec-helpers.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { MetadataResponseTopicInit } from '../../protocol/messages/index.js';
import type { TopicInfo } from '../../storage/types.js';
import { allowedOnTopic, authorizedOperations, CLUSTER_NAME, mayCreateTopic, Op, Resource } from '../authorize.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { findOrAutoCreateTopic, topicById, visibleTopic, visibleTopics } from '../topics.js';

/** Kafka's "not requested" value for authorized-operation fields. */
const AUTHORIZED_OPERATIONS_OMITTED = -2_147_483_648;

/**
 * Metadata v0-12: this broker is the only one, the controller, and the leader of every partition
 * (replicas = isr = [self], leader epoch 0). v0: an empty topic list means all topics; v1+: null
 * means all and empty means none. An unknown topic is auto-created when both the broker and the
 * request (v4+ AllowAutoTopicCreation) allow it, and answered LEADER_NOT_AVAILABLE for this once,
 * as Kafka does; clients ask again.
 *
 * With an authorizer (as Kafka): a request for all topics lists only those the principal may
 * DESCRIBE; a named topic it may not describe is TOPIC_AUTHORIZATION_FAILED whether it exists or
 * not (its existence is not disclosed); a missing topic that would be auto-created needs CREATE on
 * the cluster or the topic, else it too is TOPIC_AUTHORIZATION_FAILED.
 */
export const metadataHandler = defineHandler({
  apiKey: 3,
  minVersion: 0,
  maxVersion: 12,
  async handle(rctx, request) {
    const ctx = rctx.broker;
    const v = rctx.version;
    const wantsAll = request.topics === null || (v === 0 && request.topics.length === 0);
    const topics: MetadataResponseTopicInit[] = [];
    if (wantsAll) {
      for (const t of visibleTopics(ctx)) if (allowedOnTopic(rctx, Op.DESCRIBE, t.name, false)) topics.push(describeTopic(rctx, t, request.includeTopicAuthorizedOperations));
    } else {
      for (const requested of request.topics!) {
        if (requested.name === null) {
          const byId = topicById(ctx, requested.topicId);
          if (byId === undefined) {
            reportRejection(rctx, 'Metadata', { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, detail: `no topic with id ${requested.topicId}` });
            topics.push({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: requested.topicId, partitions: [] });
          } else if (!allowedOnTopic(rctx, Op.DESCRIBE, byId.name)) {
            topics.push({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name: null, topicId: requested.topicId, partitions: [] });
          } else {
            topics.push(describeTopic(rctx, byId, request.includeTopicAuthorizedOperations));
          }
          continue;
        }
        const name = requested.name;
        if (!allowedOnTopic(rctx, Op.DESCRIBE, name)) {
          topics.push(unauthorizedTopic(name));
          continue;
        }
        const wantsCreation = v < 4 || request.allowAutoTopicCreation;
        if (wantsCreation && ctx.config.autoCreateTopics && ctx.acls !== null && visibleTopic(ctx, name) === undefined && !mayCreateTopic(rctx, name)) {
          topics.push(unauthorizedTopic(name));
          continue;
        }
        const lookup = await findOrAutoCreateTopic(ctx, name, wantsCreation);
        if ('errorCode' in lookup) {
          reportRejection(rctx, 'Metadata', { topic: name, errorCode: lookup.errorCode, detail: lookup.detail });
          topics.push({ errorCode: lookup.errorCode, name, topicId: ZERO_UUID, isInternal: false, partitions: [] });
        } else if (lookup.created) {
          topics.push({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, name, topicId: lookup.topic.id, isInternal: false, partitions: [] });
        } else {
          topics.push(describeTopic(rctx, lookup.topic, request.includeTopicAuthorizedOperations));
        }
      }
    }
    const { nodeId, clusterId } = ctx.config;
    const { advertisedHost, advertisedPort } = rctx.connection.listener;
    return {
      throttleTimeMs: 0,
      // The listener this client came through, as Kafka answers (an SSL client is sent to the SSL port).
      brokers: [{ nodeId, host: advertisedHost, port: advertisedPort, rack: null }],
      clusterId,
      controllerId: nodeId,
      topics,
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? authorizedOperations(rctx, Resource.CLUSTER, CLUSTER_NAME) : AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
  errorResponse(request, errorCode) {
    return {
      brokers: [],
      topics: (request.topics ?? []).map((t) => ({ errorCode, name: t.name, topicId: t.topicId, partitions: [] })),
    };
  },
});

function unauthorizedTopic(name: string): MetadataResponseTopicInit {
  return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, topicId: ZERO_UUID, isInternal: false, partitions: [] };
}

function describeTopic(rctx: RequestContext, topic: TopicInfo, includeOperations: boolean): MetadataResponseTopicInit {
  const ctx = rctx.broker;
  const self = ctx.config.nodeId;
  const partitions = [];
  for (let i = 0; i < topic.partitions; i++) {
    // A partition offline because of damage lists its replica (this broker) as offline, as Kafka
    // lists a replica in a failed log dir (KIP-112). Kafka would also drop the leader, since the
    // only replica is offline; we stay leader so that requests for it get KAFKA_STORAGE_ERROR and
    // clients keep using the topic's other partitions: kafkajs fails a whole Metadata answer on
    // any partition error, LEADER_NOT_AVAILABLE included (docs/limitations.md).
    const offline = ctx.store.partitionDamage(topic.name, i) !== undefined ? [self] : [];
    partitions.push({ errorCode: ErrorCode.NONE, partitionIndex: i, leaderId: self, leaderEpoch: 0, replicaNodes: [self], isrNodes: [self], offlineReplicas: offline });
  }
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.id,
    isInternal: false,
    partitions,
    topicAuthorizedOperations: includeOperations ? authorizedOperations(rctx, Resource.TOPIC, topic.name) : AUTHORIZED_OPERATIONS_OMITTED,
  };
}
