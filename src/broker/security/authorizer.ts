/**
 * Kafka's ACL model and its standard authorizer's decision rules (AclAuthorizer /
 * StandardAuthorizer), pure: no I/O, no clock. Codes are Kafka's wire values, so bindings map
 * one-to-one to CreateAcls / DescribeAcls / DeleteAcls.
 */

export const ResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;
export const PermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** Kafka's name for the wildcard resource (`*`) and principal (`User:*`). */
export const WILDCARD_RESOURCE = '*';
export const WILDCARD_PRINCIPAL = 'User:*';
export const WILDCARD_HOST = '*';

/** One ACL: a rule on a resource pattern. */
export interface AclBinding {
  readonly resourceType: number;
  readonly resourceName: string;
  /** LITERAL or PREFIXED. */
  readonly patternType: number;
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  readonly permissionType: number;
}

/** A DescribeAcls / DeleteAcls filter: null fields and ANY codes match everything. */
export interface AclBindingFilter {
  readonly resourceType: number;
  readonly resourceName: string | null;
  /** ANY, MATCH, LITERAL or PREFIXED. */
  readonly patternType: number;
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: number;
  readonly permissionType: number;
}

/**
 * Operations an ALLOW grant implies (Kafka's rule): READ, WRITE, DELETE and ALTER imply DESCRIBE;
 * ALTER_CONFIGS implies DESCRIBE_CONFIGS; ALL implies everything. Deny rules imply nothing beyond
 * their own operation (and ALL).
 */
function allowedBy(operation: number): readonly number[] {
  if (operation === AclOperation.DESCRIBE) return [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.ALL];
  if (operation === AclOperation.DESCRIBE_CONFIGS) return [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.ALL];
  return [operation, AclOperation.ALL];
}

/** Why a binding cannot be stored (CreateAcls answers INVALID_REQUEST with it), or null. */
export function invalidBinding(b: AclBinding): string | null {
  if (![ResourceType.TOPIC, ResourceType.GROUP, ResourceType.CLUSTER, ResourceType.TRANSACTIONAL_ID, ResourceType.DELEGATION_TOKEN, ResourceType.USER].includes(b.resourceType as 2)) return `resource type ${b.resourceType} cannot hold ACLs`;
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) return `pattern type ${b.patternType} is not LITERAL or PREFIXED`;
  if (b.operation <= AclOperation.ANY || b.operation > AclOperation.DESCRIBE_TOKENS) return `operation ${b.operation} is not a concrete operation`;
  if (b.permissionType !== PermissionType.ALLOW && b.permissionType !== PermissionType.DENY) return `permission ${b.permissionType} is not ALLOW or DENY`;
  if (b.resourceName === '') return 'resource name must not be empty';
  if (b.resourceType === ResourceType.CLUSTER && b.resourceName !== 'kafka-cluster') return "the cluster resource is named 'kafka-cluster'";
  if (!/^[A-Za-z]+:.+$/.test(b.principal)) return `principal "${b.principal}" is not Type:name`;
  if (b.host === '') return 'host must not be empty (use * for any host)';
  return null;
}

/** True when `binding`'s pattern applies to the resource named `name`. */
function patternApplies(binding: AclBinding, name: string): boolean {
  if (binding.patternType === PatternType.PREFIXED) return name.startsWith(binding.resourceName);
  return binding.resourceName === name || binding.resourceName === WILDCARD_RESOURCE;
}

export function filterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false;
  if (f.principal !== null && f.principal !== b.principal) return false;
  if (f.host !== null && f.host !== b.host) return false;
  if (f.operation !== AclOperation.ANY && f.operation !== b.operation) return false;
  if (f.permissionType !== PermissionType.ANY && f.permissionType !== b.permissionType) return false;
  switch (f.patternType) {
    case PatternType.ANY:
      return f.resourceName === null || f.resourceName === b.resourceName;
    case PatternType.MATCH:
      // Every binding that would apply to the named resource (literal, wildcard or prefix).
      return f.resourceName === null || patternApplies(b, f.resourceName);
    default:
      return f.patternType === b.patternType && (f.resourceName === null || f.resourceName === b.resourceName);
  }
}

export interface AuthorizerOptions {
  /** `super.users`: principals that may do everything. */
  readonly superUsers: readonly string[];
  /** `allow.everyone.if.no.acl.found` (Kafka's default false). */
  readonly allowEveryoneIfNoAclFound: boolean;
}

export interface AuthorizationRequest {
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  readonly resourceType: number;
  readonly resourceName: string;
}

/** Holds the ACLs and answers Kafka's question: may this principal, from this host, do this? */
export class Authorizer {
  private readonly byType = new Map<number, AclBinding[]>();

  constructor(private readonly o: AuthorizerOptions) {}

  get bindings(): AclBinding[] {
    return [...this.byType.values()].flat();
  }

  /** Adds a binding (a duplicate is kept once). */
  add(b: AclBinding): void {
    const list = this.byType.get(b.resourceType) ?? [];
    if (!list.some((x) => sameBinding(x, b))) list.push(b);
    this.byType.set(b.resourceType, list);
  }

  /** Removes and returns every binding the filter matches. */
  remove(f: AclBindingFilter): AclBinding[] {
    const removed: AclBinding[] = [];
    for (const [type, list] of this.byType) {
      const kept = list.filter((b) => (filterMatches(f, b) ? (removed.push(b), false) : true));
      this.byType.set(type, kept);
    }
    return removed;
  }

  describe(f: AclBindingFilter): AclBinding[] {
    return this.bindings.filter((b) => filterMatches(f, b));
  }

  authorize(r: AuthorizationRequest): boolean {
    if (this.o.superUsers.includes(r.principal)) return true;
    const applying = (this.byType.get(r.resourceType) ?? []).filter((b) => patternApplies(b, r.resourceName));
    if (applying.length === 0) return this.o.allowEveryoneIfNoAclFound;
    const forCaller = applying.filter((b) => (b.principal === r.principal || b.principal === WILDCARD_PRINCIPAL) && (b.host === r.host || b.host === WILDCARD_HOST));
    const denied = forCaller.some((b) => b.permissionType === PermissionType.DENY && (b.operation === r.operation || b.operation === AclOperation.ALL));
    if (denied) return false;
    const grants = allowedBy(r.operation);
    return forCaller.some((b) => b.permissionType === PermissionType.ALLOW && grants.includes(b.operation));
  }

  /**
   * Kafka's authorizeByResourceType (KIP-679): may the principal do `operation` on at least one
   * resource of this type? InitProducerId without a transactional id asks it for WRITE on topics.
   * Super users and allow.everyone.if.no.acl.found pass as for a resource no ACL names; otherwise
   * an ALLOW rule for exactly this operation (or ALL) must exist that no DENY rule dominates
   * (a wildcard deny, the same literal, or a prefix of its name).
   */
  authorizeByResourceType(principal: string, host: string, operation: number, resourceType: number): boolean {
    if (this.authorize({ principal, host, operation, resourceType, resourceName: '\u0000no-acl-names-this' })) return true;
    const denyLiteral = new Set<string>();
    const denyPrefixed = new Set<string>();
    const allowLiteral: string[] = [];
    const allowPrefixed: string[] = [];
    for (const b of this.byType.get(resourceType) ?? []) {
      if (b.host !== host && b.host !== WILDCARD_HOST) continue;
      if (b.principal !== principal && b.principal !== WILDCARD_PRINCIPAL) continue;
      if (b.operation !== operation && b.operation !== AclOperation.ALL) continue;
      const prefixed = b.patternType === PatternType.PREFIXED;
      if (b.permissionType === PermissionType.DENY) {
        if (!prefixed && b.resourceName === WILDCARD_RESOURCE) return false;
        (prefixed ? denyPrefixed : denyLiteral).add(b.resourceName);
      } else if (b.permissionType === PermissionType.ALLOW) {
        if (!prefixed && b.resourceName === WILDCARD_RESOURCE) return true;
        (prefixed ? allowPrefixed : allowLiteral).push(b.resourceName);
      }
    }
    const dominatedByPrefix = (name: string): boolean => {
      for (let i = 1; i <= name.length; i++) if (denyPrefixed.has(name.slice(0, i))) return true;
      return false;
    };
    return allowLiteral.some((n) => !denyLiteral.has(n) && !dominatedByPrefix(n)) || allowPrefixed.some((n) => !dominatedByPrefix(n));
  }

  /** The authorized-operations bit field of Metadata / DescribeGroups / DescribeCluster. */
  authorizedOperations(principal: string, host: string, resourceType: number, resourceName: string, operations: readonly number[]): number {
    let bits = 0;
    for (const operation of operations) if (this.authorize({ principal, host, operation, resourceType, resourceName })) bits |= 1 << operation;
    return bits;
  }
}

function sameBinding(a: AclBinding, b: AclBinding): boolean {
  return a.resourceType === b.resourceType && a.resourceName === b.resourceName && a.patternType === b.patternType && a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permissionType === b.permissionType;
}
