import type { DescribeAclsRequest } from '../protocol/messages/29-describe-acls.js';
import { AclOperation, PatternType, PermissionType, ResourceType, type AclBinding, type AclBindingFilter } from './security/authorizer.js';

/**
 * The filter fields DescribeAcls and DeleteAcls share: a DescribeAcls request is one filter, and
 * each of DeleteAcls' filters has the same fields (DeleteAclsFilter).
 */
export type WireAclFilter = DescribeAclsRequest;

const inRange = (code: number, max: number): boolean => Number.isInteger(code) && code >= 1 && code <= max;

/** Why Kafka would refuse this filter (INVALID_REQUEST), or null: UNKNOWN or unheard-of codes. */
export function invalidFilter(f: WireAclFilter): string | null {
  if (!inRange(f.resourceTypeFilter, ResourceType.USER)) return `resource type ${f.resourceTypeFilter} is not a filter value`;
  if (!inRange(f.patternTypeFilter, PatternType.PREFIXED)) return `pattern type ${f.patternTypeFilter} is not a filter value`;
  if (!inRange(f.operation, AclOperation.DESCRIBE_TOKENS)) return `operation ${f.operation} is not a filter value`;
  if (!inRange(f.permissionType, PermissionType.ALLOW)) return `permission type ${f.permissionType} is not a filter value`;
  return null;
}

export function toFilter(f: WireAclFilter): AclBindingFilter {
  return {
    resourceType: f.resourceTypeFilter,
    resourceName: f.resourceNameFilter,
    patternType: f.patternTypeFilter,
    principal: f.principalFilter,
    host: f.hostFilter,
    operation: f.operation,
    permissionType: f.permissionType,
  };
}

/** Bindings grouped by resource pattern, in a stable order (DescribeAcls' response shape). */
export function groupByResource(bindings: readonly AclBinding[]): Array<{ resourceType: number; resourceName: string; patternType: number; acls: Array<{ principal: string; host: string; operation: number; permissionType: number }> }> {
  const groups = new Map<string, { resourceType: number; resourceName: string; patternType: number; acls: Array<{ principal: string; host: string; operation: number; permissionType: number }> }>();
  const sorted = [...bindings].sort(
    (a, b) => a.resourceType - b.resourceType || a.resourceName.localeCompare(b.resourceName) || a.patternType - b.patternType || a.principal.localeCompare(b.principal) || a.host.localeCompare(b.host) || a.operation - b.operation || a.permissionType - b.permissionType,
  );
  for (const b of sorted) {
    const key = `${b.resourceType}\u0000${b.patternType}\u0000${b.resourceName}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] }));
    g.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
  }
  return [...groups.values()];
}

/** Kafka's message when ACL APIs reach a broker without an authorizer. */
export const NO_AUTHORIZER = 'No Authorizer is configured.';
