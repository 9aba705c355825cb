import type { AclBinding, AclFilter, AclOperationName, AclPatternType, AclResourceType } from '../../client/admin/index.js';
import { UsageError } from '../context.js';

/** kafka-acls.sh options, as `samsa acls` takes them. */
export interface AclFlags {
  allowPrincipal?: string[];
  denyPrincipal?: string[];
  principal?: string[];
  operation?: string[];
  topic?: string[];
  group?: string[];
  transactionalId?: string[];
  cluster?: boolean;
  resourcePatternType?: string;
  host?: string[];
  producer?: boolean;
  consumer?: boolean;
}

const OPERATIONS: Record<string, AclOperationName> = {
  all: 'all',
  read: 'read',
  write: 'write',
  create: 'create',
  delete: 'delete',
  alter: 'alter',
  describe: 'describe',
  clusteraction: 'cluster-action',
  describeconfigs: 'describe-configs',
  alterconfigs: 'alter-configs',
  idempotentwrite: 'idempotent-write',
};

/** `Read`, `read`, `DescribeConfigs`, `describe-configs`, `DESCRIBE_CONFIGS` all name the same operation. */
export function parseOperation(value: string): AclOperationName {
  const op = OPERATIONS[value.toLowerCase().replace(/[-_]/g, '')];
  if (op === undefined) throw new UsageError(`unknown operation "${value}": use one of All, Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite`);
  return op;
}

function checkPrincipal(p: string): string {
  if (!/^[A-Za-z]+:.+$/.test(p)) throw new UsageError(`"${p}" is not a principal: write Type:name, e.g. User:alice (User:* for everyone)`);
  return p;
}

interface Resource {
  resourceType: AclResourceType;
  resourceName: string;
}

function resources(f: AclFlags): Resource[] {
  return [
    ...(f.topic ?? []).map((resourceName) => ({ resourceType: 'topic' as const, resourceName })),
    ...(f.group ?? []).map((resourceName) => ({ resourceType: 'group' as const, resourceName })),
    ...(f.transactionalId ?? []).map((resourceName) => ({ resourceType: 'transactional-id' as const, resourceName })),
    ...(f.cluster ? [{ resourceType: 'cluster' as const, resourceName: 'kafka-cluster' }] : []),
  ];
}

/**
 * The operations per resource: --operation for every resource, or kafka-acls' shortcuts:
 * --producer (WRITE, DESCRIBE, CREATE on topics; WRITE, DESCRIBE on transactional ids) and
 * --consumer (READ, DESCRIBE on topics; READ on groups).
 */
function operationsFor(f: AclFlags, r: Resource): AclOperationName[] {
  const ops = new Set<AclOperationName>((f.operation ?? []).map(parseOperation));
  if (f.producer && r.resourceType === 'topic') ['write', 'describe', 'create'].forEach((o) => ops.add(o as AclOperationName));
  if (f.producer && r.resourceType === 'transactional-id') ['write', 'describe'].forEach((o) => ops.add(o as AclOperationName));
  if (f.consumer && r.resourceType === 'topic') ['read', 'describe'].forEach((o) => ops.add(o as AclOperationName));
  if (f.consumer && r.resourceType === 'group') ops.add('read');
  return [...ops];
}

function patternType(f: AclFlags, allowed: readonly string[]): string {
  const p = (f.resourcePatternType ?? 'literal').toLowerCase();
  if (!allowed.includes(p)) throw new UsageError(`--resource-pattern-type must be ${allowed.join(', ')} here, got "${f.resourcePatternType}"`);
  return p;
}

/** `samsa acls add`: one binding per principal × host × resource × operation. */
export function bindingsToAdd(f: AclFlags): AclBinding[] {
  const allow = (f.allowPrincipal ?? []).map(checkPrincipal);
  const deny = (f.denyPrincipal ?? []).map(checkPrincipal);
  if (allow.length + deny.length === 0) throw new UsageError('give --allow-principal or --deny-principal');
  const rs = resources(f);
  if (rs.length === 0) throw new UsageError('give a resource: --topic, --group, --transactional-id or --cluster');
  const pattern = patternType(f, ['literal', 'prefixed']) as AclPatternType;
  const hosts = f.host ?? ['*'];
  const out: AclBinding[] = [];
  for (const r of rs) {
    const ops = operationsFor(f, r);
    if (ops.length === 0) throw new UsageError(`no operation for ${r.resourceType} ${r.resourceName}: give --operation (or --producer / --consumer)`);
    if (r.resourceType === 'cluster' && pattern !== 'literal') throw new UsageError('the cluster resource takes literal patterns only');
    for (const [permission, principals] of [['allow', allow], ['deny', deny]] as const) {
      for (const principal of principals) for (const host of hosts) for (const operation of ops) out.push({ ...r, patternType: pattern, principal, host, operation, permission });
    }
  }
  return out;
}

/**
 * Filters for `samsa acls remove` and `list`: per resource (or every resource when none is
 * named), narrowed by principals, hosts and operations when given.
 */
export function filtersFor(f: AclFlags, mode: 'remove' | 'list'): AclFilter[] {
  const pattern = patternType(f, mode === 'list' ? ['literal', 'prefixed', 'any', 'match'] : ['literal', 'prefixed', 'any']) as AclFilter['patternType'];
  const rs: Array<Partial<Resource>> = resources(f);
  if (rs.length === 0) {
    if (mode === 'remove') throw new UsageError('give the resource whose ACLs to remove: --topic, --group, --transactional-id or --cluster');
    rs.push({});
  }
  const principals: Array<{ principal?: string; permission?: 'allow' | 'deny' }> = [
    ...(f.allowPrincipal ?? []).map((p) => ({ principal: checkPrincipal(p), permission: 'allow' as const })),
    ...(f.denyPrincipal ?? []).map((p) => ({ principal: checkPrincipal(p), permission: 'deny' as const })),
    ...(f.principal ?? []).map((p) => ({ principal: checkPrincipal(p) })),
  ];
  if (principals.length === 0) principals.push({});
  const hosts: Array<string | undefined> = f.host ?? [undefined];
  const out: AclFilter[] = [];
  for (const r of rs) {
    const ops: Array<AclOperationName | undefined> = r.resourceType === undefined ? (f.operation ?? []).map(parseOperation) : operationsFor(f, r as Resource);
    if (ops.length === 0) ops.push(undefined);
    for (const p of principals) {
      for (const host of hosts) {
        for (const operation of ops) {
          out.push({
            ...(r.resourceType !== undefined ? { resourceType: r.resourceType, resourceName: r.resourceName!, patternType: pattern } : f.resourcePatternType !== undefined ? { patternType: pattern } : {}),
            ...p,
            ...(host !== undefined ? { host } : {}),
            ...(operation !== undefined ? { operation } : {}),
          });
        }
      }
    }
  }
  return out;
}
