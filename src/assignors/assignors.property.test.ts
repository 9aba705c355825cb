import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { encodeStickyUserData } from '../protocol/sticky-user-data.js';
import { builtInAssignors, cooperativeStickyAssignor, stickyAssignor } from './index.js';
import type { AssignmentInput, AssignorMember, MemberAssignment, TopicPartitions } from './types.js';

const TOPICS = ['a', 'b', 'orders', 'topic-10', 'Z'];

interface Group {
  counts: Map<string, number>;
  members: { id: string; instance: string | null; topics: string[] }[];
}

/** Random groups: 1-8 members with random (or all equal) non-empty subscriptions, 1-5 topics of 1-12 partitions. */
const groupArb = (equalSubscriptions?: boolean): fc.Arbitrary<Group> =>
  fc
    .record({
      counts: fc.dictionary(fc.constantFrom(...TOPICS), fc.integer({ min: 1, max: 12 }), { minKeys: 1 }),
      ids: fc.uniqueArray(fc.oneof(fc.constantFrom('c1', 'c2', 'c10', 'c11', 'c12', 'consumer-1', 'x'), fc.string({ minLength: 1, maxLength: 6 })), { minLength: 1, maxLength: 8 }),
      equal: equalSubscriptions === undefined ? fc.boolean() : fc.constant(equalSubscriptions),
      seed: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 64, maxLength: 64 }),
      missingTopic: fc.boolean(),
    })
    .map(({ counts, ids, equal, seed, missingTopic }) => {
      const topics = Object.keys(counts);
      const pick = (i: number) => seed[i % seed.length]!;
      const common = topics.filter((_, j) => pick(j) % 3 !== 0);
      if (common.length === 0) common.push(topics[0]!);
      if (missingTopic) common.push('missing');
      const members = ids.map((id, i) => {
        let subs = equal ? [...common] : topics.filter((_, j) => pick(i * 7 + j) % 2 === 0);
        if (subs.length === 0) subs = [topics[pick(i) % topics.length]!];
        return { id, instance: pick(i + 30) % 4 === 0 ? `instance-${i}` : null, topics: subs };
      });
      return { counts: new Map(Object.entries(counts)), members };
    });

function keysOf(a: MemberAssignment): string[] {
  return a.partitions.flatMap((t) => t.partitions.map((p) => `${t.topic}\u0000${p}`));
}

function subscribedPartitions(g: Group): Set<string> {
  const out = new Set<string>();
  for (const m of g.members) for (const t of m.topics) for (let p = 0; p < (g.counts.get(t) ?? 0); p++) out.add(`${t}\u0000${p}`);
  return out;
}

function toGrouped(keys: readonly string[]): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const k of keys) {
    const [topic, p] = k.split('\u0000') as [string, string];
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), Number(p)]);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

/** Input where each member owns `owned[id]` (generation `gen`), in the layout the assignor reads. */
function inputOf(g: Group, owned: Record<string, string[]>, gen: number, assignorName: string): AssignmentInput {
  const members: AssignorMember[] = g.members.map((m) => {
    const mine = toGrouped(owned[m.id] ?? []);
    const hasHistory = gen >= 0;
    return {
      memberId: m.id,
      groupInstanceId: m.instance,
      topics: m.topics,
      ownedPartitions: assignorName === 'cooperative-sticky' ? mine : [],
      generationId: hasHistory ? gen : -1,
      rackId: null,
      userData: assignorName === 'sticky' && hasHistory ? encodeStickyUserData(mine, gen) : null,
    };
  });
  return { members, partitionsPerTopic: g.counts };
}

function checkValid(g: Group, result: Map<string, MemberAssignment>, exactlyOnce: boolean): void {
  assert.deepEqual([...result.keys()].sort(), g.members.map((m) => m.id).sort(), 'every member has an entry');
  const seen = new Set<string>();
  for (const m of g.members) {
    const a = result.get(m.id)!;
    const topics = a.partitions.map((t) => t.topic);
    assert.deepEqual(topics, [...topics].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)), 'topics sorted');
    for (const t of a.partitions) {
      assert.ok(m.topics.includes(t.topic), `${m.id} got ${t.topic} it does not subscribe to`);
      assert.deepEqual(t.partitions, [...t.partitions].sort((x, y) => x - y), 'partitions sorted');
      assert.ok(t.partitions.length > 0);
    }
    for (const k of keysOf(a)) {
      assert.ok(!seen.has(k), `${k} assigned twice`);
      seen.add(k);
    }
  }
  const all = subscribedPartitions(g);
  for (const k of seen) assert.ok(all.has(k), `${k} does not exist`);
  if (exactlyOnce) assert.equal(seen.size, all.size, 'every subscribed partition is assigned');
}

/** Splits the subscribed partitions at random among members (each partition to at most one subscriber). */
const ownershipArb = (g: Group): fc.Arbitrary<Record<string, string[]>> =>
  fc.array(fc.integer({ min: -2, max: g.members.length - 1 }), { minLength: subscribedPartitions(g).size, maxLength: subscribedPartitions(g).size }).map((choices) => {
    const owned: Record<string, string[]> = {};
    [...subscribedPartitions(g)].forEach((k, i) => {
      const m = g.members[choices[i]!];
      if (m !== undefined && m.topics.includes(k.split('\u0000')[0]!)) (owned[m.id] ??= []).push(k);
    });
    return owned;
  });

const withOwnership = (equal?: boolean) => groupArb(equal).chain((g) => fc.tuple(fc.constant(g), ownershipArb(g)));

test('every assignor assigns each subscribed partition exactly once, only to subscribers (no history)', () => {
  fc.assert(
    fc.property(groupArb(), fc.constantFrom('range', 'roundrobin', 'sticky', 'cooperative-sticky'), (g, name) => {
      checkValid(g, builtInAssignors.get(name)!.assign(inputOf(g, {}, -1, name)), true);
    }),
    { numRuns: 250 },
  );
});

test('with member and replica racks, every assignor still assigns each partition exactly once', () => {
  const racksArb = fc.array(fc.subarray(['r1', 'r2', 'r3']), { minLength: 60, maxLength: 60 });
  fc.assert(
    fc.property(withOwnership(), racksArb, fc.constantFrom('range', 'roundrobin', 'sticky', 'cooperative-sticky'), ([g, owned], racks, name) => {
      const input = inputOf(g, name === 'sticky' || name === 'cooperative-sticky' ? owned : {}, 3, name);
      input.members.forEach((m, i) => (m.rackId = ['r1', 'r2', 'r3', null][i % 4]!));
      input.partitionRacks = new Map([...g.counts].map(([t, n], j) => [t, Array.from({ length: n }, (_, p) => racks[(j * 12 + p) % racks.length]!)]));
      checkValid(g, builtInAssignors.get(name)!.assign(input), name !== 'cooperative-sticky');
    }),
    { numRuns: 250 },
  );
});

test('eager sticky: valid with any previous ownership, and balanced when subscriptions are equal', () => {
  fc.assert(
    fc.property(withOwnership(), ([g, owned]) => {
      const result = stickyAssignor.assign(inputOf(g, owned, 3, 'sticky'));
      checkValid(g, result, true);
      const equal = g.members.every((m) => m.topics.join() === g.members[0]!.topics.join());
      if (equal) {
        const sizes = [...result.values()].map((a) => keysOf(a).length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `unbalanced ${sizes}`);
      }
    }),
    { numRuns: 250 },
  );
});

test('eager sticky with equal subscriptions moves no more owned partitions than balance requires', () => {
  fc.assert(
    fc.property(withOwnership(true), ([g, owned]) => {
      const result = stickyAssignor.assign(inputOf(g, owned, 3, 'sticky'));
      const total = subscribedPartitions(g).size;
      const n = g.members.length;
      const floor = Math.floor(total / n);
      // The members owning most get the ceil(P/N) slots; each keeps min(owned, quota).
      const ownedCounts = g.members.map((m) => (owned[m.id] ?? []).length).sort((x, y) => y - x);
      const bestKept = ownedCounts.reduce((sum, o, i) => sum + Math.min(o, floor + (i < total % n ? 1 : 0)), 0);
      let kept = 0;
      for (const m of g.members) {
        const now = new Set(keysOf(result.get(m.id)!));
        kept += (owned[m.id] ?? []).filter((k) => now.has(k)).length;
      }
      assert.equal(kept, bestKept);
    }),
    { numRuns: 250 },
  );
});

test('cooperative sticky: never hands out a partition another member still owns, and completes in follow-up rounds', () => {
  fc.assert(
    fc.property(withOwnership(), ([g, owned]) => {
      let current = owned;
      let rounds = 0;
      for (;;) {
        const result = cooperativeStickyAssignor.assign(inputOf(g, current, 3 + rounds, 'cooperative-sticky'));
        checkValid(g, result, false);
        const ownerOf = new Map<string, string>();
        for (const [id, keys] of Object.entries(current)) for (const k of keys) ownerOf.set(k, id);
        let revoked = 0;
        for (const m of g.members) {
          const mine = keysOf(result.get(m.id)!);
          for (const k of mine) {
            const o = ownerOf.get(k);
            assert.ok(o === undefined || o === m.id, `${k} given to ${m.id} while ${o} owns it`);
          }
          revoked += (current[m.id] ?? []).filter((k) => !mine.includes(k)).length;
        }
        current = Object.fromEntries(g.members.map((m) => [m.id, keysOf(result.get(m.id)!)]));
        if (revoked === 0) {
          checkValid(g, result, true);
          return;
        }
        rounds++;
        assert.ok(rounds <= 4, 'too many follow-up rebalances');
      }
    }),
    { numRuns: 200 },
  );
});

test('cooperative sticky with equal subscriptions: one follow-up round completes a balanced assignment', () => {
  fc.assert(
    fc.property(withOwnership(true), ([g, owned]) => {
      const first = cooperativeStickyAssignor.assign(inputOf(g, owned, 3, 'cooperative-sticky'));
      const now = Object.fromEntries(g.members.map((m) => [m.id, keysOf(first.get(m.id)!)]));
      const second = cooperativeStickyAssignor.assign(inputOf(g, now, 4, 'cooperative-sticky'));
      checkValid(g, second, true);
      const sizes = [...second.values()].map((a) => keysOf(a).length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    }),
    { numRuns: 200 },
  );
});
