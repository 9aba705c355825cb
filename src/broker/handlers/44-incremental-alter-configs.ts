import { ErrorCode } from '../../protocol/errors.js';
import type { IncrementalAlterConfigsAlterableConfig } from '../../protocol/messages/index.js';
import { alterConfigsDenied, alterTopicConfigs, rejectNonTopicResource, ResourceType, type ResourceOutcome } from '../config-resources.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { describeTopicConfigs, topicConfigDef } from '../topic-configs.js';
import { visibleTopic } from '../topics.js';

/** IncrementalAlterConfigs operations (KIP-339). */
const Op = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

/**
 * IncrementalAlterConfigs v0-1 for topics: SET and DELETE any known setting, APPEND and SUBTRACT
 * for list settings (cleanup.policy). Broker settings are static.
 */
export const incrementalAlterConfigsHandler = defineHandler({
  apiKey: 44,
  minVersion: 0,
  maxVersion: 1,
  async handle(rctx, request) {
    const responses = [];
    for (const r of request.resources) {
      let outcome: ResourceOutcome;
      const denied = alterConfigsDenied(rctx, 'IncrementalAlterConfigs', r.resourceType, r.resourceName);
      if (denied !== null) {
        outcome = denied;
      } else if (r.resourceType === ResourceType.TOPIC) {
        const changes = computeChanges(rctx, r.resourceName, r.configs);
        outcome = isOutcome(changes) ? changes : await alterTopicConfigs(rctx, 'IncrementalAlterConfigs', r.resourceName, changes, request.validateOnly);
      } else {
        outcome = rejectNonTopicResource(rctx, 'IncrementalAlterConfigs', r.resourceType, r.resourceName);
      }
      responses.push({ ...outcome, resourceType: r.resourceType, resourceName: r.resourceName });
    }
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, responses: request.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })) };
  },
});

function computeChanges(rctx: RequestContext, topicName: string, ops: IncrementalAlterConfigsAlterableConfig[]): Record<string, string | null> | ResourceOutcome {
  const fail = (errorCode: number, detail: string): ResourceOutcome => {
    reportRejection(rctx, 'IncrementalAlterConfigs', { topic: topicName, errorCode, detail });
    return { errorCode, errorMessage: detail };
  };
  const topic = visibleTopic(rctx.broker, topicName);
  const effective = new Map((topic === undefined ? [] : describeTopicConfigs(rctx.broker.config, topic.configs)).map((c) => [c.name, c.value ?? '']));
  const changes: Record<string, string | null> = {};
  for (const op of ops) {
    if (op.name in changes) return fail(ErrorCode.INVALID_REQUEST, `config '${op.name}' appears more than once`);
    switch (op.configOperation) {
      case Op.SET:
        changes[op.name] = op.value;
        break;
      case Op.DELETE:
        changes[op.name] = null;
        break;
      case Op.APPEND:
      case Op.SUBTRACT: {
        if (topicConfigDef(op.name)?.kind !== 'list') return fail(ErrorCode.INVALID_CONFIG, `'${op.name}' is not a list setting`);
        const items = (effective.get(op.name) ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
        const given = (op.value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
        const next = op.configOperation === Op.APPEND
          ? [...items, ...given.filter((g) => !items.includes(g))]
          : items.filter((i) => !given.includes(i));
        changes[op.name] = next.join(',');
        break;
      }
      default:
        return fail(ErrorCode.INVALID_REQUEST, `unknown config operation ${op.configOperation}`);
    }
  }
  return changes;
}

function isOutcome(v: Record<string, string | null> | ResourceOutcome): v is ResourceOutcome {
  return typeof (v as ResourceOutcome).errorCode === 'number';
}
