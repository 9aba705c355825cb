import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../protocol/errors.js';
import type { JoinGroupResponseInit, SyncGroupResponseInit } from '../protocol/messages/index.js';
import { decodeRecord, encodeRecordKey, encodeRecordValue, type CoordinatorRecord } from './records.js';
import { subscribedTopicsOf } from './subscription.js';
import { CoordinatorKit, subscription } from './test-kit.js';

describe('coordinator records', () => {
  it('round-trip through their binary form, tombstones included', () => {
    const records: CoordinatorRecord[] = [
      {
        type: 'group-metadata',
        groupId: 'g',
        value: {
          protocolType: 'consumer',
          generationId: 7,
          protocolName: 'range',
          leaderId: 'm1',
          currentStateTimestampMs: 1_700_000_000_000,
          members: [
            {
              memberId: 'm1',
              groupInstanceId: 'i1',
              clientId: 'c',
              clientHost: '/10.0.0.1',
              rebalanceTimeoutMs: 300_000,
              sessionTimeoutMs: 45_000,
              subscription: Buffer.from([1, 2, 3]),
              assignment: Buffer.from([4]),
            },
          ],
        },
      },
      { type: 'group-metadata', groupId: 'g', value: null },
      { type: 'offset-commit', groupId: 'g', topic: 't', partition: 3, value: { offset: 2 ** 40, leaderEpoch: 5, metadata: 'é', commitTimestampMs: 9, expireTimestampMs: -1 } },
      { type: 'offset-commit', groupId: 'g', topic: 't', partition: 3, value: null },
    ];
    for (const r of records) assert.deepEqual(decodeRecord(encodeRecordKey(r), encodeRecordValue(r)), r);
  });

  it('give the same key to records that replace each other', () => {
    const a = encodeRecordKey({ type: 'offset-commit', groupId: 'g', topic: 't', partition: 0, value: null });
    const b = encodeRecordKey({ type: 'offset-commit', groupId: 'g', topic: 't', partition: 0, value: { offset: 1, leaderEpoch: -1, metadata: '', commitTimestampMs: 0, expireTimestampMs: -1 } });
    assert.deepEqual(a, b);
  });
});

describe('subscribedTopicsOf', () => {
  it('reads the topics of any subscription version through its v0 prefix', () => {
    assert.deepEqual(subscribedTopicsOf(subscription(['a', 'b'])), ['a', 'b']);
    const v3 = Buffer.concat([Buffer.from([0, 3]), subscription(['x']).subarray(2), Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff])]);
    assert.deepEqual(subscribedTopicsOf(v3), ['x']);
    assert.equal(subscribedTopicsOf(Buffer.from([0, 0, 0])), null);
  });
});

describe('restart from the log', () => {
  it('brings a Stable group back with its generation, members and assignments, and a fresh session timer', () => {
    const kit = new CoordinatorKit();
    const { memberIds, generationId, leaderId } = kit.stableGroup('g', 2, { sessionTimeoutMs: 5000 });
    kit.commit('g', { generationIdOrMemberEpoch: generationId, memberId: memberIds[1]!, offsets: { 't-0': 42 } });

    const restarted = new CoordinatorKit({}, kit.log);
    restarted.nowMs = kit.nowMs;
    assert.equal(restarted.coordinator.durableFingerprint(), kit.coordinator.durableFingerprint());
    const g = restarted.group('g')!;
    assert.equal(g.state, 'Stable');
    assert.equal(g.generationId, generationId);
    assert.equal(g.leaderId, leaderId);
    assert.deepEqual(g.members.map((m) => Buffer.from(m.assignment).toString()), ['c0', 'c1']);
    assert.equal(restarted.coordinator.committedOffset('g', 't', 0), 42);

    // A member that survived the restart carries on without rejoining.
    assert.equal(restarted.heartbeat('g', memberIds[0]!, generationId).errorCode, ErrorCode.NONE);
    const sync = restarted.sync('g', memberIds[1]!, generationId).response as SyncGroupResponseInit;
    assert.equal(Buffer.from(sync.assignment).toString(), 'c1');
    // The other one is gone: its session, re-armed at load, expires and the group rebalances.
    for (let i = 0; i < 5; i++) {
      restarted.advance(1000);
      restarted.heartbeat('g', memberIds[0]!, generationId);
    }
    assert.equal(restarted.group('g')!.state, 'PreparingRebalance');
  });

  it('brings back an Empty group with its generation, and a simple group with its offsets', () => {
    const kit = new CoordinatorKit();
    const { memberIds, generationId } = kit.stableGroup('g', 1);
    kit.leave('g', [{ memberId: memberIds[0]! }]);
    kit.commit('simple', { offsets: { 't-1': 5 } });
    const restarted = new CoordinatorKit({}, kit.log);
    assert.equal(restarted.group('g')!.state, 'Empty');
    assert.equal(restarted.group('g')!.generationId, generationId + 1);
    assert.equal(restarted.group('simple')!.protocolType, null);
    // A member joining after the restart starts generation + 2.
    const j = restarted.joinDynamic('g');
    restarted.advance(0);
    assert.equal(restarted.answer<JoinGroupResponseInit>(j.requestId)!.generationId, generationId + 2);
  });

  it('persists a static replacement, so the new member id survives a restart', () => {
    const kit = new CoordinatorKit();
    const j = kit.join('g', { instanceId: 'i', sessionTimeoutMs: 20_000 });
    kit.advance(0);
    const first = kit.answer<JoinGroupResponseInit>(j.requestId)!;
    kit.sync('g', first.memberId, first.generationId!, [{ memberId: first.memberId, assignment: Buffer.from('A') }], { instanceId: 'i' });
    const again = kit.join('g', { instanceId: 'i', sessionTimeoutMs: 20_000 }).response as JoinGroupResponseInit;
    const restarted = new CoordinatorKit({}, kit.log);
    assert.equal(restarted.group('g')!.members[0]!.memberId, again.memberId);
    assert.equal(restarted.heartbeat('g', first.memberId, first.generationId!, 'i').errorCode, ErrorCode.FENCED_INSTANCE_ID);
  });
});
