import { ErrorCode } from '../protocol/errors.js';
import { allowedOnCluster, allowedOnTopic, Op } from './authorize.js';
import { BROKER_EVENTS, publishBrokerEvent } from './events.js';
import type { RequestContext } from './handler.js';
import { reportRejection } from './rejections.js';
import { checkTopicConfig } from './topic-configs.js';
import { storageErrorCode, visibleTopic } from './topics.js';

/** ConfigResource types (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs). */
export const ResourceType = {
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
} as const;

export interface ResourceOutcome {
  errorCode: number;
  errorMessage: string | null;
}

const OK: ResourceOutcome = { errorCode: ErrorCode.NONE, errorMessage: null };

/** Whether `name` designates this broker: its id, or "" for the cluster-wide default. */
export function isThisBroker(rctx: RequestContext, name: string): boolean {
  return name === '' || name === String(rctx.broker.config.nodeId);
}

/**
 * Checks and (unless `validateOnly`) applies topic config changes: a value sets an override, null
 * removes it so the broker's value applies again. All-or-nothing per topic.
 */
export async function alterTopicConfigs(
  rctx: RequestContext,
  api: string,
  topicName: string,
  changes: Record<string, string | null>,
  validateOnly: boolean,
): Promise<ResourceOutcome> {
  const ctx = rctx.broker;
  const reject = (errorCode: number, detail: string): ResourceOutcome => {
    reportRejection(rctx, api, { topic: topicName, errorCode, detail });
    return { errorCode, errorMessage: detail };
  };
  const topic = visibleTopic(ctx, topicName);
  if (topic === undefined) return reject(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${topicName}' does not exist`);
  for (const [name, value] of Object.entries(changes)) {
    const problem = checkTopicConfig(name, value);
    if (problem !== null) return reject(ErrorCode.INVALID_CONFIG, problem);
  }
  if (validateOnly || Object.keys(changes).length === 0) return OK;
  try {
    await ctx.store.alterTopicConfigs(topicName, changes);
  } catch (err) {
    return reject(storageErrorCode(err), (err as Error).message);
  }
  ctx.log.info('topic configs altered', { topic: topicName, changes });
  publishBrokerEvent(BROKER_EVENTS.topicConfigsAltered, { nodeId: ctx.config.nodeId, port: ctx.config.port, topic: topicName, changes });
  return OK;
}

/**
 * Kafka's authorization of AlterConfigs / IncrementalAlterConfigs: ALTER_CONFIGS on the topic
 * (TOPIC_AUTHORIZATION_FAILED) or on the cluster for broker resources (CLUSTER_AUTHORIZATION_FAILED).
 * Null when permitted.
 */
export function alterConfigsDenied(rctx: RequestContext, api: string, resourceType: number, resourceName: string): ResourceOutcome | null {
  const isTopic = resourceType === ResourceType.TOPIC;
  if (isTopic ? allowedOnTopic(rctx, Op.ALTER_CONFIGS, resourceName) : resourceType !== ResourceType.BROKER && resourceType !== ResourceType.BROKER_LOGGER ? true : allowedOnCluster(rctx, Op.ALTER_CONFIGS)) return null;
  const errorCode = isTopic ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  reportRejection(rctx, api, { ...(isTopic ? { topic: resourceName } : {}), errorCode, detail: 'Authorization failed.' });
  return { errorCode, errorMessage: 'Authorization failed.' };
}

/** The answer for resources we cannot alter (broker settings are static here). */
export function rejectNonTopicResource(rctx: RequestContext, api: string, resourceType: number, resourceName: string): ResourceOutcome {
  const detail = resourceType === ResourceType.BROKER
    ? 'broker configs are static: set them with samsa start flags'
    : `resource type ${resourceType} is not supported`;
  const errorCode = ErrorCode.INVALID_REQUEST;
  reportRejection(rctx, api, { errorCode, detail: `${detail} (resource '${resourceName}')` });
  return { errorCode, errorMessage: detail };
}
