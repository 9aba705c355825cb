import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeConfigsResource, DescribeConfigsResultInit } from '../../protocol/messages/index.js';
import { isThisBroker, ResourceType } from '../config-resources.js';
import { allowedOnCluster, allowedOnTopic, Op } from '../authorize.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { describeBrokerConfigs, describeTopicConfigs, type DescribedConfig } from '../topic-configs.js';
import { visibleTopic } from '../topics.js';

/**
 * DescribeConfigs v1-4 for TOPIC resources (every known topic config with its effective value and
 * source: TOPIC_CONFIG for an override, STATIC_BROKER_CONFIG when it comes from a broker flag,
 * DEFAULT_CONFIG otherwise) and for this BROKER (its settings, read-only). As Kafka: a topic needs
 * DESCRIBE_CONFIGS on it (TOPIC_AUTHORIZATION_FAILED), a broker DESCRIBE_CONFIGS on the cluster
 * (CLUSTER_AUTHORIZATION_FAILED).
 */
export const describeConfigsHandler = defineHandler({
  apiKey: 32,
  minVersion: 1,
  maxVersion: 4,
  handle(rctx, request) {
    const results = request.resources.map((resource) => describeResource(rctx, resource, request.includeSynonyms, request.includeDocumentation));
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, errorCode) {
    return {
      throttleTimeMs: 0,
      results: request.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })),
    };
  },
});

function describeResource(rctx: RequestContext, resource: DescribeConfigsResource, includeSynonyms: boolean, includeDocumentation: boolean): DescribeConfigsResultInit {
  const ctx = rctx.broker;
  const { resourceType, resourceName } = resource;
  const fail = (errorCode: number, detail: string): DescribeConfigsResultInit => {
    reportRejection(rctx, 'DescribeConfigs', { ...(resourceType === ResourceType.TOPIC ? { topic: resourceName } : {}), errorCode, detail });
    return { errorCode, errorMessage: detail, resourceType, resourceName, configs: [] };
  };
  let described: DescribedConfig[];
  if (resourceType === ResourceType.TOPIC && !allowedOnTopic(rctx, Op.DESCRIBE_CONFIGS, resourceName)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
  if ((resourceType === ResourceType.BROKER || resourceType === ResourceType.BROKER_LOGGER) && !allowedOnCluster(rctx, Op.DESCRIBE_CONFIGS)) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Authorization failed.');
  if (resourceType === ResourceType.TOPIC) {
    const topic = visibleTopic(ctx, resourceName);
    if (topic === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${resourceName}' does not exist`);
    described = describeTopicConfigs(ctx.config, topic.configs);
  } else if (resourceType === ResourceType.BROKER) {
    if (!isThisBroker(rctx, resourceName)) return fail(ErrorCode.INVALID_REQUEST, `this is broker ${ctx.config.nodeId}, not '${resourceName}'`);
    described = describeBrokerConfigs(ctx.config);
  } else {
    return fail(ErrorCode.INVALID_REQUEST, `resource type ${resourceType} is not supported`);
  }
  const keys = resource.configurationKeys;
  if (keys !== null) described = described.filter((c) => keys.includes(c.name));
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    resourceType,
    resourceName,
    configs: described.map((c) => ({
      name: c.name,
      value: c.value,
      readOnly: c.readOnly,
      isDefault: c.source === 5,
      configSource: c.source,
      isSensitive: false,
      synonyms: includeSynonyms ? c.synonyms : [],
      configType: c.configType,
      documentation: includeDocumentation ? c.documentation : null,
    })),
  };
}
