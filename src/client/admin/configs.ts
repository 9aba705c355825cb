import type { Cluster, RequestTarget } from '../net/cluster.js';
import { KafkaConfigError } from '../errors.js';
import { groupBy, retryItems, type ItemOutcome } from './retry-items.js';
import type { AlterConfigOp, AlterConfigResource, ConfigEntry, ConfigResourceDescription, ConfigResourceType, ConfigSource } from './types.js';

/** ConfigResource.Type wire values. */
const RESOURCE_TYPES: Record<ConfigResourceType, number> = { topic: 2, broker: 4 };
const SOURCES: ConfigSource[] = [
  'UNKNOWN', 'DYNAMIC_TOPIC_CONFIG', 'DYNAMIC_BROKER_CONFIG', 'DYNAMIC_DEFAULT_BROKER_CONFIG', 'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG', 'DYNAMIC_BROKER_LOGGER_CONFIG', 'CLIENT_METRICS_CONFIG', 'GROUP_CONFIG',
];
const OPS: Record<AlterConfigOp, number> = { set: 0, delete: 1, append: 2, subtract: 3 };

interface Resource {
  type: ConfigResourceType;
  name: string;
}

const keyOf = (r: Resource) => `${r.type}:${r.name}`;

/**
 * Broker resources must be asked of that broker; topic resources of any broker (the Java admin
 * sends them to the least-loaded node).
 */
function targetOf(r: Resource): RequestTarget {
  if (r.type !== 'broker') return 'any';
  const id = Number(r.name);
  if (!Number.isInteger(id) || id < 0) throw new KafkaConfigError(`a broker config resource is named by its node id, got "${r.name}"`);
  return id;
}

function checkType(r: Resource): void {
  if (!(r.type in RESOURCE_TYPES)) throw new KafkaConfigError(`config resource type must be 'topic' or 'broker', got ${JSON.stringify(r.type)}`);
}

export interface DescribeConfigsOptions {
  resources: Array<Resource & { configNames?: string[] }>;
}

export async function describeConfigs(cluster: Cluster, o: DescribeConfigsOptions): Promise<ConfigResourceDescription[]> {
  o.resources.forEach(checkType);
  return retryItems<DescribeConfigsOptions['resources'][number], ConfigResourceDescription>(cluster, o.resources, keyOf, async (pending) => {
    const out = new Map<string, ItemOutcome<ConfigResourceDescription>>();
    const byTarget = groupBy(pending, (r) => (r.type === 'broker' ? Number(r.name) : -1));
    await Promise.all([...byTarget.values()].map(async (list) => {
      const { version, response } = await cluster.request(targetOf(list[0]!), 32, {
        resources: list.map((r) => ({ resourceType: RESOURCE_TYPES[r.type], resourceName: r.name, configurationKeys: r.configNames ?? null })),
        includeSynonyms: false,
      });
      for (const res of response.results) {
        const type: ConfigResourceType = res.resourceType === RESOURCE_TYPES.broker ? 'broker' : 'topic';
        const configs: ConfigEntry[] = res.configs.map((c) => {
          const source = version >= 1 ? SOURCES[c.configSource] ?? 'UNKNOWN' : c.isDefault ? 'DEFAULT_CONFIG' : 'UNKNOWN';
          return { name: c.name, value: c.value, readOnly: c.readOnly, isDefault: version >= 1 ? source === 'DEFAULT_CONFIG' : c.isDefault, source, isSensitive: c.isSensitive };
        });
        out.set(keyOf({ type, name: res.resourceName }), { code: res.errorCode, detail: res.errorMessage, result: { type, name: res.resourceName, configs } });
      }
    }));
    return out;
  }, (r) => ({ api: 'DescribeConfigs', topic: r.type === 'topic' ? r.name : undefined, broker: r.type === 'broker' ? r.name : undefined }));
}

/** IncrementalAlterConfigs (KIP-339): only the named configs change; `op` defaults to `set`. */
export async function alterConfigs(cluster: Cluster, o: { resources: AlterConfigResource[]; validateOnly?: boolean }): Promise<void> {
  o.resources.forEach(checkType);
  for (const r of o.resources) {
    for (const c of r.configs) {
      if (c.op !== undefined && !(c.op in OPS)) throw new KafkaConfigError(`config op must be set, delete, append or subtract, got ${JSON.stringify(c.op)}`);
    }
  }
  await retryItems<AlterConfigResource, null>(cluster, o.resources, keyOf, async (pending) => {
    const out = new Map<string, ItemOutcome<null>>();
    const byTarget = groupBy(pending, (r) => (r.type === 'broker' ? Number(r.name) : -1));
    await Promise.all([...byTarget.values()].map(async (list) => {
      const { response } = await cluster.request(targetOf(list[0]!), 44, {
        resources: list.map((r) => ({
          resourceType: RESOURCE_TYPES[r.type],
          resourceName: r.name,
          configs: r.configs.map((c) => ({ name: c.name, configOperation: OPS[c.op ?? 'set'], value: c.value ?? null })),
        })),
        validateOnly: o.validateOnly ?? false,
      });
      for (const res of response.responses) {
        const type: ConfigResourceType = res.resourceType === RESOURCE_TYPES.broker ? 'broker' : 'topic';
        out.set(keyOf({ type, name: res.resourceName }), { code: res.errorCode, detail: res.errorMessage, result: null });
      }
    }));
    return out;
  }, (r) => ({ api: 'IncrementalAlterConfigs', topic: r.type === 'topic' ? r.name : undefined, broker: r.type === 'broker' ? r.name : undefined }));
  for (const r of o.resources) if (r.type === 'topic') cluster.invalidateTopic(r.name);
}
