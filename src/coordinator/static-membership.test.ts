import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../protocol/errors.js';
import type { JoinGroupResponseInit, SyncGroupResponseInit } from '../protocol/messages/index.js';
import { CoordinatorKit, subscription } from './test-kit.js';
import { PARKED } from './types.js';

const G = 'static';

/** Two static members (instances i0, i1) in a Stable group; i0 leads. */
function staticGroup(kit: CoordinatorKit, version = 5, rebalanceTimeoutMs = 30_000) {
  const j0 = kit.join(G, { instanceId: 'i0', clientId: 'c0', version, sessionTimeoutMs: 20_000, rebalanceTimeoutMs });
  const j1 = kit.join(G, { instanceId: 'i1', clientId: 'c1', version, sessionTimeoutMs: 20_000, rebalanceTimeoutMs });
  assert.equal(j0.response, PARKED, 'static members skip MEMBER_ID_REQUIRED');
  kit.advance(0);
  const a0 = kit.answer<JoinGroupResponseInit>(j0.requestId)!;
  const a1 = kit.answer<JoinGroupResponseInit>(j1.requestId)!;
  assert.match(a0.memberId, /^i0-/);
  const generationId = a0.generationId!;
  kit.sync(G, a0.memberId, generationId, [
    { memberId: a0.memberId, assignment: Buffer.from('A0') },
    { memberId: a1.memberId, assignment: Buffer.from('A1') },
  ], { instanceId: 'i0' });
  kit.sync(G, a1.memberId, generationId, [], { instanceId: 'i1' });
  assert.equal(kit.group(G)!.state, 'Stable');
  return { leader: a0.memberId, follower: a1.memberId, generationId };
}

describe('static membership (KIP-345)', () => {
  it('replaces a restarted follower without a rebalance; it gets its previous assignment', () => {
    const kit = new CoordinatorKit();
    const { leader, follower, generationId } = staticGroup(kit);
    const rejoin = kit.join(G, { instanceId: 'i1', clientId: 'c1' }).response as JoinGroupResponseInit;
    assert.equal(rejoin.errorCode, ErrorCode.NONE);
    assert.equal(rejoin.generationId, generationId);
    assert.notEqual(rejoin.memberId, follower);
    assert.equal(rejoin.leader, leader);
    assert.equal(kit.group(G)!.state, 'Stable');
    const sync = kit.sync(G, rejoin.memberId, generationId, [], { instanceId: 'i1' }).response as SyncGroupResponseInit;
    assert.equal(Buffer.from(sync.assignment).toString(), 'A1');
    assert.ok(kit.events.some((e) => e.type === 'static-member-replaced' && !e.rebalance));
    assert.ok(!kit.events.some((e) => e.type === 'rebalance-started' && e.generationId === generationId));
    const persisted = kit.log.at(-1)!;
    assert.ok(persisted.type === 'group-metadata' && persisted.value!.members.some((m) => m.memberId === rejoin.memberId));
  });

  it('fences the old member id with FENCED_INSTANCE_ID on every API', () => {
    const kit = new CoordinatorKit();
    const { follower, generationId } = staticGroup(kit);
    kit.join(G, { instanceId: 'i1', clientId: 'c1' });
    assert.equal(kit.heartbeat(G, follower, generationId, 'i1').errorCode, ErrorCode.FENCED_INSTANCE_ID);
    assert.equal((kit.sync(G, follower, generationId, [], { instanceId: 'i1' }).response as SyncGroupResponseInit).errorCode, ErrorCode.FENCED_INSTANCE_ID);
    assert.equal((kit.join(G, { instanceId: 'i1', memberId: follower }).response as JoinGroupResponseInit).errorCode, ErrorCode.FENCED_INSTANCE_ID);
    const commit = kit.commit(G, { generationIdOrMemberEpoch: generationId, memberId: follower, groupInstanceId: 'i1', offsets: { 't-0': 1 } });
    assert.equal(commit.topics[0]!.partitions[0]!.errorCode, ErrorCode.FENCED_INSTANCE_ID);
    assert.equal(kit.leave(G, [{ memberId: follower, groupInstanceId: 'i1' }]).members![0]!.errorCode, ErrorCode.FENCED_INSTANCE_ID);
    assert.ok(kit.events.filter((e) => e.type === 'member-fenced').length >= 5);
  });

  it('answers an unknown instance id with UNKNOWN_MEMBER_ID', () => {
    const kit = new CoordinatorKit();
    const { leader, generationId } = staticGroup(kit);
    assert.equal(kit.heartbeat(G, leader, generationId, 'nobody').errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('fences a parked request of the old incarnation', () => {
    const kit = new CoordinatorKit();
    const { leader, follower } = staticGroup(kit);
    kit.join(G, { instanceId: 'i0', memberId: leader, clientId: 'c0' }); // leader rejoins: rebalance
    const parked = kit.join(G, { instanceId: 'i1', memberId: follower, clientId: 'c1', protocols: [{ name: 'range', metadata: subscription(['t', 'x']) }] });
    // Both rejoined: the join phase completed. Start another and park the follower again.
    assert.notEqual(parked.response, PARKED);
    const gen = (parked.response as JoinGroupResponseInit).generationId!;
    const parkedSync = kit.sync(G, follower, gen, [], { instanceId: 'i1' });
    assert.equal(parkedSync.response, PARKED);
    const replacement = kit.join(G, { instanceId: 'i1', clientId: 'c1' });
    assert.equal(kit.answer<SyncGroupResponseInit>(parkedSync.requestId)!.errorCode, ErrorCode.FENCED_INSTANCE_ID);
    // In CompletingRebalance a replacement restarts the rebalance.
    assert.equal(kit.group(G)!.state, 'PreparingRebalance');
    assert.equal(replacement.response, PARKED);
  });

  it('sends SkipAssignment and the member list to a replaced leader on JoinGroup v9+', () => {
    const kit = new CoordinatorKit();
    const { leader, follower, generationId } = staticGroup(kit, 9);
    const r = kit.join(G, { instanceId: 'i0', clientId: 'c0', version: 9 }).response as JoinGroupResponseInit;
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.skipAssignment, true);
    assert.equal(r.leader, r.memberId);
    assert.deepEqual(r.members.map((m) => m.memberId).sort(), [r.memberId, follower].sort());
    assert.equal(kit.group(G)!.generationId, generationId);
    void leader;
  });

  it('names the old leader id before v9, so a replaced leader acts as a follower', () => {
    const kit = new CoordinatorKit();
    const { leader } = staticGroup(kit);
    const r = kit.join(G, { instanceId: 'i0', clientId: 'c0', version: 5 }).response as JoinGroupResponseInit;
    assert.equal(r.leader, leader);
    assert.notEqual(r.memberId, leader);
    assert.equal(r.skipAssignment, false);
    assert.deepEqual(r.members, []);
    assert.equal(kit.group(G)!.leaderId, r.memberId, 'the group itself knows the new id leads');
  });

  it('rebalances when the replaced member brings protocols that change the selection', () => {
    const kit = new CoordinatorKit();
    staticGroup(kit);
    const rr = { name: 'roundrobin', metadata: subscription(['t']) };
    const range = { name: 'range', metadata: subscription(['t']) };
    // With i1 preferring roundrobin and i0 range, the tie is broken by name: range stays.
    kit.join(G, { instanceId: 'i1', protocols: [rr, range] });
    assert.equal(kit.group(G)!.state, 'Stable');
    // Once both prefer roundrobin the selection changes: rebalance.
    kit.join(G, { instanceId: 'i0', protocols: [rr, range] });
    assert.equal(kit.group(G)!.state, 'PreparingRebalance');
    assert.ok(kit.events.some((e) => e.type === 'static-member-replaced' && e.rebalance));
  });

  it('keeps static members through a join phase they miss; dynamic ones would be dropped', () => {
    const kit = new CoordinatorKit();
    const { leader, follower } = staticGroup(kit, 5, 1000);
    kit.join(G, { instanceId: 'i0', memberId: leader, rebalanceTimeoutMs: 1000 });
    kit.advance(1000); // the join deadline passes without i1
    const g = kit.group(G)!;
    assert.equal(g.state, 'CompletingRebalance');
    assert.deepEqual(g.members.map((m) => m.memberId).sort(), [leader, follower].sort());
    assert.ok(!kit.events.some((e) => e.type === 'member-removed' && e.memberId === follower));
  });

  it('removes a static member by instance id with an empty member id (admin LeaveGroup)', () => {
    const kit = new CoordinatorKit();
    const { follower } = staticGroup(kit);
    const r = kit.leave(G, [{ memberId: '', groupInstanceId: 'i1' }, { memberId: '', groupInstanceId: 'i9' }]);
    assert.deepEqual(r.members!.map((m) => m.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
    assert.ok(!kit.group(G)!.members.some((m) => m.memberId === follower));
    assert.equal(kit.group(G)!.state, 'PreparingRebalance');
  });
});
