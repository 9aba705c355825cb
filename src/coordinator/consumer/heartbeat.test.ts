import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../protocol/errors.js';
import { ConsumerKit, converge, topic, topicIdOf } from './test-support.js';

const G = 'orders-app';

function threeMembers(ck: ConsumerKit) {
  const members = ['m-a', 'm-b', 'm-c'].map((id) => ck.member(G, id));
  for (const m of members) m.join();
  converge(ck, members);
  return members;
}

describe('ConsumerGroupHeartbeat: joining and reconciling', () => {
  it('shares six partitions 2-2-2 among three members, each at the group epoch, the group Stable', () => {
    const ck = new ConsumerKit([topic('orders', 6)]);
    const members = threeMembers(ck);
    assert.deepEqual(members.map((m) => m.owned.orders?.length), [2, 2, 2]);
    const g = ck.group(G)!;
    assert.equal(g.state, 'Stable');
    assert.equal(g.assignor, 'uniform');
    assert.equal(g.assignmentEpoch, g.groupEpoch);
    for (const m of members) assert.equal(m.epoch, g.groupEpoch);
    assert.deepEqual(members.flatMap((m) => m.owned.orders!).sort(), [0, 1, 2, 3, 4, 5]);
  });

  it('revokes before it assigns: a joining member waits for the partition until its owner lets go', () => {
    const ck = new ConsumerKit([topic('orders', 6)]);
    const members = threeMembers(ck);
    const d = ck.member(G, 'm-0');
    d.join();
    assert.deepEqual(d.owned, {}, 'nothing is free yet');
    assert.equal(ck.group(G)!.members.find((m) => m.memberId === 'm-0')!.state, 'UNRELEASED_PARTITIONS');
    // The owner that must give one up learns it on its next heartbeat and stays at its epoch.
    const giver = members.find((m) => ck.group(G)!.members.find((v) => v.memberId === m.memberId)!.target[0]!.partitions.length === 1)!;
    const before = giver.epoch;
    giver.beat();
    assert.equal(giver.epoch, before, 'stays at its epoch until it revoked');
    assert.equal(ck.group(G)!.members.find((v) => v.memberId === giver.memberId)!.state, 'UNREVOKED_PARTITIONS');
    d.beat();
    assert.deepEqual(d.owned, {}, 'still owned by the giver');
    ck.checkSingleOwners(G);
    giver.beat(); // reports the smaller owned set: the revocation is done
    assert.ok(giver.epoch > before);
    d.beat();
    assert.equal(d.owned.orders?.length, 1);
    converge(ck, [...members, d]);
    assert.equal(ck.group(G)!.state, 'Stable');
    assert.deepEqual([...members, d].map((m) => m.owned.orders?.length ?? 0).sort(), [1, 1, 2, 2]);
  });

  it('answers only the changes: no assignment in a heartbeat that changed nothing', () => {
    const ck = new ConsumerKit([topic('orders', 2)]);
    const [a] = threeMembers(ck);
    const r = a!.beat();
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.assignment, null);
    assert.equal(r.heartbeatIntervalMs, 5000);
  });

  it('generates the member id for v0 members that send none', () => {
    const ck = new ConsumerKit([topic('orders', 1)]);
    const m = ck.member(G, '', { version: 0 });
    const r = m.join();
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.match(r.memberId!, /^uuid\d+$/);
    assert.equal(ck.group(G)!.members[0]!.memberId, r.memberId);
  });

  it('uses the range assignor when members ask for it', () => {
    const ck = new ConsumerKit([topic('orders', 5), topic('payments', 5)]);
    const members = ['b', 'a'].map((id) => ck.member(G, id, { topics: ['orders', 'payments'], assignor: 'range' }));
    for (const m of members) m.join();
    converge(ck, members);
    assert.equal(ck.group(G)!.assignor, 'range');
    assert.deepEqual(members[1]!.owned, { orders: [0, 1, 2], payments: [0, 1, 2] });
    assert.deepEqual(members[0]!.owned, { orders: [3, 4], payments: [3, 4] });
  });
});

describe('ConsumerGroupHeartbeat: errors', () => {
  it('refuses malformed requests with INVALID_REQUEST and names what is wrong', () => {
    const ck = new ConsumerKit([topic('orders', 1)]);
    const base = { groupId: G, memberId: 'm', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['orders'], topicPartitions: [] };
    const cases: [object, RegExp][] = [
      [{ memberId: '' }, /MemberId/],
      [{ groupId: '' }, /GroupId/],
      [{ instanceId: '' }, /InstanceId/],
      [{ rackId: '' }, /RackId/],
      [{ rebalanceTimeoutMs: -1 }, /RebalanceTimeoutMs/],
      [{ topicPartitions: null }, /TopicPartitions/],
      [{ topicPartitions: [{ topicId: topicIdOf('orders'), partitions: [0] }] }, /TopicPartitions/],
      [{ subscribedTopicNames: null }, /SubscribedTopic/],
      [{ memberEpoch: -2 }, /InstanceId can't be null/],
      [{ memberEpoch: -3 }, /MemberEpoch/],
    ];
    for (const [patch, message] of cases) {
      const r = ck.heartbeat({ ...base, ...patch });
      assert.equal(r.errorCode, ErrorCode.INVALID_REQUEST, JSON.stringify(patch));
      assert.match(r.errorMessage!, message);
    }
    assert.equal(ck.group(G), undefined, 'nothing was created');
  });

  it('answers UNSUPPORTED_ASSIGNOR and INVALID_REGULAR_EXPRESSION', () => {
    const ck = new ConsumerKit([topic('orders', 1)]);
    assert.equal(ck.member(G, 'm', { assignor: 'sticky' }).join().errorCode, ErrorCode.UNSUPPORTED_ASSIGNOR);
    const r = ck.member(G, 'm', { regex: 'orders(?=x)' }).join();
    assert.equal(r.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION);
    assert.match(r.errorMessage!, /not a valid regular expression/);
  });

  it('fences an epoch ahead of the coordinator, or behind it, except the previous one with owned partitions it still has', () => {
    const ck = new ConsumerKit([topic('orders', 2)]);
    const [a] = threeMembers(ck);
    const epoch = a!.epoch;
    const hb = (memberEpoch: number, owned = a!.owned) => ck.heartbeat({ groupId: G, memberId: a!.memberId, memberEpoch, topicPartitions: ck.wire(owned) });
    const view = ck.group(G)!.members.find((m) => m.memberId === a!.memberId)!;
    assert.equal(view.memberEpoch, epoch);
    const older = [...Array(epoch).keys()].find((e) => e > 0 && e !== view.previousMemberEpoch)!;
    assert.equal(hb(epoch + 1).errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
    assert.equal(hb(older).errorCode, ErrorCode.FENCED_MEMBER_EPOCH, `epoch ${older}`);
    assert.equal(hb(view.previousMemberEpoch, { orders: [0, 1] }).errorCode, ErrorCode.FENCED_MEMBER_EPOCH, 'previous epoch but owns more than assigned');
    assert.equal(hb(epoch).errorCode, ErrorCode.NONE);
  });

  it('tolerates a lost response: the previous epoch with a subset of the assignment is accepted', () => {
    const ck = new ConsumerKit([topic('orders', 4)]);
    const a = ck.member(G, 'a');
    a.join();
    const firstEpoch = a.epoch;
    const b = ck.member(G, 'b');
    b.join();
    a.beat(); // asked to revoke two partitions
    a.owned = { orders: a.owned.orders!.slice(0, 2) };
    const lostEpoch = a.epoch;
    a.beat(); // revocation done: moves to the new epoch, but pretend the answer was lost
    assert.ok(a.epoch > lostEpoch);
    const r = ck.heartbeat({ groupId: G, memberId: 'a', memberEpoch: lostEpoch, topicPartitions: ck.wire(a.owned) });
    assert.equal(r.errorCode, ErrorCode.NONE, `epoch ${lostEpoch} after ${firstEpoch}`);
    assert.equal(r.memberEpoch, a.epoch);
  });

  it('answers UNKNOWN_MEMBER_ID for unknown members and groups, and GROUP_MAX_SIZE_REACHED when full', () => {
    const ck = new ConsumerKit([topic('orders', 2)], { consumerMaxGroupSize: 2 });
    assert.equal(ck.heartbeat({ groupId: G, memberId: 'ghost', memberEpoch: 3, topicPartitions: [] }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    ck.member(G, 'a').join();
    assert.equal(ck.heartbeat({ groupId: G, memberId: 'ghost', memberEpoch: 3, topicPartitions: [] }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    ck.member(G, 'c').join();
    const r = ck.member(G, 'b').join();
    assert.equal(r.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
    assert.equal(ck.group(G)!.members.length, 2);
  });

  it('takes a known member back at epoch 0 when it rejoins without its partitions', () => {
    const ck = new ConsumerKit([topic('orders', 2)]);
    const [a, b] = ['a', 'b'].map((id) => ck.member(G, id));
    a!.join();
    b!.join();
    converge(ck, [a!, b!]);
    const had = a!.owned;
    const r = a!.join();
    assert.equal(r.errorCode, ErrorCode.NONE);
    ck.checkSingleOwners(G);
    converge(ck, [a!, b!]);
    assert.deepEqual(a!.owned, had, 'it gets its own partitions back');
  });
});
