import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roundRobinAssignor } from './round-robin.js';
import { run } from './test-support.js';

test('one member gets every subscribed partition, nothing of other topics', () => {
  assert.deepEqual(run(roundRobinAssignor, { t1: 3, other: 3 }, { c: { topics: ['t1'] } }), { c: ['t1-0', 't1-1', 't1-2'] });
  assert.deepEqual(run(roundRobinAssignor, {}, { c: { topics: ['missing'] } }), { c: [] });
});

test('partitions of all topics, sorted by topic then partition, dealt in turn', () => {
  assert.deepEqual(run(roundRobinAssignor, { t1: 3, t2: 3 }, { c1: { topics: ['t1', 't2'] }, c2: { topics: ['t1', 't2'] } }), {
    c1: ['t1-0', 't1-2', 't2-1'],
    c2: ['t1-1', 't2-0', 't2-2'],
  });
});

test('members not subscribed to a topic are skipped, and the circle carries on across topics', () => {
  assert.deepEqual(run(roundRobinAssignor, { t1: 3, t2: 2 }, { c1: { topics: ['t1'] }, c2: { topics: ['t1', 't2'] }, c3: { topics: ['t1'] } }), {
    c1: ['t1-0'],
    c2: ['t1-1', 't2-0', 't2-1'],
    c3: ['t1-2'],
  });
  // Three members, three topics with different subscribers.
  assert.deepEqual(run(roundRobinAssignor, { t1: 1, t2: 2, t3: 3 }, {
    c1: { topics: ['t1'] },
    c2: { topics: ['t1', 't2'] },
    c3: { topics: ['t1', 't2', 't3'] },
  }), {
    c1: ['t1-0'],
    c2: ['t2-0'],
    c3: ['t2-1', 't3-0', 't3-1', 't3-2'],
  });
});

test('static members are dealt first, by group.instance.id', () => {
  assert.deepEqual(run(roundRobinAssignor, { t1: 3, t2: 3 }, {
    'consumer-a': { topics: ['t1', 't2'] },
    'consumer-b': { topics: ['t1', 't2'], instance: 'instance1' },
  }), {
    'consumer-a': ['t1-1', 't2-0', 't2-2'],
    'consumer-b': ['t1-0', 't1-2', 't2-1'],
  });
  assert.deepEqual(run(roundRobinAssignor, { t: 3 }, {
    m1: { topics: ['t'], instance: 'z' },
    m2: { topics: ['t'], instance: 'y' },
    m3: { topics: ['t'] },
  }), { m1: ['t-1'], m2: ['t-0'], m3: ['t-2'] });
});
