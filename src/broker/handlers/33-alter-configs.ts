import { alterConfigsDenied, alterTopicConfigs, rejectNonTopicResource, ResourceType, type ResourceOutcome } from '../config-resources.js';
import { defineHandler } from '../handler.js';
import { visibleTopic } from '../topics.js';

/**
 * AlterConfigs v0-2: replaces the whole set of a topic's overrides (settings not named go back to
 * the broker's value), as Kafka's non-incremental API does. Broker settings are static.
 */
export const alterConfigsHandler = defineHandler({
  apiKey: 33,
  minVersion: 0,
  maxVersion: 2,
  async handle(rctx, request) {
    const responses = [];
    for (const r of request.resources) {
      let outcome: ResourceOutcome;
      const denied = alterConfigsDenied(rctx, 'AlterConfigs', r.resourceType, r.resourceName);
      if (denied !== null) {
        outcome = denied;
      } else if (r.resourceType === ResourceType.TOPIC) {
        const current = visibleTopic(rctx.broker, r.resourceName)?.configs ?? {};
        const changes: Record<string, string | null> = {};
        for (const name of Object.keys(current)) changes[name] = null;
        for (const c of r.configs) changes[c.name] = c.value;
        outcome = await alterTopicConfigs(rctx, 'AlterConfigs', r.resourceName, changes, request.validateOnly);
      } else {
        outcome = rejectNonTopicResource(rctx, 'AlterConfigs', r.resourceType, r.resourceName);
      }
      responses.push({ ...outcome, resourceType: r.resourceType, resourceName: r.resourceName });
    }
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, responses: request.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })) };
  },
});
