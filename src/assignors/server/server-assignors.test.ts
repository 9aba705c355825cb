import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { serverAssignors, serverRangeAssignor, uniformAssignor } from './index.js';
import type { ServerAssignmentInput, ServerAssignor, ServerAssignorMember } from './types.js';

type Result = Map<string, Map<string, Set<number>>>;

const TOPICS = ['t-a', 't-b', 't-c', 't-d'];

interface Group {
  counts: Map<string, number>;
  members: { id: string; instance: string | null; topics: string[] }[];
}

const groupArb = (homogeneous?: boolean): fc.Arbitrary<Group> =>
  fc
    .record({
      counts: fc.dictionary(fc.constantFrom(...TOPICS), fc.integer({ min: 1, max: 16 }), { minKeys: 1 }),
      ids: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 9 }),
      same: homogeneous === undefined ? fc.boolean() : fc.constant(homogeneous),
      picks: fc.array(fc.nat(100), { minLength: 64, maxLength: 64 }),
    })
    .map(({ counts, ids, same, picks }) => {
      const topics = Object.keys(counts);
      const pick = (i: number): number => picks[i % picks.length]!;
      const members = ids.map((id, i) => {
        let subs = same ? topics : topics.filter((_, j) => pick(i * 5 + j) % 2 === 0);
        if (subs.length === 0) subs = [topics[pick(i) % topics.length]!];
        return { id, instance: pick(i + 40) % 3 === 0 ? `i-${i}` : null, topics: subs };
      });
      return { counts: new Map(Object.entries(counts)), members };
    });

function input(g: Group, current: Result = new Map()): ServerAssignmentInput {
  const members: ServerAssignorMember[] = g.members.map((m) => ({
    memberId: m.id,
    instanceId: m.instance,
    rackId: null,
    subscribedTopicIds: new Set(m.topics),
    assignment: current.get(m.id) ?? new Map(),
  }));
  return { members, partitionCounts: g.counts, topicNames: new Map(TOPICS.map((t) => [t, t])) };
}

function loads(r: Result): Map<string, number> {
  return new Map([...r].map(([m, topics]) => [m, [...topics.values()].reduce((n, s) => n + s.size, 0)]));
}

/** Every partition of a subscribed topic goes to exactly one subscriber of it. */
function checkComplete(g: Group, r: Result): void {
  const owners = new Map<string, string>();
  for (const [memberId, topics] of r) {
    const member = g.members.find((m) => m.id === memberId)!;
    for (const [topic, partitions] of topics) {
      assert.ok(member.topics.includes(topic), `${memberId} got ${topic} without subscribing`);
      for (const p of partitions) {
        assert.ok(p >= 0 && p < g.counts.get(topic)!, `partition ${topic}-${p} does not exist`);
        const k = `${topic}-${p}`;
        assert.equal(owners.get(k), undefined, `${k} assigned twice`);
        owners.set(k, memberId);
      }
    }
  }
  for (const m of g.members) for (const t of m.topics) for (let p = 0; p < g.counts.get(t)!; p++) assert.ok(owners.has(`${t}-${p}`), `${t}-${p} unassigned`);
  assert.deepEqual([...r.keys()].sort(), g.members.map((m) => m.id).sort());
}

function shuffled(g: Group): Group {
  return { ...g, members: [...g.members].reverse() };
}

function canonical(r: Result): string {
  return JSON.stringify([...r].sort(([a], [b]) => (a < b ? -1 : 1)).map(([m, t]) => [m, [...t].sort(([a], [b]) => (a < b ? -1 : 1)).map(([x, s]) => [x, [...s].sort((a, b) => a - b)])]));
}

/** Drops one random member and adds one: the next round's input. */
function churn(g: Group, seed: number): Group {
  const members = g.members.filter((_, i) => g.members.length === 1 || i !== seed % g.members.length);
  return { ...g, members: [...members, { id: `new-${seed}`, instance: null, topics: g.members[0]!.topics }] };
}

for (const assignor of serverAssignors.values()) {
  describe(`server assignor ${assignor.name}`, () => {
    it('assigns every subscribed partition exactly once, to a subscriber, whatever the current assignment', () => {
      fc.assert(
        fc.property(groupArb(), fc.nat(1000), (g, seed) => {
          const first = assignor.assign(input(g));
          checkComplete(g, first);
          const next = churn(g, seed);
          checkComplete(next, assignor.assign(input(next, first)));
        }),
      );
    });

    it('gives the same answer whatever order the members come in', () => {
      fc.assert(
        fc.property(groupArb(), (g) => {
          const first = assignor.assign(input(g));
          assert.equal(canonical(assignor.assign(input(shuffled(g), first))), canonical(assignor.assign(input(g, first))));
          assert.equal(canonical(assignor.assign(input(shuffled(g)))), canonical(first));
        }),
      );
    });

    it('is stable: assigning again from its own answer changes nothing', () => {
      fc.assert(
        fc.property(groupArb(), (g) => {
          const first = assignor.assign(input(g));
          assert.equal(canonical(assignor.assign(input(g, first))), canonical(first));
        }),
      );
    });
  });
}

describe('server assignor uniform', () => {
  it('spreads a homogeneous group within one partition of even', () => {
    fc.assert(
      fc.property(groupArb(true), fc.nat(1000), (g, seed) => {
        const r = uniformAssignor.assign(input(churn(g, seed), uniformAssignor.assign(input(g))));
        const counts = [...loads(r).values()];
        assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `loads ${counts}`);
      }),
    );
  });

  it('leaves no heterogeneous member two partitions above a subscriber of one of its topics', () => {
    fc.assert(
      fc.property(groupArb(false), fc.nat(1000), (g, seed) => {
        const next = churn(g, seed);
        const r = uniformAssignor.assign(input(next, uniformAssignor.assign(input(g))));
        const load = loads(r);
        for (const [heavy, topics] of r) {
          for (const light of next.members) {
            if (load.get(heavy)! - load.get(light.id)! < 2) continue;
            for (const t of topics.keys()) assert.ok(!light.topics.includes(t), `${heavy} (${load.get(heavy)}) could give ${t} to ${light.id} (${load.get(light.id)})`);
          }
        }
      }),
    );
  });

  it('moves a single partition when a fourth member joins a 2-2-2 group', () => {
    const g: Group = { counts: new Map([['t-a', 6]]), members: ['m1', 'm2', 'm3'].map((id) => ({ id, instance: null, topics: ['t-a'] })) };
    const before = uniformAssignor.assign(input(g));
    assert.deepEqual([...loads(before).values()], [2, 2, 2]);
    assert.deepEqual(
      [...before].map(([m, t]) => [m, [...t.get('t-a')!]]),
      [['m1', [0, 1]], ['m2', [2, 3]], ['m3', [4, 5]]],
    );
    const grown: Group = { ...g, members: [...g.members, { id: 'm0', instance: null, topics: ['t-a'] }] };
    const after = uniformAssignor.assign(input(grown, before));
    let moved = 0;
    for (const [m, topics] of after) for (const p of topics.get('t-a') ?? []) if (!(before.get(m)?.get('t-a')?.has(p) ?? false)) moved++;
    assert.equal(moved, 1);
    assert.deepEqual([...after.get('m0')!.get('t-a')!], [5]);
  });
});

describe('server assignor range', () => {
  it('gives co-subscribers the same ranges of each topic, static members first (Kafka order)', () => {
    const g: Group = {
      counts: new Map([['t-a', 5], ['t-b', 5]]),
      members: [
        { id: 'b', instance: null, topics: ['t-a', 't-b'] },
        { id: 'a', instance: null, topics: ['t-a', 't-b'] },
        { id: 'z', instance: 'inst-1', topics: ['t-a', 't-b'] },
      ],
    };
    const r = serverRangeAssignor.assign(input(g));
    const view = (m: string, t: string): number[] => [...(r.get(m)?.get(t) ?? [])];
    assert.deepEqual([view('z', 't-a'), view('a', 't-a'), view('b', 't-a')], [[0, 1], [2, 3], [4]]);
    assert.deepEqual([view('z', 't-b'), view('a', 't-b'), view('b', 't-b')], [[0, 1], [2, 3], [4]]);
  });

  it('ranges each topic over its own subscribers', () => {
    const g: Group = {
      counts: new Map([['t-a', 4], ['t-b', 2]]),
      members: [
        { id: 'a', instance: null, topics: ['t-a'] },
        { id: 'b', instance: null, topics: ['t-a', 't-b'] },
      ],
    };
    const r: Result = (serverRangeAssignor as ServerAssignor).assign(input(g));
    assert.deepEqual([...r.get('a')!.get('t-a')!], [0, 1]);
    assert.deepEqual([...r.get('b')!.get('t-a')!], [2, 3]);
    assert.deepEqual([...r.get('b')!.get('t-b')!], [0, 1]);
  });
});
