import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rangeAssignor } from './range.js';
import { run } from './test-support.js';

test('one member, no topics or only a missing topic: an empty entry', () => {
  assert.deepEqual(run(rangeAssignor, {}, { c1: { topics: [] } }), { c1: [] });
  assert.deepEqual(run(rangeAssignor, {}, { c1: { topics: ['t1'] } }), { c1: [] });
  assert.deepEqual(run(rangeAssignor, { t1: 0 }, { c1: { topics: ['t1'] } }), { c1: [] });
});

test('only subscribed topics are assigned', () => {
  assert.deepEqual(run(rangeAssignor, { t1: 3, other: 3 }, { c1: { topics: ['t1'] } }), { c1: ['t1-0', 't1-1', 't1-2'] });
});

test('one to five members on seven partitions: floor(P/N) each, the first P mod N one more', () => {
  const expected: Record<number, number[]> = { 1: [7], 2: [4, 3], 3: [3, 2, 2], 4: [2, 2, 2, 1], 5: [2, 2, 1, 1, 1] };
  for (let n = 1; n <= 5; n++) {
    const members = Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}`, { topics: ['t'] }]));
    const result = run(rangeAssignor, { t: 7 }, members);
    assert.deepEqual(Object.values(result).map((l) => l.length), expected[n]);
    assert.deepEqual(Object.values(result).flat(), Array.from({ length: 7 }, (_, p) => `t-${p}`), 'consecutive ranges in member order');
  }
});

test('two members, one partition: the second gets nothing', () => {
  assert.deepEqual(run(rangeAssignor, { t1: 1 }, { c1: { topics: ['t1'] }, c2: { topics: ['t1'] } }), { c1: ['t1-0'], c2: [] });
});

test('two topics of three partitions: ranges per topic, so the first member gets two of each', () => {
  assert.deepEqual(run(rangeAssignor, { t1: 3, t2: 3 }, { c1: { topics: ['t1', 't2'] }, c2: { topics: ['t1', 't2'] } }), {
    c1: ['t1-0', 't1-1', 't2-0', 't2-1'],
    c2: ['t1-2', 't2-2'],
  });
});

test('mixed subscriptions: each topic is split among its own subscribers only', () => {
  assert.deepEqual(run(rangeAssignor, { t1: 3, t2: 2 }, { c1: { topics: ['t1'] }, c2: { topics: ['t1', 't2'] }, c3: { topics: ['t1'] } }), {
    c1: ['t1-0'],
    c2: ['t1-1', 't2-0', 't2-1'],
    c3: ['t1-2'],
  });
});

test('members are ordered by member id as Java compares strings (UTF-16 code units, not locale)', () => {
  const result = run(rangeAssignor, { t: 3 }, { b: { topics: ['t'] }, B: { topics: ['t'] }, a: { topics: ['t'] } });
  assert.deepEqual(result, { b: ['t-2'], B: ['t-0'], a: ['t-1'] });
});

test('static members come first, ordered by group.instance.id, whatever their member ids', () => {
  const result = run(rangeAssignor, { t1: 3, t2: 3 }, {
    'consumer-a': { topics: ['t1', 't2'] },
    'consumer-b': { topics: ['t1', 't2'], instance: 'instance1' },
  });
  assert.deepEqual(result, { 'consumer-a': ['t1-2', 't2-2'], 'consumer-b': ['t1-0', 't1-1', 't2-0', 't2-1'] });
  const bothStatic = run(rangeAssignor, { t1: 3, t2: 3 }, {
    'consumer-a': { topics: ['t1', 't2'], instance: 'instance2' },
    'consumer-b': { topics: ['t1', 't2'], instance: 'instance1' },
  });
  assert.deepEqual(bothStatic, { 'consumer-a': ['t1-2', 't2-2'], 'consumer-b': ['t1-0', 't1-1', 't2-0', 't2-1'] });
});

test('static members keep their ranges when their member ids change', () => {
  const before = run(rangeAssignor, { t1: 5, t2: 5 }, {
    consumer1: { topics: ['t1', 't2'], instance: 'instance1' },
    consumer2: { topics: ['t1', 't2'], instance: 'instance2' },
    consumer3: { topics: ['t1', 't2'], instance: 'instance3' },
  });
  const after = run(rangeAssignor, { t1: 5, t2: 5 }, {
    consumer1: { topics: ['t1', 't2'], instance: 'instance1' },
    consumer5: { topics: ['t1', 't2'], instance: 'instance2' },
    consumer4: { topics: ['t1', 't2'], instance: 'instance3' },
  });
  assert.deepEqual(before.consumer1, ['t1-0', 't1-1', 't2-0', 't2-1']);
  assert.deepEqual(after.consumer5, before.consumer2);
  assert.deepEqual(after.consumer4, before.consumer3);
  assert.deepEqual(after.consumer4, ['t1-4', 't2-4']);
});

test('a dynamic member sorts after three static ones and its replacement takes the same range', () => {
  const members = {
    consumer1: { topics: ['t1', 't2'], instance: 'instance1' },
    consumer2: { topics: ['t1', 't2'], instance: 'instance2' },
    consumer3: { topics: ['t1', 't2'], instance: 'instance3' },
  };
  const expectedStatic = { consumer1: ['t1-0', 't1-1', 't2-0'], consumer2: ['t1-2', 't2-1'], consumer3: ['t1-3', 't2-2'] };
  assert.deepEqual(run(rangeAssignor, { t1: 5, t2: 4 }, { ...members, consumer4: { topics: ['t1', 't2'] } }), { ...expectedStatic, consumer4: ['t1-4', 't2-3'] });
  assert.deepEqual(run(rangeAssignor, { t1: 5, t2: 4 }, { ...members, consumer5: { topics: ['t1', 't2'] } }), { ...expectedStatic, consumer5: ['t1-4', 't2-3'] });
});

// Rack-aware range (KIP-881). Expected assignments confirmed against Kafka's Java RangeAssignor.

test('rack-aware: members take partitions with a replica on their rack, co-partitioned topics alike', () => {
  assert.deepEqual(run(rangeAssignor, { t1: 4, t2: 4 }, { c1: { topics: ['t1', 't2'], rack: 'a' }, c2: { topics: ['t1', 't2'], rack: 'b' } }, { t1: 'a|b|a|b', t2: 'a|b|a|b' }), {
    c1: ['t1-0', 't1-2', 't2-0', 't2-2'],
    c2: ['t1-1', 't1-3', 't2-1', 't2-3'],
  });
});

test('rack-aware: a member without a rack matches any partition; leftovers are dealt as plain ranges', () => {
  assert.deepEqual(run(rangeAssignor, { t: 6 }, { c1: { topics: ['t'], rack: 'c' }, c2: { topics: ['t'] }, c3: { topics: ['t'], rack: 'a' } }, { t: 'a|b|c|a|b|c' }), {
    c1: ['t-2', 't-5'],
    c2: ['t-0', 't-1'],
    c3: ['t-3', 't-4'],
  });
});

test('racks change nothing when every partition has replicas on every rack, or no member rack holds replicas', () => {
  const plain = { c1: ['t-0', 't-1'], c2: ['t-2', 't-3'] };
  assert.deepEqual(run(rangeAssignor, { t: 4 }, { c1: { topics: ['t'], rack: 'b' }, c2: { topics: ['t'], rack: 'a' } }, { t: 'a,b|a,b|a,b|a,b' }), plain);
  assert.deepEqual(run(rangeAssignor, { t: 4 }, { c1: { topics: ['t'], rack: 'x' }, c2: { topics: ['t'], rack: 'y' } }, { t: 'a|b|a|b' }), plain);
  assert.deepEqual(run(rangeAssignor, { t: 4 }, { c1: { topics: ['t'], rack: 'b' }, c2: { topics: ['t'], rack: 'a' } }), plain);
});
