import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../protocol/errors.js';
import type { JoinGroupResponseInit, SyncGroupResponseInit } from '../protocol/messages/index.js';
import { CoordinatorKit } from './test-kit.js';
import { PARKED } from './types.js';

const G = 'payments';

/** Two members through the join phase, nobody synced yet. */
function completingGroup(kit: CoordinatorKit) {
  const a = kit.joinDynamic(G, { clientId: 'a', rebalanceTimeoutMs: 5000, sessionTimeoutMs: 10_000 });
  const b = kit.joinDynamic(G, { clientId: 'b', rebalanceTimeoutMs: 5000, sessionTimeoutMs: 10_000 });
  kit.advance(0);
  const generationId = kit.answer<JoinGroupResponseInit>(a.requestId)!.generationId!;
  return { leader: a.memberId, follower: b.memberId, generationId };
}

describe('SyncGroup', () => {
  it('parks followers until the leader sends the assignment, then answers everyone with their own bytes', () => {
    const kit = new CoordinatorKit();
    const { leader, follower, generationId } = completingGroup(kit);
    const f = kit.sync(G, follower, generationId);
    assert.equal(f.response, PARKED);
    const l = kit.sync(G, leader, generationId, [
      { memberId: leader, assignment: Buffer.from('L') },
      { memberId: follower, assignment: Buffer.from('F') },
    ]);
    assert.equal((l.response as SyncGroupResponseInit).assignment.toString(), 'L');
    const fa = kit.answer<SyncGroupResponseInit>(f.requestId)!;
    assert.equal(fa.errorCode, ErrorCode.NONE);
    assert.equal(Buffer.from(fa.assignment).toString(), 'F');
    assert.equal(fa.protocolName, 'range');
    assert.equal(kit.group(G)!.state, 'Stable');
    const record = kit.log.at(-1)!;
    assert.equal(record.type, 'group-metadata');
    assert.equal(record.type === 'group-metadata' && record.value!.members.find((m) => m.memberId === follower)!.assignment.toString(), 'F');
  });

  it('gives members the leader left out an empty assignment', () => {
    const kit = new CoordinatorKit();
    const { leader, follower, generationId } = completingGroup(kit);
    kit.sync(G, leader, generationId, [{ memberId: leader, assignment: Buffer.from('L') }]);
    const f = kit.sync(G, follower, generationId).response as SyncGroupResponseInit;
    assert.equal(f.assignment.length, 0);
  });

  it('answers UNKNOWN_MEMBER_ID for an unknown group or member, ILLEGAL_GENERATION for a wrong generation', () => {
    const kit = new CoordinatorKit();
    assert.equal((kit.sync('nope', 'm', 1).response as SyncGroupResponseInit).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const { leader, generationId } = completingGroup(kit);
    assert.equal((kit.sync(G, 'stranger', generationId).response as SyncGroupResponseInit).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal((kit.sync(G, leader, generationId + 1).response as SyncGroupResponseInit).errorCode, ErrorCode.ILLEGAL_GENERATION);
    assert.equal((kit.sync('', leader, generationId).response as SyncGroupResponseInit).errorCode, ErrorCode.INVALID_GROUP_ID);
  });

  it('answers INCONSISTENT_GROUP_PROTOCOL when v5 protocol type or name differ (KIP-559)', () => {
    const kit = new CoordinatorKit();
    const { leader, generationId } = completingGroup(kit);
    const wrongName = kit.sync(G, leader, generationId, [], { version: 5, protocolType: 'consumer', protocolName: 'roundrobin' });
    assert.equal((wrongName.response as SyncGroupResponseInit).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const wrongType = kit.sync(G, leader, generationId, [], { version: 5, protocolType: 'connect', protocolName: 'range' });
    assert.equal((wrongType.response as SyncGroupResponseInit).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('answers REBALANCE_IN_PROGRESS while PreparingRebalance, and to parked syncs when a rebalance restarts', () => {
    const kit = new CoordinatorKit();
    const { leader, follower, generationId } = completingGroup(kit);
    const parked = kit.sync(G, follower, generationId);
    kit.join(G, { version: 3, clientId: 'late' }); // a new member: CompletingRebalance -> PreparingRebalance
    assert.equal(kit.answer<SyncGroupResponseInit>(parked.requestId)!.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    assert.equal((kit.sync(G, leader, generationId).response as SyncGroupResponseInit).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('removes members that never send SyncGroup within the rebalance timeout and rebalances', () => {
    const kit = new CoordinatorKit();
    const { leader, follower, generationId } = completingGroup(kit);
    kit.sync(G, leader, generationId, [{ memberId: leader, assignment: Buffer.from('L') }]);
    kit.heartbeat(G, follower, generationId);
    kit.advance(4999);
    assert.equal(kit.group(G)!.members.length, 2);
    kit.advance(1);
    assert.deepEqual(kit.group(G)!.members.map((m) => m.memberId), [leader]);
    assert.equal(kit.group(G)!.state, 'PreparingRebalance');
    assert.ok(kit.events.some((e) => e.type === 'member-removed' && e.memberId === follower && e.reason === 'sync-timeout'));
  });

  it('returns the stored assignment to a member syncing again while Stable', () => {
    const kit = new CoordinatorKit();
    const { memberIds, generationId } = kit.stableGroup(G, 3);
    const again = kit.sync(G, memberIds[2]!, generationId).response as SyncGroupResponseInit;
    assert.equal(Buffer.from(again.assignment).toString(), 'c2');
  });
});

describe('Heartbeat', () => {
  it('answers NONE when Stable and in CompletingRebalance, REBALANCE_IN_PROGRESS while PreparingRebalance', () => {
    const kit = new CoordinatorKit();
    const { leader, follower, generationId } = completingGroup(kit);
    assert.equal(kit.heartbeat(G, follower, generationId).errorCode, ErrorCode.NONE);
    kit.sync(G, leader, generationId, []);
    assert.equal(kit.heartbeat(G, follower, generationId).errorCode, ErrorCode.NONE);
    kit.join(G, { memberId: leader });
    assert.equal(kit.heartbeat(G, follower, generationId).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('reports unknown members, wrong generations and empty group ids with Kafka codes', () => {
    const kit = new CoordinatorKit();
    assert.equal(kit.heartbeat('none', 'm', 1).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(kit.heartbeat('', 'm', 1).errorCode, ErrorCode.INVALID_GROUP_ID);
    const { memberIds, generationId } = kit.stableGroup(G, 1);
    assert.equal(kit.heartbeat(G, 'other', generationId).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(kit.heartbeat(G, memberIds[0]!, generationId - 1).errorCode, ErrorCode.ILLEGAL_GENERATION);
  });

  it('removes a member after session.timeout.ms without heartbeats and rebalances the others', () => {
    const kit = new CoordinatorKit();
    const { memberIds, generationId } = kit.stableGroup(G, 3, { sessionTimeoutMs: 3000 });
    const [a, b, c] = memberIds as [string, string, string];
    for (let t = 0; t < 3; t++) {
      kit.advance(1000);
      kit.heartbeat(G, a, generationId);
      kit.heartbeat(G, b, generationId);
    }
    assert.deepEqual(kit.group(G)!.members.map((m) => m.memberId).sort(), [a, b].sort());
    assert.ok(kit.events.some((e) => e.type === 'member-removed' && e.memberId === c && e.reason === 'session-timeout'));
    assert.equal(kit.group(G)!.state, 'PreparingRebalance');
  });

  it('counts an offset commit as a heartbeat', () => {
    const kit = new CoordinatorKit();
    const { memberIds, generationId } = kit.stableGroup(G, 1, { sessionTimeoutMs: 3000 });
    kit.advance(2500);
    kit.commit(G, { generationIdOrMemberEpoch: generationId, memberId: memberIds[0]!, offsets: { 't-0': 5 } });
    kit.advance(2500);
    assert.equal(kit.group(G)!.state, 'Stable');
    kit.advance(500);
    assert.equal(kit.group(G)!.state, 'Empty');
  });
});

describe('LeaveGroup', () => {
  it('removes the member and rebalances the rest (v3 batch)', () => {
    const kit = new CoordinatorKit();
    const { memberIds } = kit.stableGroup(G, 2);
    const r = kit.leave(G, [{ memberId: memberIds[1]! }]);
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.deepEqual(r.members, [{ memberId: memberIds[1], groupInstanceId: null, errorCode: ErrorCode.NONE }]);
    assert.equal(kit.group(G)!.state, 'PreparingRebalance');
  });

  it('reports per-member errors in a batch and the single error at the top on v0-2', () => {
    const kit = new CoordinatorKit();
    const { memberIds } = kit.stableGroup(G, 1);
    const batch = kit.leave(G, [{ memberId: 'nobody' }, { memberId: memberIds[0]! }]);
    assert.deepEqual(batch.members!.map((m) => m.errorCode), [ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.NONE]);
    const v1 = kit.leave(G, [{ memberId: 'nobody' }], 1);
    assert.equal(v1.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('answers an unknown group with NONE at the top and UNKNOWN_MEMBER_ID per member', () => {
    const kit = new CoordinatorKit();
    const r = kit.leave('ghost', [{ memberId: 'm' }]);
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.members![0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('drops a pending member id and lets a waiting join phase complete', () => {
    const kit = new CoordinatorKit();
    const { memberIds } = kit.stableGroup(G, 1);
    const pending = (kit.join(G).response as JoinGroupResponseInit).memberId;
    const rejoin = kit.join(G, { memberId: memberIds[0]! });
    assert.equal(kit.answer(rejoin.requestId), undefined);
    kit.leave(G, [{ memberId: pending }]);
    assert.equal(kit.answer<JoinGroupResponseInit>(rejoin.requestId)!.generationId, 2);
  });

  it('lets the last member leave: the group becomes Empty at the next generation and is persisted', () => {
    const kit = new CoordinatorKit();
    const { memberIds, generationId } = kit.stableGroup(G, 1);
    kit.leave(G, [{ memberId: memberIds[0]! }]);
    const g = kit.group(G)!;
    assert.equal(g.state, 'Empty');
    assert.equal(g.generationId, generationId + 1);
    const last = kit.log.at(-1)!;
    assert.ok(last.type === 'group-metadata' && last.value!.members.length === 0 && last.value!.generationId === generationId + 1);
  });
});
