import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindingsToAdd, filtersFor, parseOperation } from './plan.js';

test('operations are read in any of Kafka\'s spellings', () => {
  for (const v of ['DescribeConfigs', 'describe-configs', 'DESCRIBE_CONFIGS']) assert.equal(parseOperation(v), 'describe-configs');
  assert.throws(() => parseOperation('Nope'), /unknown operation "Nope"/);
});

test('add: one binding per principal x host x resource x operation; --consumer and --producer shortcuts', () => {
  const b = bindingsToAdd({ allowPrincipal: ['User:a'], consumer: true, topic: ['t'], group: ['g'] });
  assert.deepEqual(b.map((x) => `${x.resourceType}:${x.resourceName}:${x.operation}`), ['topic:t:read', 'topic:t:describe', 'group:g:read']);
  const p = bindingsToAdd({ denyPrincipal: ['User:b'], producer: true, topic: ['t'], transactionalId: ['tx'], host: ['10.0.0.1', '10.0.0.2'], resourcePatternType: 'prefixed' });
  assert.equal(p.length, (3 + 2) * 2);
  assert.ok(p.every((x) => x.permission === 'deny' && x.patternType === 'prefixed'));
  assert.throws(() => bindingsToAdd({ allowPrincipal: ['User:a'], topic: ['t'] }), /no operation/);
  assert.throws(() => bindingsToAdd({ allowPrincipal: ['User:a'], operation: ['Read'] }), /give a resource/);
  assert.throws(() => bindingsToAdd({ allowPrincipal: ['User:a'], operation: ['Alter'], cluster: true, resourcePatternType: 'prefixed' }), /literal patterns only/);
});

test('remove and list: filters narrow by what is given; list without a resource lists everything', () => {
  assert.deepEqual(filtersFor({}, 'list'), [{}]);
  assert.deepEqual(filtersFor({ topic: ['t'] }, 'remove'), [{ resourceType: 'topic', resourceName: 't', patternType: 'literal' }]);
  assert.deepEqual(filtersFor({ topic: ['t'], principal: ['User:a'], operation: ['Read'], resourcePatternType: 'match' }, 'list'), [
    { resourceType: 'topic', resourceName: 't', patternType: 'match', principal: 'User:a', operation: 'read' },
  ]);
  assert.throws(() => filtersFor({}, 'remove'), /give the resource/);
  assert.throws(() => filtersFor({ topic: ['t'], resourcePatternType: 'match' }, 'remove'), /must be literal, prefixed, any/);
});
