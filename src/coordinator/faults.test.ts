import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { converge, ConsumerKit, topic } from './consumer/test-support.js';
import { CoordinatorKit } from './test-kit.js';
import type { CoordinatorResult } from './types.js';

/** Applies a fault operation's result the way the broker's shell does (records replayed, events kept). */
function inject<T>(kit: CoordinatorKit, result: CoordinatorResult<T>): T {
  for (const r of result.records) {
    kit.log.push(r);
    kit.coordinator.replay(r);
  }
  kit.events.push(...result.events, ...kit.coordinator.afterReplay(kit.nowMs));
  return result.response as T;
}

describe('coordinator fault entry points (classic groups)', () => {
  it('forceRebalance sends a Stable group to PreparingRebalance with reason forced; an empty or unknown group cannot', () => {
    const kit = new CoordinatorKit();
    const { memberIds, generationId } = kit.stableGroup('g', 2);
    assert.equal(inject(kit, kit.coordinator.forceRebalance('g', kit.nowMs)), true);
    assert.equal(kit.group('g')!.state, 'PreparingRebalance');
    assert.deepEqual(kit.events.filter((e) => e.type === 'rebalance-started').at(-1), { type: 'rebalance-started', groupId: 'g', atMs: 0, reason: 'forced', generationId, memberId: null });
    // Members learn it from their heartbeat and rejoin.
    assert.equal(kit.heartbeat('g', memberIds[0]!, generationId).errorCode, 27);
    assert.equal(inject(kit, kit.coordinator.forceRebalance('nope', kit.nowMs)), false);
  });

  it('removeMember takes a member out now with the reason given, and the group rebalances without it', () => {
    const kit = new CoordinatorKit();
    const { memberIds } = kit.stableGroup('g', 2);
    assert.equal(inject(kit, kit.coordinator.removeMember('g', memberIds[1]!, 'rebalance-timeout', kit.nowMs)), true);
    const removed = kit.events.filter((e) => e.type === 'member-removed');
    assert.deepEqual(removed.map((e) => [e.memberId, e.reason]), [[memberIds[1], 'rebalance-timeout']]);
    assert.deepEqual(kit.group('g')!.members.map((m) => m.memberId), [memberIds[0]]);
    assert.equal(kit.group('g')!.state, 'PreparingRebalance');
    assert.equal(inject(kit, kit.coordinator.removeMember('g', 'ghost', 'session-timeout', kit.nowMs)), false);
  });

  it('extendSessions restarts the sessions of the members vouched for; the others expire on time', () => {
    const kit = new CoordinatorKit();
    const { memberIds } = kit.stableGroup('g', 2, { sessionTimeoutMs: 10_000 });
    kit.nowMs = 9_000;
    kit.coordinator.extendSessions(kit.nowMs, (_g, m) => m === memberIds[0]);
    kit.advance(1_500);
    assert.deepEqual(kit.events.filter((e) => e.type === 'member-removed').map((e) => [e.memberId, e.reason]), [[memberIds[1], 'session-timeout']]);
    assert.deepEqual(kit.group('g')!.members.map((m) => m.memberId), [memberIds[0]]);
  });
});

describe('coordinator fault entry points (consumer groups, KIP-848)', () => {
  it('forceRebalance moves the group to a new epoch (reason forced) that members reconcile to with the same partitions', () => {
    const ck = new ConsumerKit([topic('orders', 4)]);
    const a = ck.member('g', 'a');
    const b = ck.member('g', 'b');
    a.join();
    b.join();
    converge(ck, [a, b]);
    const epoch = ck.group('g')!.groupEpoch;
    const owned = [a.owned, b.owned];
    assert.equal(inject(ck.kit, ck.coordinator.forceRebalance('g', ck.kit.nowMs)), true);
    assert.equal(ck.group('g')!.groupEpoch, epoch + 1);
    assert.deepEqual(ck.kit.events.filter((e) => e.type === 'consumer-epoch-bumped').at(-1), { type: 'consumer-epoch-bumped', groupId: 'g', atMs: 0, groupEpoch: epoch + 1, reason: 'forced', memberId: null });
    converge(ck, [a, b]);
    assert.deepEqual([a.epoch, b.epoch], [epoch + 1, epoch + 1]);
    assert.deepEqual([a.owned, b.owned], owned);
  });

  it('removeMember fences a member; its next heartbeat is UNKNOWN_MEMBER_ID and the other gets everything', () => {
    const ck = new ConsumerKit([topic('orders', 4)]);
    const a = ck.member('g', 'a');
    const b = ck.member('g', 'b');
    a.join();
    b.join();
    converge(ck, [a, b]);
    assert.equal(inject(ck.kit, ck.coordinator.removeMember('g', 'b', 'session-timeout', ck.kit.nowMs)), true);
    assert.deepEqual(ck.kit.events.filter((e) => e.type === 'consumer-member-removed').map((e) => [e.memberId, e.reason]), [['b', 'session-timeout']]);
    assert.equal(b.beat().errorCode, 25);
    converge(ck, [a]);
    assert.deepEqual(a.owned, { orders: [0, 1, 2, 3] });
  });

  it('extendSessions keeps a member whose heartbeats are vouched for past the session timeout', () => {
    const ck = new ConsumerKit([topic('orders', 2)]);
    const a = ck.member('g', 'a');
    const b = ck.member('g', 'b');
    a.join();
    b.join();
    converge(ck, [a, b]);
    ck.kit.nowMs = 40_000;
    ck.coordinator.extendSessions(ck.kit.nowMs, (_g, m) => m === 'a');
    ck.kit.advance(10_000);
    assert.deepEqual(ck.group('g')!.members.map((m) => m.memberId), ['a']);
  });
});
