import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeRecord, encodeRecordKey, encodeRecordValue } from '../records.js';
import { ConsumerKit, converge, topic } from './test-support.js';

const G = 'billing';

describe('consumer groups: leaving, timeouts and static members', () => {
  it('a member that leaves (epoch -1) is gone at once and the others take its partitions', () => {
    const ck = new ConsumerKit([topic('orders', 4)]);
    const [a, b] = ['a', 'b'].map((id) => ck.member(G, id));
    a!.join();
    b!.join();
    converge(ck, [a!, b!]);
    const epoch = ck.group(G)!.groupEpoch;
    const r = a!.leave();
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.memberEpoch, -1);
    assert.equal(ck.group(G)!.members.length, 1);
    assert.equal(ck.group(G)!.groupEpoch, epoch + 1);
    converge(ck, [b!]);
    assert.deepEqual(b!.owned, { orders: [0, 1, 2, 3] });
    assert.ok(ck.kit.events.some((e) => e.type === 'consumer-member-removed' && e.reason === 'leave-request'));
  });

  it('fences a member after the session timeout, not before', () => {
    const ck = new ConsumerKit([topic('orders', 2)], { consumerSessionTimeoutMs: 45_000 });
    const [a, b] = ['a', 'b'].map((id) => ck.member(G, id));
    a!.join();
    b!.join();
    converge(ck, [a!, b!]);
    for (let t = 0; t < 8; t++) {
      ck.kit.advance(5000);
      a!.beat();
    }
    ck.kit.advance(4999);
    assert.equal(ck.group(G)!.members.length, 2, 'b is silent for 44.999 s: still in');
    ck.kit.advance(1);
    assert.equal(ck.group(G)!.members.length, 1, 'b is silent for 45 s: fenced');
    assert.ok(ck.kit.events.some((e) => e.type === 'consumer-member-removed' && e.reason === 'session-timeout' && e.memberId === 'b'));
    converge(ck, [a!]);
    assert.deepEqual(a!.owned, { orders: [0, 1] });
  });

  it('fences a member that does not revoke within its rebalance timeout', () => {
    const ck = new ConsumerKit([topic('orders', 2)]);
    const a = ck.member(G, 'a', { rebalanceTimeoutMs: 10_000 });
    a.join();
    const b = ck.member(G, 'b');
    b.join();
    const held = a.owned;
    a.beat(); // told to revoke one partition
    assert.equal(ck.group(G)!.members.find((m) => m.memberId === 'a')!.state, 'UNREVOKED_PARTITIONS');
    a.owned = held; // but keeps reporting both
    ck.kit.advance(9000);
    a.beat();
    b.beat();
    assert.equal(ck.group(G)!.members.length, 2);
    ck.kit.advance(1000);
    assert.deepEqual(ck.group(G)!.members.map((m) => m.memberId), ['b']);
    assert.ok(ck.kit.events.some((e) => e.type === 'consumer-member-removed' && e.reason === 'rebalance-timeout'));
  });

  it('gives a static member that left with -2 and came back its partitions without any reassignment', () => {
    const ck = new ConsumerKit([topic('orders', 4)]);
    const a = ck.member(G, 'a-1', { instanceId: 'host-a' });
    const b = ck.member(G, 'b-1', { instanceId: 'host-b' });
    a.join();
    b.join();
    converge(ck, [a, b]);
    const epoch = ck.group(G)!.groupEpoch;
    const had = a.owned;
    assert.equal(a.leave(-2).memberEpoch, -2);
    const again = ck.member(G, 'a-2', { instanceId: 'host-a' });
    const r = again.join();
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.deepEqual(again.owned, had, 'same partitions at once');
    assert.equal(ck.group(G)!.groupEpoch, epoch, 'no new group epoch');
    assert.deepEqual(ck.group(G)!.members.map((m) => m.memberId), ['a-2', 'b-1']);
    assert.equal(ck.group(G)!.state, 'Stable');
  });

  it('refuses a second live incarnation of a static member (UNRELEASED_INSTANCE_ID) and fences the old one (FENCED_INSTANCE_ID)', () => {
    const ck = new ConsumerKit([topic('orders', 2)]);
    const a = ck.member(G, 'a-1', { instanceId: 'host-a' });
    a.join();
    assert.equal(ck.member(G, 'a-2', { instanceId: 'host-a' }).join().errorCode, ErrorCode.UNRELEASED_INSTANCE_ID);
    a.leave(-2);
    ck.member(G, 'a-2', { instanceId: 'host-a' }).join();
    assert.equal(a.beat().errorCode, ErrorCode.FENCED_INSTANCE_ID);
  });
});

describe('consumer groups: topics and subscriptions', () => {
  it('assigns partitions added to a subscribed topic', () => {
    const ck = new ConsumerKit([topic('orders', 2)]);
    const [a, b] = ['a', 'b'].map((id) => ck.member(G, id));
    a!.join();
    b!.join();
    converge(ck, [a!, b!]);
    const epoch = ck.group(G)!.groupEpoch;
    ck.setTopics([topic('orders', 4)]);
    assert.equal(ck.group(G)!.groupEpoch, epoch + 1);
    assert.equal(ck.group(G)!.state, 'Assigning');
    converge(ck, [a!, b!]);
    assert.deepEqual([a!.owned.orders, b!.owned.orders].map((p) => p!.length), [2, 2]);
  });

  it('resolves a regex subscription now and again when a matching topic is created', () => {
    const ck = new ConsumerKit([topic('orders-eu', 1), topic('payments', 1)]);
    const a = ck.member(G, 'a', { regex: 'orders-.*' });
    a.join();
    converge(ck, [a]);
    assert.deepEqual(a.owned, { 'orders-eu': [0] });
    ck.setTopics([topic('orders-eu', 1), topic('payments', 1), topic('orders-us', 2)]);
    converge(ck, [a]);
    assert.deepEqual(a.owned, { 'orders-eu': [0], 'orders-us': [0, 1] });
    assert.deepEqual(ck.group(G)!.subscribedTopics.map((t) => t.name), ['orders-eu', 'orders-us']);
  });

  it('takes back the partitions of a topic a member no longer subscribes to', () => {
    const ck = new ConsumerKit([topic('orders', 1), topic('payments', 1)]);
    const a = ck.member(G, 'a', { topics: ['orders', 'payments'] });
    a.join();
    converge(ck, [a]);
    assert.deepEqual(a.owned, { orders: [0], payments: [0] });
    a.subscribe(['orders']);
    assert.deepEqual(a.owned, { orders: [0] }, 'told to revoke payments-0');
    assert.equal(ck.group(G)!.members[0]!.state, 'UNREVOKED_PARTITIONS');
    converge(ck, [a]);
    assert.equal(ck.group(G)!.state, 'Stable');
    assert.deepEqual(a.owned, { orders: [0] });
  });
});

describe('consumer groups: durability', () => {
  it('rebuilds the same groups from the log, and members carry on after a restart', () => {
    const ck = new ConsumerKit([topic('orders', 3)]);
    const members = ['a', 'b'].map((id) => ck.member(G, id, { regex: 'ord.*' }));
    for (const m of members) m.join();
    converge(ck, members);
    const fingerprint = ck.coordinator.durableFingerprint();
    const restarted = new ConsumerKit([topic('orders', 3)], {}, ck.kit.log);
    assert.equal(restarted.coordinator.durableFingerprint(), fingerprint);
    assert.deepEqual(restarted.group(G), ck.group(G));
    const again = members.map((m) => {
      const n = restarted.member(G, m.memberId, { regex: 'ord.*' });
      n.epoch = m.epoch;
      n.owned = m.owned;
      return n;
    });
    for (const n of again) assert.equal(n.beat().errorCode, ErrorCode.NONE);
  });

  it('encodes and decodes every consumer group record', () => {
    const ck = new ConsumerKit([topic('orders', 3)]);
    const m = ck.member(G, 'a', { instanceId: 'i', regex: 'o.*' });
    m.join();
    m.leave(-1);
    const kinds = new Set<string>();
    for (const r of ck.kit.log) {
      kinds.add(r.type);
      assert.deepEqual(decodeRecord(encodeRecordKey(r), encodeRecordValue(r)), r);
    }
    for (const kind of ['consumer-group', 'consumer-member', 'consumer-target-member', 'consumer-target-epoch', 'consumer-current', 'consumer-regex']) assert.ok(kinds.has(kind), kind);
  });
});
