import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../common/clock.js';
import { FetchPauses } from './fetch-pauses.js';
import { GroupClock } from './group-clock.js';
import { HeartbeatFaults } from './heartbeat-faults.js';
import { selects } from './member-selector.js';
import { RequestFailures } from './request-failures.js';
import { memberOfRequest, memberOfResponse, SeenMembers } from './seen-members.js';

const member = { groupId: 'g', memberId: 'm1', clientId: 'app-1', groupInstanceId: null };

describe('fault seam pieces', () => {
  it('GroupClock follows its base clock plus what was skipped, and never goes back', () => {
    const base = new ManualClock(1000);
    const clock = new GroupClock(base);
    clock.advance(500);
    base.advance(10);
    assert.equal(clock.nowMs(), 1510);
    assert.equal(clock.skippedTotalMs, 500);
    assert.throws(() => clock.advance(-1), RangeError);
  });

  it('a selector matches on every field it gives', () => {
    assert.ok(selects({}, member));
    assert.ok(selects({ groupId: 'g', clientId: 'app-1' }, member));
    assert.ok(!selects({ groupId: 'g', clientId: 'app-2' }, member));
    assert.ok(!selects({ groupInstanceId: 'host-1' }, member));
  });

  it('RequestFailures uses up the first matching rule, per API and client', () => {
    const f = new RequestFailures();
    f.add({ apiKey: 0, errorCode: 6, remaining: 2 });
    f.add({ apiKey: 1, errorCode: 7, remaining: 1, clientId: 'c' });
    assert.equal(f.take(1, 'other'), null);
    assert.equal(f.take(0, 'x'), 6);
    assert.equal(f.pending(), 2);
    assert.equal(f.take(1, 'c'), 7);
    assert.equal(f.take(0, 'y'), 6);
    assert.equal(f.take(0, 'y'), null);
    assert.equal(f.pending(), 0);
    assert.throws(() => f.add({ apiKey: 0, errorCode: 6, remaining: 0 }), RangeError);
  });

  it('dropped heartbeats wait for the fault to be lifted; delayed ones for the group clock', async () => {
    const clock = new GroupClock(new ManualClock(0));
    const h = new HeartbeatFaults(clock);
    const drop = h.add({ clientId: 'app-1' }, { kind: 'drop' });
    const delay = h.add({ memberId: 'm2' }, { kind: 'delay', delayMs: 60_000 });
    assert.equal(h.match(member), drop);
    assert.equal(h.match({ ...member, memberId: 'm2', clientId: 'app-2' }), delay);
    assert.equal(h.match({ ...member, clientId: 'app-3' }), null);
    const handled: string[] = [];
    const dropped = h.hold(drop, () => (handled.push('dropped'), 'a'));
    const delayed = h.hold(delay, () => (handled.push('delayed'), 'b'));
    clock.advance(59_999);
    h.clockMoved();
    assert.deepEqual(handled, []);
    clock.advance(1);
    h.clockMoved();
    assert.deepEqual(handled, ['delayed']);
    assert.equal(await delayed, 'b');
    assert.equal(h.heldCount, 1);
    h.remove((r) => r.id === drop.id);
    assert.equal(await dropped, 'a');
    assert.deepEqual(handled, ['delayed', 'dropped']);
    assert.equal(h.match(member), null);
  });

  it('FetchPauses pauses partitions and wakes waiters on resume', () => {
    const p = new FetchPauses();
    p.pause('t', 0);
    p.pause('t', 1);
    let woken = 0;
    p.onceResumed(() => woken++);
    assert.ok(p.isPaused('t', 0));
    p.resume('t', 0);
    assert.ok(!p.isPaused('t', 0) && p.isPaused('t', 1));
    assert.equal(woken, 1);
    p.resume('t');
    assert.ok(!p.isPaused('t', 1));
  });

  it('SeenMembers names members from requests and answers, and forgets nobody when a connection closes', () => {
    const seen = new SeenMembers();
    assert.equal(memberOfRequest(11, { groupId: 'g', memberId: '', groupInstanceId: null }, 'c'), null);
    const fromJoin = memberOfResponse(11, { groupId: 'g', groupInstanceId: 'i' }, { memberId: 'm1' }, 'c')!;
    assert.deepEqual(fromJoin, { groupId: 'g', memberId: 'm1', clientId: 'c', groupInstanceId: 'i' });
    seen.saw(fromJoin, 7);
    assert.ok(seen.connected('g', 'm1'));
    seen.connectionClosed(7);
    assert.ok(!seen.connected('g', 'm1'));
    const hb = memberOfRequest(68, { groupId: 'g', memberId: 'm1', instanceId: 'i' }, 'c')!;
    seen.saw(hb, 8);
    assert.ok(seen.connected('g', 'm1'), 'back on a new connection');
    assert.equal(memberOfRequest(3, { groupId: 'g', memberId: 'm1' }, 'c'), null);
  });
});
