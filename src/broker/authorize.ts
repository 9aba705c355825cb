import { AclOperation, ResourceType } from './security/authorizer.js';
import type { RequestContext } from './handler.js';

export { AclOperation as Op, ResourceType as Resource };

/** The one cluster resource's name, as in Kafka. */
export const CLUSTER_NAME = 'kafka-cluster';

/** The operations each resource type supports (Kafka's AclEntry.supportedOperations), for authorized-operations bit fields. */
const SUPPORTED_OPERATIONS: Readonly<Record<number, readonly number[]>> = {
  [ResourceType.TOPIC]: [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
  [ResourceType.GROUP]: [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE],
  [ResourceType.CLUSTER]: [AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
};

const ALL_BITS = new Map(Object.entries(SUPPORTED_OPERATIONS).map(([type, ops]) => [Number(type), ops.reduce((bits, op) => bits | (1 << op), 0)]));

/** The address ACL hosts are compared with: IPv4 clients on a dual-stack socket show as ::ffff:a.b.c.d. */
function clientHost(remoteAddress: string): string {
  return remoteAddress.startsWith('::ffff:') && remoteAddress.includes('.') ? remoteAddress.slice(7) : remoteAddress;
}

/**
 * May this request's principal, from its host, do `operation` on the resource? Always true when
 * no authorizer is configured (one null check: the produce and fetch paths pay nothing more).
 * A denial is logged, as Kafka's authorizer logger does, unless `logIfDenied` is false (requests
 * that only filter what they show: all-topic Metadata, ListGroups).
 */
export function allowed(rctx: RequestContext, operation: number, resourceType: number, resourceName: string, logIfDenied = true): boolean {
  const acls = rctx.broker.acls;
  if (acls === null) return true;
  const { principal, remoteAddress } = rctx.connection;
  const host = clientHost(remoteAddress);
  const ok = acls.authorizer.authorize({ principal, host, operation, resourceType, resourceName });
  if (!ok && logIfDenied) {
    rctx.broker.log.info('authorization denied', {
      principal,
      host,
      operation: operationName(operation),
      resource: `${resourceTypeName(resourceType)}:${resourceName}`,
      api: rctx.header.apiKey,
      clientId: rctx.header.clientId,
    });
  }
  return ok;
}

export const allowedOnTopic = (rctx: RequestContext, operation: number, topic: string, logIfDenied = true): boolean => allowed(rctx, operation, ResourceType.TOPIC, topic, logIfDenied);
export const allowedOnGroup = (rctx: RequestContext, operation: number, group: string, logIfDenied = true): boolean => allowed(rctx, operation, ResourceType.GROUP, group, logIfDenied);
export const allowedOnCluster = (rctx: RequestContext, operation: number, logIfDenied = true): boolean => allowed(rctx, operation, ResourceType.CLUSTER, CLUSTER_NAME, logIfDenied);
export const allowedOnTransactionalId = (rctx: RequestContext, operation: number, id: string): boolean => allowed(rctx, operation, ResourceType.TRANSACTIONAL_ID, id);

/** Kafka's authorizeByResourceType: `operation` on at least one resource of the type (KIP-679). */
export function allowedOnAnyOfType(rctx: RequestContext, operation: number, resourceType: number): boolean {
  const acls = rctx.broker.acls;
  if (acls === null) return true;
  return acls.authorizer.authorizeByResourceType(rctx.connection.principal, clientHost(rctx.connection.remoteAddress), operation, resourceType);
}

/** The authorized-operations bit field of one resource: every supported operation the principal may do on it. */
export function authorizedOperations(rctx: RequestContext, resourceType: number, resourceName: string): number {
  const acls = rctx.broker.acls;
  const ops = SUPPORTED_OPERATIONS[resourceType] ?? [];
  if (acls === null) return ALL_BITS.get(resourceType) ?? 0;
  return acls.authorizer.authorizedOperations(rctx.connection.principal, clientHost(rctx.connection.remoteAddress), resourceType, resourceName, ops);
}

const OPERATION_NAMES = Object.fromEntries(Object.entries(AclOperation).map(([name, code]) => [code, name])) as Record<number, string>;
const RESOURCE_TYPE_NAMES = Object.fromEntries(Object.entries(ResourceType).map(([name, code]) => [code, name])) as Record<number, string>;

export const operationName = (code: number): string => OPERATION_NAMES[code] ?? `UNKNOWN(${code})`;
export const resourceTypeName = (code: number): string => RESOURCE_TYPE_NAMES[code] ?? `UNKNOWN(${code})`;

/** Kafka's CreateTopics (and Metadata auto-creation) rule: CREATE on the cluster, or else on the topic. */
export function mayCreateTopic(rctx: RequestContext, topic: string): boolean {
  return allowedOnCluster(rctx, AclOperation.CREATE, false) || allowedOnTopic(rctx, AclOperation.CREATE, topic);
}
