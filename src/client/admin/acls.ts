import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../errors.js';
import type { Cluster } from '../net/cluster.js';

/**
 * ACLs through CreateAcls / DescribeAcls / DeleteAcls, named as kafka-acls.sh names them. The
 * codes are Kafka's wire values (AclOperation, ResourceType, PatternType, AclPermissionType).
 */
export const ACL_RESOURCE_TYPES = { any: 1, topic: 2, group: 3, cluster: 4, 'transactional-id': 5, 'delegation-token': 6, user: 7 } as const;
export const ACL_PATTERN_TYPES = { any: 1, match: 2, literal: 3, prefixed: 4 } as const;
export const ACL_OPERATIONS = {
  any: 1,
  all: 2,
  read: 3,
  write: 4,
  create: 5,
  delete: 6,
  alter: 7,
  describe: 8,
  'cluster-action': 9,
  'describe-configs': 10,
  'alter-configs': 11,
  'idempotent-write': 12,
  'create-tokens': 13,
  'describe-tokens': 14,
} as const;
export const ACL_PERMISSIONS = { any: 1, deny: 2, allow: 3 } as const;

export type AclResourceType = Exclude<keyof typeof ACL_RESOURCE_TYPES, 'any'>;
export type AclPatternType = 'literal' | 'prefixed';
export type AclOperationName = Exclude<keyof typeof ACL_OPERATIONS, 'any'>;
export type AclPermission = 'allow' | 'deny';

/** One ACL: `principal` (e.g. `User:alice`) from `host` (`*` for any) is allowed or denied `operation` on the resource pattern. */
export interface AclBinding {
  resourceType: AclResourceType;
  /** The cluster resource is named `kafka-cluster`; `*` is every resource of the type. */
  resourceName: string;
  patternType: AclPatternType;
  principal: string;
  host: string;
  operation: AclOperationName;
  permission: AclPermission;
}

/** Selects ACLs: an omitted field matches anything; patternType 'match' finds every ACL that applies to `resourceName`. */
export interface AclFilter {
  resourceType?: AclResourceType | 'any';
  resourceName?: string;
  patternType?: AclPatternType | 'any' | 'match';
  principal?: string;
  host?: string;
  operation?: AclOperationName | 'any';
  permission?: AclPermission | 'any';
}

function code<T extends Record<string, number>>(table: T, name: string, what: string): number {
  const c = table[name];
  if (c === undefined) throw new TypeError(`unknown ACL ${what} '${name}': use one of ${Object.keys(table).join(', ')}`);
  return c;
}

function nameOf<T extends Record<string, number>>(table: T, value: number): keyof T {
  const found = Object.entries(table).find(([, c]) => c === value);
  return (found?.[0] ?? 'unknown') as keyof T;
}

function wireFilter(f: AclFilter) {
  return {
    resourceTypeFilter: code(ACL_RESOURCE_TYPES, f.resourceType ?? 'any', 'resource type'),
    resourceNameFilter: f.resourceName ?? null,
    patternTypeFilter: code(ACL_PATTERN_TYPES, f.patternType ?? 'any', 'pattern type'),
    principalFilter: f.principal ?? null,
    hostFilter: f.host ?? null,
    operation: code(ACL_OPERATIONS, f.operation ?? 'any', 'operation'),
    permissionType: code(ACL_PERMISSIONS, f.permission ?? 'any', 'permission'),
  };
}

function fromWire(b: { resourceType: number; resourceName: string; patternType: number; principal: string; host: string; operation: number; permissionType: number }): AclBinding {
  return {
    resourceType: nameOf(ACL_RESOURCE_TYPES, b.resourceType) as AclResourceType,
    resourceName: b.resourceName,
    patternType: nameOf(ACL_PATTERN_TYPES, b.patternType) as AclPatternType,
    principal: b.principal,
    host: b.host,
    operation: nameOf(ACL_OPERATIONS, b.operation) as AclOperationName,
    permission: nameOf(ACL_PERMISSIONS, b.permissionType) as AclPermission,
  };
}

/** PREFIXED patterns and MATCH/ANY filters need v1 (KIP-290); v0 brokers know literal ACLs only. */
function needsV1(patternType: number): boolean {
  return patternType !== ACL_PATTERN_TYPES.literal;
}

function v0Refusal(api: string): KafkaError {
  return new KafkaError(ErrorCode.UNSUPPORTED_VERSION, { api }, `UNSUPPORTED_VERSION (35): the broker supports only ${api} v0, which has no prefixed ACLs or pattern filters`);
}

/** CreateAcls to any broker; the first refused binding fails the call (the others may be stored). */
export async function createAcls(cluster: Cluster, acls: AclBinding[]): Promise<void> {
  if (acls.length === 0) return;
  const creations = acls.map((a) => ({
    resourceType: code(ACL_RESOURCE_TYPES, a.resourceType, 'resource type'),
    resourceName: a.resourceName,
    resourcePatternType: code(ACL_PATTERN_TYPES, a.patternType, 'pattern type'),
    principal: a.principal,
    host: a.host,
    operation: code(ACL_OPERATIONS, a.operation, 'operation'),
    permissionType: code(ACL_PERMISSIONS, a.permission, 'permission'),
  }));
  await cluster.retry(async () => {
    // Checked before sending: a v0 request cannot carry the pattern type (it would store a literal ACL).
    const { response } = await cluster.request('any', 30, (version) => {
      if (version === 0 && creations.some((c) => needsV1(c.resourcePatternType))) throw v0Refusal('CreateAcls');
      return { creations };
    });
    response.results.forEach((r, i) => {
      if (r.errorCode !== ErrorCode.NONE) throw new KafkaError(r.errorCode, { api: 'CreateAcls', detail: `${describeBinding(acls[i]!)}${r.errorMessage ? `: ${r.errorMessage}` : ''}` });
    });
  });
}

/** DescribeAcls to any broker: every ACL the filter matches. */
export async function describeAcls(cluster: Cluster, filter: AclFilter = {}): Promise<AclBinding[]> {
  const body = wireFilter(filter);
  return cluster.retry(async () => {
    const { response } = await cluster.request('any', 29, (version) => {
      if (version === 0 && needsV1(body.patternTypeFilter)) throw v0Refusal('DescribeAcls');
      return body;
    });
    if (response.errorCode !== ErrorCode.NONE) throw new KafkaError(response.errorCode, { api: 'DescribeAcls', ...(response.errorMessage ? { detail: response.errorMessage } : {}) });
    return response.resources.flatMap((r) => r.acls.map((a) => fromWire({ ...a, resourceType: r.resourceType, resourceName: r.resourceName, patternType: r.patternType })));
  });
}

/** DeleteAcls to any broker: removes what each filter matches and returns the ACLs removed. */
export async function deleteAcls(cluster: Cluster, filters: AclFilter[]): Promise<AclBinding[]> {
  if (filters.length === 0) return [];
  const wire = filters.map(wireFilter);
  return cluster.retry(async () => {
    const { response } = await cluster.request('any', 31, (version) => {
      if (version === 0 && wire.some((f) => needsV1(f.patternTypeFilter))) throw v0Refusal('DeleteAcls');
      return { filters: wire };
    });
    const deleted: AclBinding[] = [];
    for (const r of response.filterResults) {
      if (r.errorCode !== ErrorCode.NONE) throw new KafkaError(r.errorCode, { api: 'DeleteAcls', ...(r.errorMessage ? { detail: r.errorMessage } : {}) });
      for (const m of r.matchingAcls) {
        if (m.errorCode !== ErrorCode.NONE) throw new KafkaError(m.errorCode, { api: 'DeleteAcls', ...(m.errorMessage ? { detail: m.errorMessage } : {}) });
        deleted.push(fromWire(m));
      }
    }
    return deleted;
  });
}

/** `ALLOW User:alice from * READ on topic:LITERAL:orders`, as kafka-acls prints a rule. */
export function describeBinding(a: AclBinding): string {
  return `${a.permission.toUpperCase()} ${a.principal} from ${a.host} ${a.operation.toUpperCase()} on ${a.resourceType}:${a.patternType.toUpperCase()}:${a.resourceName}`;
}
