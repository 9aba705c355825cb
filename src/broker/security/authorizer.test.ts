import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AclOperation as Op, Authorizer, invalidBinding, PatternType, PermissionType, ResourceType, type AclBinding } from './authorizer.js';

const acl = (over: Partial<AclBinding>): AclBinding => ({
  resourceType: ResourceType.TOPIC,
  resourceName: 'orders',
  patternType: PatternType.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: Op.READ,
  permissionType: PermissionType.ALLOW,
  ...over,
});
const can = (a: Authorizer, principal: string, operation: number, resourceName = 'orders', resourceType: number = ResourceType.TOPIC, host = '10.0.0.1'): boolean =>
  a.authorize({ principal, host, operation, resourceType, resourceName });

test('no ACL on a resource: allow.everyone.if.no.acl.found decides; super users always may', () => {
  const strict = new Authorizer({ superUsers: ['User:admin'], allowEveryoneIfNoAclFound: false });
  assert.ok(!can(strict, 'User:alice', Op.READ));
  assert.ok(can(strict, 'User:admin', Op.DELETE));
  const open = new Authorizer({ superUsers: [], allowEveryoneIfNoAclFound: true });
  assert.ok(can(open, 'User:alice', Op.WRITE));
  open.add(acl({ principal: 'User:bob' }));
  assert.ok(!can(open, 'User:alice', Op.WRITE), 'once a resource has ACLs, only they count');
});

test('implied operations: READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; ALL everything', () => {
  const a = new Authorizer({ superUsers: [], allowEveryoneIfNoAclFound: false });
  a.add(acl({ operation: Op.READ }));
  assert.ok(can(a, 'User:alice', Op.READ));
  assert.ok(can(a, 'User:alice', Op.DESCRIBE));
  assert.ok(!can(a, 'User:alice', Op.WRITE));
  assert.ok(!can(a, 'User:alice', Op.DESCRIBE_CONFIGS));
  a.add(acl({ operation: Op.ALTER_CONFIGS }));
  assert.ok(can(a, 'User:alice', Op.DESCRIBE_CONFIGS));
  a.add(acl({ principal: 'User:carol', operation: Op.ALL }));
  for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER, Op.DESCRIBE_CONFIGS]) assert.ok(can(a, 'User:carol', op));
});

test('deny beats allow; wildcard principal, host and resource; prefixed patterns', () => {
  const a = new Authorizer({ superUsers: [], allowEveryoneIfNoAclFound: false });
  a.add(acl({ resourceName: '*', principal: 'User:*', operation: Op.ALL }));
  a.add(acl({ principal: 'User:mallory', operation: Op.WRITE, permissionType: PermissionType.DENY }));
  a.add(acl({ principal: 'User:eve', host: '10.0.0.9', operation: Op.ALL, permissionType: PermissionType.DENY }));
  assert.ok(can(a, 'User:anyone', Op.WRITE));
  assert.ok(!can(a, 'User:mallory', Op.WRITE));
  assert.ok(can(a, 'User:mallory', Op.READ), 'a deny covers only its operation');
  assert.ok(can(a, 'User:eve', Op.READ, 'orders', ResourceType.TOPIC, '10.0.0.1'));
  assert.ok(!can(a, 'User:eve', Op.READ, 'orders', ResourceType.TOPIC, '10.0.0.9'));
  const p = new Authorizer({ superUsers: [], allowEveryoneIfNoAclFound: false });
  p.add(acl({ resourceName: 'team-a.', patternType: PatternType.PREFIXED, resourceType: ResourceType.GROUP }));
  assert.ok(can(p, 'User:alice', Op.READ, 'team-a.billing', ResourceType.GROUP));
  assert.ok(!can(p, 'User:alice', Op.READ, 'team-b.billing', ResourceType.GROUP));
  assert.ok(!can(p, 'User:alice', Op.READ, 'team-a.billing', ResourceType.TOPIC), 'resource types are separate');
});

test('filters: ANY, MATCH and exact patterns for describe and delete; authorized-operation bits', () => {
  const a = new Authorizer({ superUsers: [], allowEveryoneIfNoAclFound: false });
  a.add(acl({}));
  a.add(acl({}));
  a.add(acl({ resourceName: 'ord', patternType: PatternType.PREFIXED, operation: Op.WRITE }));
  a.add(acl({ resourceName: '*', operation: Op.DESCRIBE }));
  a.add(acl({ resourceType: ResourceType.GROUP, resourceName: 'g' }));
  assert.equal(a.bindings.length, 4, 'a duplicate is stored once');
  const any = { resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY, principal: null, host: null, operation: Op.ANY, permissionType: PermissionType.ANY };
  assert.equal(a.describe(any).length, 4);
  assert.equal(a.describe({ ...any, resourceType: ResourceType.TOPIC, resourceName: 'orders', patternType: PatternType.MATCH }).length, 3);
  assert.equal(a.describe({ ...any, resourceName: 'orders', patternType: PatternType.ANY }).length, 1);
  assert.equal(a.describe({ ...any, resourceName: 'ord', patternType: PatternType.PREFIXED }).length, 1);
  assert.equal(a.authorizedOperations('User:alice', 'h', ResourceType.TOPIC, 'orders', [Op.READ, Op.WRITE, Op.DELETE, Op.DESCRIBE]), (1 << Op.READ) | (1 << Op.WRITE) | (1 << Op.DESCRIBE));
  assert.equal(a.remove({ ...any, operation: Op.WRITE }).length, 1);
  assert.ok(!can(a, 'User:alice', Op.WRITE));
});

test('bindings that cannot be stored say why', () => {
  assert.equal(invalidBinding(acl({})), null);
  assert.match(invalidBinding(acl({ patternType: PatternType.MATCH }))!, /LITERAL or PREFIXED/);
  assert.match(invalidBinding(acl({ operation: Op.ANY }))!, /concrete operation/);
  assert.match(invalidBinding(acl({ resourceType: ResourceType.CLUSTER, resourceName: 'x' }))!, /kafka-cluster/);
  assert.match(invalidBinding(acl({ principal: 'alice' }))!, /Type:name/);
});

test('authorizeByResourceType: an undominated ALLOW on any resource of the type; wildcard and prefix denies dominate', () => {
  const a = new Authorizer({ superUsers: ['User:admin'], allowEveryoneIfNoAclFound: false });
  const any = (principal: string) => a.authorizeByResourceType(principal, '10.0.0.1', Op.WRITE, ResourceType.TOPIC);
  assert.ok(any('User:admin'));
  assert.ok(!any('User:alice'));
  a.add(acl({ operation: Op.WRITE, resourceName: 'orders' }));
  assert.ok(any('User:alice'));
  a.add(acl({ operation: Op.WRITE, resourceName: 'ord', patternType: PatternType.PREFIXED, permissionType: PermissionType.DENY }));
  assert.ok(!any('User:alice'), 'a prefix deny dominates the literal allow');
  a.add(acl({ operation: Op.ALL, resourceName: 'payments', patternType: PatternType.PREFIXED }));
  assert.ok(any('User:alice'));
  a.add(acl({ operation: Op.WRITE, resourceName: '*', permissionType: PermissionType.DENY }));
  assert.ok(!any('User:alice'), 'a wildcard deny denies everything');
  assert.ok(!a.authorizeByResourceType('User:bob', '10.0.0.1', Op.WRITE, ResourceType.TOPIC));
  const open = new Authorizer({ superUsers: [], allowEveryoneIfNoAclFound: true });
  assert.ok(open.authorizeByResourceType('User:bob', '10.0.0.1', Op.WRITE, ResourceType.TOPIC));
});
