import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeStickyUserData } from '../protocol/sticky-user-data.js';
import { stickyAssignor } from './sticky.js';
import { grouped, run, type MemberSpec } from './test-support.js';

// Expected assignments marked "golden" were traced through Java's AbstractStickyAssignor and
// confirmed against Kafka's Java implementation on the same input.

/**
 * A Java member of the eager sticky protocol: the previous assignment and its generation travel in
 * userData, and the subscription (v2+) repeats the generation in its GenerationId field.
 */
function sticky(topics: string[], owned?: string[], generation = 1): MemberSpec {
  if (owned === undefined) return { topics, userData: null };
  return { topics, generation, userData: encodeStickyUserData(grouped(owned), generation) };
}

function stickyV0(topics: string[], owned: string[]): MemberSpec {
  return { topics, userData: encodeStickyUserData(grouped(owned), null) };
}

test('golden: equal subscriptions, fresh group', () => {
  assert.deepEqual(run(stickyAssignor, { t1: 6, t2: 7, t3: 2 }, {
    consumer0: sticky(['t1', 't2', 't3']),
    consumer1: sticky(['t1', 't2', 't3']),
    consumer2: sticky(['t1', 't2', 't3']),
  }), {
    consumer0: ['t1-0', 't1-3', 't2-0', 't2-3', 't2-6'],
    consumer1: ['t1-1', 't1-4', 't2-1', 't2-4', 't3-0'],
    consumer2: ['t1-2', 't1-5', 't2-2', 't2-5', 't3-1'],
  });
});

test('golden: different subscriptions use the general algorithm', () => {
  assert.deepEqual(run(stickyAssignor, { t1: 6, t2: 7, t3: 2 }, {
    consumer0: sticky(['t1', 't2', 't3']),
    consumer1: sticky(['t1', 't2', 't3']),
    consumer2: sticky(['t1', 't3']),
  }), {
    consumer0: ['t1-5', 't2-0', 't2-2', 't2-4', 't2-6'],
    consumer1: ['t1-3', 't2-1', 't2-3', 't2-5', 't3-0'],
    consumer2: ['t1-0', 't1-1', 't1-2', 't1-4', 't3-1'],
  });
});

test('golden: a case round-robin balances poorly', () => {
  const all = ['topic1', 'topic2', 'topic3', 'topic4', 'topic5'];
  const odd = ['topic1', 'topic3', 'topic5'];
  assert.deepEqual(run(stickyAssignor, { topic1: 2, topic2: 1, topic3: 2, topic4: 1, topic5: 2 }, {
    consumer1: sticky(all),
    consumer2: sticky(odd),
    consumer3: sticky(odd),
    consumer4: sticky(all),
  }), {
    consumer1: ['topic2-0', 'topic3-0'],
    consumer2: ['topic1-0', 'topic3-1'],
    consumer3: ['topic1-1', 'topic5-0'],
    consumer4: ['topic4-0', 'topic5-1'],
  });
});

test('golden: when quotas are tight, Java\'s HashMap order decides who keeps its partitions', () => {
  // Java iterates consumer11 before consumer10, so consumer11 keeps both of its partitions.
  assert.deepEqual(run(stickyAssignor, { t: 4 }, {
    consumer10: sticky(['t'], ['t-0', 't-1'], 3),
    consumer11: sticky(['t'], ['t-2', 't-3'], 3),
    consumer12: sticky(['t']),
  }), { consumer10: ['t-0'], consumer11: ['t-2', 't-3'], consumer12: ['t-1'] });
});

test('a joining member takes only what balance requires from the others', () => {
  const round1 = run(stickyAssignor, { t1: 3, t2: 4 }, { c1: sticky(['t1', 't2']), c2: sticky(['t1', 't2']) });
  assert.deepEqual(round1, { c1: ['t1-0', 't1-2', 't2-1', 't2-3'], c2: ['t1-1', 't2-0', 't2-2'] });
  const round2 = run(stickyAssignor, { t1: 3, t2: 4 }, {
    c1: sticky(['t1', 't2'], round1.c1),
    c2: sticky(['t1', 't2'], round1.c2),
    c3: sticky(['t1', 't2']),
  });
  assert.deepEqual(round2, { c1: ['t1-0', 't1-2', 't2-1'], c2: ['t1-1', 't2-0'], c3: ['t2-2', 't2-3'] });
});

test('when a member leaves, the others keep theirs and share its partitions', () => {
  const before = { c1: ['t-0', 't-3'], c2: ['t-1', 't-4'], c3: ['t-2', 't-5'] };
  const after = run(stickyAssignor, { t: 6 }, { c1: sticky(['t'], before.c1), c3: sticky(['t'], before.c3) });
  assert.deepEqual(after, { c1: ['t-0', 't-1', 't-3'], c3: ['t-2', 't-4', 't-5'] });
});

test('new partitions of a topic are spread over the members; owned ones stay', () => {
  const after = run(stickyAssignor, { t: 6 }, { c1: sticky(['t'], ['t-0', 't-2']), c2: sticky(['t'], ['t-1', 't-3']) });
  assert.deepEqual(after, { c1: ['t-0', 't-2', 't-4'], c2: ['t-1', 't-3', 't-5'] });
});

test('a partition claimed by two members of the same generation goes to neither', () => {
  assert.deepEqual(run(stickyAssignor, { topic: 3 }, {
    consumer1: sticky(['topic'], ['topic-0', 'topic-1']),
    consumer2: sticky(['topic'], ['topic-0', 'topic-2']),
    consumer3: sticky(['topic'], []),
  }), { consumer1: ['topic-1'], consumer2: ['topic-2'], consumer3: ['topic-0'] });
  assert.deepEqual(run(stickyAssignor, { topic: 4 }, {
    consumer1: sticky(['topic'], ['topic-0', 'topic-1']),
    consumer2: sticky(['topic'], ['topic-0', 'topic-2']),
    consumer3: sticky(['topic'], []),
  }), { consumer1: ['topic-1', 'topic-3'], consumer2: ['topic-2'], consumer3: ['topic-0'] });
});

test('Java compares a claim with the earlier claimant\'s subscription GenerationId, not its userData', () => {
  // Without GenerationId (subscription v0/v1) the earlier claim counts as generation -1, so the
  // later claimant of generation 1 takes topic-0 instead of both losing it. Java walks consumer2
  // before consumer1, so consumer1 takes it (golden).
  const old = (owned: string[]): MemberSpec => ({ topics: ['topic'], userData: encodeStickyUserData(grouped(owned), 1) });
  assert.deepEqual(run(stickyAssignor, { topic: 3 }, {
    consumer1: old(['topic-0', 'topic-1']),
    consumer2: old(['topic-0', 'topic-2']),
    consumer3: sticky(['topic']),
  }), { consumer1: ['topic-0'], consumer2: ['topic-2'], consumer3: ['topic-1'] });
});

test('claims of a newer generation win over claims of an older one', () => {
  const claim = ['topic-0', 'topic-2', 'topic2-1'];
  for (const staleGeneration of [9, -1]) {
    const stale = staleGeneration < 0 ? stickyV0(['topic', 'topic2'], claim) : sticky(['topic', 'topic2'], claim, staleGeneration);
    assert.deepEqual(run(stickyAssignor, { topic: 3, topic2: 3 }, { consumer1: sticky(['topic', 'topic2'], claim, 10), consumer2: stale }), {
      consumer1: ['topic-0', 'topic-2', 'topic2-1'],
      consumer2: ['topic-1', 'topic2-0', 'topic2-2'],
    });
  }
});

test('the general algorithm returns partitions to the owner of the newest generation', () => {
  assert.deepEqual(run(stickyAssignor, { topic: 3, topic2: 3, topic3: 3 }, {
    consumer1: sticky(['topic', 'topic2', 'topic3'], ['topic-0', 'topic2-0', 'topic3-0'], 10),
    consumer2: sticky(['topic', 'topic2', 'topic3'], ['topic-1', 'topic2-1', 'topic3-1'], 9),
    consumer3: sticky(['topic', 'topic2', 'topic3'], ['topic2-1', 'topic3-0', 'topic3-2'], 8),
  }), {
    consumer1: ['topic-0', 'topic2-0', 'topic3-0'],
    consumer2: ['topic-1', 'topic2-1', 'topic3-1'],
    consumer3: ['topic-2', 'topic2-2', 'topic3-2'],
  });
});

test('old userData without a generation (V0) still counts as previous ownership', () => {
  assert.deepEqual(run(stickyAssignor, { topic: 3 }, {
    consumer1: sticky(['topic'], ['topic-0', 'topic-2'], 1),
    consumer2: stickyV0(['topic'], ['topic-1']),
    consumer3: sticky(['topic']),
  }), { consumer1: ['topic-0'], consumer2: ['topic-1'], consumer3: ['topic-2'] });
});

test('the eager sticky assignor reads ownership from userData, not OwnedPartitions', () => {
  const result = run(stickyAssignor, { t: 2 }, {
    a: { topics: ['t'], owned: ['t-0'], generation: 5, userData: encodeStickyUserData(grouped(['t-1']), 5) },
    b: { topics: ['t'] },
  });
  assert.deepEqual(result, { a: ['t-1'], b: ['t-0'] });
});

test('unparseable userData is ignored', () => {
  assert.deepEqual(run(stickyAssignor, { t: 2 }, { a: { topics: ['t'], userData: Buffer.from([1, 2, 3]) }, b: { topics: ['t'] } }), { a: ['t-0'], b: ['t-1'] });
});

test('topics nobody subscribes to and partitions that do not exist are never assigned', () => {
  assert.deepEqual(run(stickyAssignor, { topic: 2, other: 2 }, {
    consumer: sticky(['topic'], ['topic-0', 'topic-1', 'other-0', 'other-1', 'topic-7']),
  }), { consumer: ['topic-0', 'topic-1'] });
  assert.deepEqual(run(stickyAssignor, {}, { consumer: sticky(['topic'], ['topic-0']) }), { consumer: [] });
});

test('subscriptionUserData: nothing before the first assignment, then V1 with the generation', () => {
  assert.equal(stickyAssignor.subscriptionUserData!({ ownedPartitions: [], generationId: -1 }), null);
  assert.deepEqual(stickyAssignor.subscriptionUserData!({ ownedPartitions: [{ topic: 't', partitions: [0, 2] }], generationId: 7 }),
    encodeStickyUserData([{ topic: 't', partitions: [0, 2] }], 7));
  assert.deepEqual(stickyAssignor.subscriptionUserData!({ ownedPartitions: [], generationId: 3 }), encodeStickyUserData([], 3));
});

test('regression: balancing stops on an input where Java\'s reassignment loop never ends', () => {
  // Java's GeneralAssignmentBuilder.performReassignments repeats the same moves forever on this
  // group (the Java leader hangs); Samsa caps the passes and still returns a valid assignment.
  const rows: [string, string, string][] = [
    ['member-614-611701', '012', '0-9 0-20 0-31 0-35 0-42'], ['member-621-223540', '2', '2-2 2-8 2-12 2-19 2-30'],
    ['member-623-383302', '02', '0-4 0-15 0-26 0-37 2-21'], ['member-628-685670', '1', '1-3 1-6'],
    ['member-629-907322', '1', '1-0 1-1'], ['member-631-398476', '0', '0-7 0-13 0-18 0-29 0-40'],
    ['member-625-214465', '0', '0-2 0-5 0-16 0-27 0-38'], ['member-620-727983', '01', '0-0 0-1 0-14 0-25 0-36'],
    ['member-613-740578', '02', '0-8 0-19 0-24 0-30 0-41'], ['member-624-173196', '2', '2-4 2-6 2-10 2-14 2-22'],
    ['member-617-546253', '02', '0-12 0-23 0-34 2-16 2-27'], ['member-630-576806', '0', '0-3 0-6 0-17 0-28 0-39'],
    ['member-622-486077', '2', '2-5 2-9 2-13 2-20 2-24'], ['member-615-396537', '012', '0-10 0-21 0-32 0-43 2-25'],
    ['member-616-266380', '02', '0-11 0-22 0-33 2-15 2-26'], ['member-627-602961', '1', '1-2 1-4 1-5'],
    ['member-632-910470', '01', ''], ['member-618-523534', '12', '2-0 2-7 2-11 2-17 2-28'],
    ['member-619-554740', '2', '2-1 2-3 2-18 2-23 2-29'],
  ];
  const members: Record<string, MemberSpec> = {};
  for (const [id, topics, owned] of rows) {
    const claims = owned === '' ? undefined : owned.split(' ').map((p) => `topic-${p}`);
    members[id] = sticky([...topics].map((t) => `topic-${t}`), claims, 4);
  }
  const counts = { 'topic-0': 44, 'topic-1': 7, 'topic-2': 31 };
  const result = run(stickyAssignor, counts, members);
  const all = Object.values(result).flat().sort();
  assert.equal(all.length, 44 + 7 + 31);
  assert.equal(new Set(all).size, all.length);
  for (const [id, partitions] of Object.entries(result)) {
    for (const p of partitions) assert.ok(members[id]!.topics.includes(p.slice(0, p.lastIndexOf('-'))));
  }
});

test('golden: rack-aware general case for a fresh group', () => {
  assert.deepEqual(run(stickyAssignor, { t1: 6, t2: 3 }, {
    c1: { ...sticky(['t1', 't2']), rack: 'a' },
    c2: { ...sticky(['t1']), rack: 'b' },
    c3: { ...sticky(['t1', 't2']), rack: 'c' },
  }, { t1: 'a|b|c|a|b|c', t2: 'a|b|c' }), {
    c1: ['t1-3', 't2-0', 't2-1'],
    c2: ['t1-0', 't1-1', 't1-4'],
    c3: ['t1-2', 't1-5', 't2-2'],
  });
});
