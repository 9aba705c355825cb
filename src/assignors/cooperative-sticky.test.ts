import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeCooperativeStickyUserData, encodeStickyUserData } from '../protocol/sticky-user-data.js';
import { cooperativeStickyAssignor } from './sticky.js';
import { grouped, run, type MemberSpec } from './test-support.js';

// Expected assignments marked "golden" were confirmed against Kafka's Java implementation.

/** A member sending subscription v2+: OwnedPartitions and GenerationId in the subscription. */
function owner(topics: string[], owned: string[] = [], generation = 1): MemberSpec {
  return { topics, owned, generation, userData: encodeCooperativeStickyUserData(generation) };
}

function nextRound(topics: Record<string, string[]>, previous: Record<string, string[]>, generation: number): Record<string, MemberSpec> {
  return Object.fromEntries(Object.entries(topics).map(([id, t]) => [id, owner(t, previous[id] ?? [], generation)]));
}

test('a partition moving to another member is withheld until its owner has revoked it', () => {
  const counts = { topic1: 3, topic2: 4 };
  const subs = { consumer1: ['topic1', 'topic2'], consumer2: ['topic1', 'topic2'], consumer3: ['topic1', 'topic2'], consumer4: ['topic1', 'topic2'] };
  const owned = { consumer1: ['topic1-0', 'topic1-2', 'topic2-1', 'topic2-3'], consumer2: ['topic1-1', 'topic2-0', 'topic2-2'] };
  // Round 1 (golden): the two newcomers get nothing yet; the owners keep what they will keep.
  const round1 = run(cooperativeStickyAssignor, counts, nextRound(subs, owned, 1));
  assert.deepEqual(round1, { consumer1: ['topic1-0', 'topic2-1'], consumer2: ['topic1-1', 'topic2-0'], consumer3: [], consumer4: [] });
  // Round 2: after revoking, nobody owns the moved partitions and the newcomers receive them.
  const round2 = run(cooperativeStickyAssignor, counts, nextRound(subs, round1, 2));
  assert.deepEqual(round2, { consumer1: ['topic1-0', 'topic2-1'], consumer2: ['topic1-1', 'topic2-0'], consumer3: ['topic1-2', 'topic2-3'], consumer4: ['topic2-2'] });
  // Round 3: stable.
  assert.deepEqual(run(cooperativeStickyAssignor, counts, nextRound(subs, round2, 3)), round2);
});

test('golden: a partition claimed by two members of the same generation is assigned only after both revoke it', () => {
  const members = { consumer1: owner(['topic'], ['topic-0', 'topic-1']), consumer2: owner(['topic'], ['topic-0', 'topic-2']), consumer3: owner(['topic']) };
  assert.deepEqual(run(cooperativeStickyAssignor, { topic: 3 }, members), { consumer1: ['topic-1'], consumer2: ['topic-2'], consumer3: [] });
  assert.deepEqual(run(cooperativeStickyAssignor, { topic: 4 }, members), { consumer1: ['topic-1', 'topic-3'], consumer2: ['topic-2'], consumer3: [] });
});

test('golden: quota ties follow Java\'s HashMap order, and the moved partition is withheld', () => {
  assert.deepEqual(run(cooperativeStickyAssignor, { t: 4 }, {
    consumer10: owner(['t'], ['t-0', 't-1'], 3),
    consumer11: owner(['t'], ['t-2', 't-3'], 3),
    consumer12: owner(['t'], [], 3),
  }), { consumer10: ['t-0'], consumer11: ['t-2', 't-3'], consumer12: [] });
});

test('golden: with different subscriptions, revocations are computed from OwnedPartitions', () => {
  assert.deepEqual(run(cooperativeStickyAssignor, { t1: 4, t2: 4 }, {
    a: owner(['t1', 't2'], ['t1-0', 't1-1', 't1-2', 't1-3', 't2-0', 't2-1', 't2-2', 't2-3'], 5),
    b: owner(['t1'], [], 5),
    c: owner(['t2'], [], 5),
  }), { a: ['t1-0', 't2-2', 't2-3'], b: [], c: [] });
  assert.deepEqual(run(cooperativeStickyAssignor, { t1: 4, t2: 4 }, {
    a: owner(['t1', 't2'], ['t1-0', 't1-1'], 6),
    b: owner(['t1'], ['t1-2', 't1-3'], 6),
    c: owner(['t2'], ['t2-0', 't2-1', 't2-2', 't2-3'], 6),
  }), { a: ['t1-0', 't1-1'], b: ['t1-2', 't1-3'], c: ['t2-1', 't2-2', 't2-3'] });
});

test('members of an older generation lose their claims to the newer owner', () => {
  assert.deepEqual(run(cooperativeStickyAssignor, { topic: 3, topic2: 3 }, {
    consumer1: owner(['topic', 'topic2'], ['topic-0', 'topic2-1', 'topic-1'], 10),
    consumer2: owner(['topic', 'topic2'], ['topic-0', 'topic2-1', 'topic2-2'], 8),
  }), { consumer1: ['topic-0', 'topic-1', 'topic2-1'], consumer2: ['topic-2', 'topic2-0', 'topic2-2'] });
});

test('subscription v1 (no GenerationId) takes the generation from the 4-byte userData', () => {
  const v1 = (owned: string[], generation: number): MemberSpec => ({ topics: ['topic1'], owned, userData: encodeCooperativeStickyUserData(generation) });
  assert.deepEqual(run(cooperativeStickyAssignor, { topic1: 3 }, {
    consumer1: v1(['topic1-0'], 1),
    consumer2: v1(['topic1-1'], 1),
    consumer3: owner(['topic1'], [], 1),
  }), { consumer1: ['topic1-0'], consumer2: ['topic1-1'], consumer3: ['topic1-2'] });
});

test('librdkafka userData is read as Java reads it: its first four bytes are the generation', () => {
  // A librdkafka member (subscription v1) owning t-0 sends [ {t, [0]} ] + generation 3: Java reads
  // generation 1 (the topic count). A Java member of generation 2 claiming t-0 therefore wins it.
  const rdkafka: MemberSpec = { topics: ['t'], owned: ['t-0'], userData: encodeStickyUserData(grouped(['t-0']), 3) };
  const result = run(cooperativeStickyAssignor, { t: 2 }, { a: owner(['t'], ['t-0'], 2), b: rdkafka });
  assert.deepEqual(result.a, ['t-0']);
});

test('subscriptionUserData is the generation as int32', () => {
  assert.deepEqual(cooperativeStickyAssignor.subscriptionUserData!({ ownedPartitions: [], generationId: -1 }), Buffer.from('ffffffff', 'hex'));
  assert.deepEqual(cooperativeStickyAssignor.subscriptionUserData!({ ownedPartitions: [{ topic: 't', partitions: [1] }], generationId: 12 }), Buffer.from('0000000c', 'hex'));
  assert.deepEqual(cooperativeStickyAssignor.supportedProtocols, ['COOPERATIVE', 'EAGER']);
});

// Rack-aware sticky (KIP-881), confirmed against Kafka's Java assignors.

test('golden: rack-aware, partitions owned off-rack are revoked, then reassigned on-rack', () => {
  const racks = { t: 'a|b|a|b' };
  const misplaced = { c1: { ...owner(['t'], ['t-1', 't-3'], 2), rack: 'a' }, c2: { ...owner(['t'], ['t-0', 't-2'], 2), rack: 'b' } };
  assert.deepEqual(run(cooperativeStickyAssignor, { t: 4 }, misplaced, racks), { c1: [], c2: [] });
  const next = { c1: { ...owner(['t'], [], 3), rack: 'a' }, c2: { ...owner(['t'], [], 3), rack: 'b' } };
  assert.deepEqual(run(cooperativeStickyAssignor, { t: 4 }, next, racks), { c1: ['t-0', 't-2'], c2: ['t-1', 't-3'] });
});

test('golden: rack-aware general case keeps on-rack ownership and withholds the rest', () => {
  const racks = { t1: 'a|b|c|a|b|c', t2: 'a|b|c' };
  assert.deepEqual(run(cooperativeStickyAssignor, { t1: 6, t2: 3 }, {
    c1: { ...owner(['t1', 't2'], ['t1-0', 't1-1', 't1-2', 't1-3', 't1-4', 't1-5'], 4), rack: 'a' },
    c2: { ...owner(['t1'], [], 4), rack: 'b' },
    c3: { ...owner(['t1', 't2'], ['t2-0', 't2-1', 't2-2'], 4), rack: 'c' },
  }, racks), { c1: ['t1-3'], c2: [], c3: ['t2-2'] });
});
