import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TimelineEntry } from '../../../common/timeline/index.js';
import type { CoordinatorEvent, CoordinatorRecord } from '../../../coordinator/index.js';
import { ConsumerKit, topic, topicIdOf, type TestMember } from '../../../coordinator/consumer/test-support.js';
import { TimelineBuilder } from './builder.js';

const G = 'billing';

/**
 * The coordinator core in virtual time with the timeline builder fed each call's records and
 * events, as the broker's shell does.
 */
function observed(topics: Parameters<typeof topic>[], config = {}): { ck: ConsumerKit; entries: TimelineEntry[]; builder: TimelineBuilder } {
  const names = new Map(topics.map(([name]) => [topicIdOf(name), name]));
  const builder = new TimelineBuilder((id) => names.get(id));
  const entries: TimelineEntry[] = [];
  const ck = new ConsumerKit(topics.map(([n, p]) => topic(n, p)), config);
  const kit = ck.kit as unknown as { apply(result: unknown): void; log: CoordinatorRecord[]; events: CoordinatorEvent[]; nowMs: number };
  const apply = kit.apply.bind(kit);
  kit.apply = (result) => {
    const [records, events] = [kit.log.length, kit.events.length];
    apply(result);
    entries.push(...builder.apply(kit.log.slice(records), kit.events.slice(events), kit.nowMs).entries);
  };
  const setTopics = ck.setTopics.bind(ck);
  ck.setTopics = (list) => {
    for (const t of list) names.set(t.id, t.name);
    setTopics(list);
  };
  return { ck, entries, builder };
}

const at = (ck: ConsumerKit, ms: number) => ck.kit.advance(ms - ck.kit.nowMs);
const moves = (e: TimelineEntry) => e.partitions.moved.map((m) => [m.partition, m.from, m.to, m.pauseMs, m.revokeMs, m.acknowledged]);
const brief = (e: TimelineEntry) => ({
  epoch: [e.previousGenerationId, e.generationId], kind: e.kind, causes: e.causes.map((c) => c.kind),
  members: `${e.membersBefore.length}->${e.membersAfter.length}`,
  kept: e.partitions.kept.length, moved: e.partitions.moved.length, revoked: e.partitions.revoked.length, assigned: e.partitions.assigned.length,
});

describe('timeline: consumer groups (KIP-848) round by round', () => {
  it('join, scale-out, crash and partitions added: causes, epochs, moves and per-partition pauses', () => {
    const { ck, entries } = observed([['orders', 4]], { consumerSessionTimeoutMs: 10_000, consumerMinSessionTimeoutMs: 1000 });
    const a = ck.member(G, 'a');
    a.join();
    assert.equal(entries.length, 0, 'a round ends when the new owner acknowledges');
    at(ck, 100);
    a.beat();
    assert.equal(entries.length, 1);
    assert.deepEqual(brief(entries[0]!), { epoch: [null, 1], kind: 'rebalance', causes: ['member-joined'], members: '0->1', kept: 0, moved: 0, revoked: 0, assigned: 4 });
    assert.deepEqual([entries[0]!.startedAtMs, entries[0]!.completedAtMs, entries[0]!.rebalanceProtocol, entries[0]!.protocolName], [0, 100, 'consumer', 'uniform']);
    assert.equal(entries[0]!.causes[0]!.clientId, 'client');

    // b joins: a is asked to revoke two partitions at 1100, lets go at 1200, b gets them at 1300 and acknowledges at 1400.
    at(ck, 1000);
    const b = ck.member(G, 'b');
    b.join();
    at(ck, 1100);
    a.beat();
    at(ck, 1200);
    a.beat();
    at(ck, 1300);
    b.beat();
    assert.equal(entries.length, 1);
    at(ck, 1400);
    b.beat();
    assert.equal(entries.length, 2);
    const scaled = entries[1]!;
    assert.deepEqual(brief(scaled), { epoch: [1, 2], kind: 'rebalance', causes: ['member-joined'], members: '1->2', kept: 2, moved: 2, revoked: 0, assigned: 0 });
    assert.deepEqual(scaled.joined, ['b']);
    assert.deepEqual(moves(scaled), [[2, 'a', 'b', 300, 100, true], [3, 'a', 'b', 300, 100, true]]);
    assert.deepEqual(scaled.pause, { kind: 'per-partition', maxMs: 300, partitionsPaused: 2 });
    assert.deepEqual([scaled.startedAtMs, scaled.joinCompletedAtMs, scaled.completedAtMs], [1000, 1000, 1400]);

    // b goes silent: fenced at its session timeout; a takes its partitions on its next heartbeats.
    for (let t = 5000; t <= 11_000; t += 3000) {
      at(ck, t);
      a.beat();
    }
    at(ck, 11_400);
    assert.equal(ck.group(G)!.members.length, 1, 'b fenced at 11,400 (last heartbeat 1,400)');
    at(ck, 11_500);
    a.beat();
    at(ck, 11_600);
    a.beat();
    const crash = entries[2]!;
    assert.deepEqual(brief(crash), { epoch: [2, 3], kind: 'rebalance', causes: ['session-timeout'], members: '2->1', kept: 2, moved: 2, revoked: 0, assigned: 0 });
    assert.deepEqual(crash.left, ['b']);
    assert.deepEqual(moves(crash), [[2, 'b', 'a', 200, null, true], [3, 'b', 'a', 200, null, true]]);

    // Two more partitions: a metadata bump, assigned to a; nothing it had paused.
    at(ck, 12_000);
    ck.setTopics([topic('orders', 6)]);
    at(ck, 12_100);
    a.beat();
    at(ck, 12_200);
    a.beat();
    const grown = entries[3]!;
    assert.deepEqual(brief(grown), { epoch: [3, 4], kind: 'rebalance', causes: ['partitions-added'], members: '1->1', kept: 4, moved: 0, revoked: 0, assigned: 2 });
    assert.deepEqual(grown.causes[0], { kind: 'partitions-added', atMs: 12_000, topic: 'orders', partitionsBefore: 4, partitionsAfter: 6, coordinatorReason: 'metadata-changed' });
    assert.deepEqual(grown.pause, { kind: 'per-partition', maxMs: 0, partitionsPaused: 0 });

    // The last member leaves: the group is Empty and its partitions are revoked.
    at(ck, 13_000);
    a.leave();
    const emptied = entries[4]!;
    assert.deepEqual(brief(emptied), { epoch: [4, 5], kind: 'emptied', causes: ['member-left'], members: '1->0', kept: 0, moved: 0, revoked: 6, assigned: 0 });
  });

  it('a member that does not revoke in time: fenced by its rebalance timeout', () => {
    const { ck, entries } = observed([['orders', 2]]);
    const a = ck.member(G, 'a', { rebalanceTimeoutMs: 10_000 });
    a.join();
    a.beat();
    const b = ck.member(G, 'b');
    at(ck, 1000);
    b.join();
    const held = a.owned;
    a.beat();
    a.owned = held; // keeps both
    at(ck, 5000);
    a.beat();
    at(ck, 11_000);
    assert.equal(ck.group(G)!.members.length, 1);
    at(ck, 11_100);
    b.beat();
    at(ck, 11_200);
    b.beat();
    const fenced = entries.at(-1)!;
    assert.deepEqual(fenced.causes.map((c) => [c.kind, c.memberId]), [['member-joined', 'b'], ['rebalance-timeout', 'a']]);
    // Asked to give partition 1 up at 1,000; it kept partition 0 until it was fenced at 11,000.
    assert.deepEqual(moves(fenced), [[0, 'a', 'b', 200, null, true], [1, 'a', 'b', 10_200, 10_000, true]]);
  });

  it('a regex picks up a new topic: "topic created" naming the regex', () => {
    const { ck, entries } = observed([['orders', 1]]);
    const a = ck.member(G, 'a', { regex: 'ord.*' });
    a.join();
    a.beat();
    at(ck, 500);
    ck.setTopics([topic('orders', 1), topic('ordinals', 2)]);
    a.beat();
    a.beat();
    const created = entries.at(-1)!;
    assert.deepEqual(created.causes.map((c) => [c.kind, c.topic, c.regex, c.partitionsAfter]), [['topic-created', 'ordinals', 'ord.*', 2]]);
    assert.deepEqual(created.partitions.assigned.map((p) => `${p.topic}-${p.partition}`), ['ordinals-0', 'ordinals-1']);
  });

  it('a static member restarts: its new incarnation takes its place, no epoch bump, the pause runs from its leave', () => {
    const { ck, entries } = observed([['orders', 2]]);
    const a = ck.member(G, 'a1', { instanceId: 'pod-a' });
    const b = ck.member(G, 'b');
    a.join();
    b.join();
    for (const m of [a, b, a, b, b]) m.beat();
    const before = entries.length;
    const epoch = ck.group(G)!.groupEpoch;
    at(ck, 1000);
    a.leave(-2);
    assert.equal(entries.length, before, 'stepping out with -2 changes no assignment');
    at(ck, 3000);
    const again: TestMember = ck.member(G, 'a2', { instanceId: 'pod-a' });
    again.join();
    at(ck, 3100);
    again.beat();
    const replaced = entries.at(-1)!;
    assert.equal(entries.length, before + 1);
    assert.deepEqual(brief(replaced), { epoch: [epoch, epoch], kind: 'member-replaced', causes: ['static-replacement'], members: '2->2', kept: 1, moved: 1, revoked: 0, assigned: 0 });
    assert.deepEqual(replaced.partitions.moved.map((m) => [m.from, m.to, m.pauseMs]), [['a1', 'a2', 2100]]);
    assert.equal(replaced.causes[0]!.groupInstanceId, 'pod-a');
  });

  it('after a restart, the next round starts from the members of the last entry', () => {
    const { ck, entries } = observed([['orders', 2]]);
    const a = ck.member(G, 'a');
    a.join();
    a.beat();
    const fresh = new TimelineBuilder((id) => (id === topicIdOf('orders') ? 'orders' : undefined));
    fresh.restore(entries[0]!);
    const kit = ck.kit as unknown as { apply(result: unknown): void; log: CoordinatorRecord[]; events: CoordinatorEvent[]; nowMs: number };
    const later: TimelineEntry[] = [];
    const apply = kit.apply.bind(kit);
    kit.apply = (result) => {
      const [records, events] = [kit.log.length, kit.events.length];
      apply(result);
      later.push(...fresh.apply(kit.log.slice(records), kit.events.slice(events), kit.nowMs).entries);
    };
    at(ck, 1000);
    const b = ck.member(G, 'b');
    b.join();
    for (const m of [a, a, b, b]) m.beat();
    assert.deepEqual(brief(later[0]!), { epoch: [1, 2], kind: 'rebalance', causes: ['member-joined'], members: '1->2', kept: 1, moved: 1, revoked: 0, assigned: 0 });
  });
});
