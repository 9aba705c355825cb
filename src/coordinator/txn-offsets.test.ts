import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../protocol/errors.js';
import type { JoinGroupResponse, OffsetFetchResponse, TxnOffsetCommitResponseInit } from '../protocol/messages/index.js';
import { decodeRecord, encodeRecordKey, encodeRecordValue, type CoordinatorRecord } from './records.js';
import { ConsumerKit, converge, topic } from './consumer/test-support.js';
import { CoordinatorKit } from './test-kit.js';

function txnCommit(kit: CoordinatorKit, groupId: string, producerId: number, offsets: Array<[string, number, number]>, member: { generationId?: number; memberId?: string } = {}) {
  const byTopic = new Map<string, Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }>>();
  for (const [topic, partitionIndex, committedOffset] of offsets) {
    const list = byTopic.get(topic) ?? [];
    list.push({ partitionIndex, committedOffset, committedLeaderEpoch: -1, committedMetadata: '' });
    byTopic.set(topic, list);
  }
  const { response } = kit.send('txn-offset-commit', {
    groupId,
    producerId,
    generationId: member.generationId ?? -1,
    memberId: member.memberId ?? '',
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  });
  return response as TxnOffsetCommitResponseInit;
}

function fetch(kit: CoordinatorKit, groupId: string, requireStable: boolean): Array<{ offset: number; errorCode: number }> {
  const { response } = kit.send('offset-fetch', { groupId, topics: [{ name: 't', partitionIndexes: [0, 1] }], requireStable });
  return (response as OffsetFetchResponse).topics[0]!.partitions.map((p) => ({ offset: p.committedOffset, errorCode: p.errorCode }));
}

function complete(kit: CoordinatorKit, groupId: string, producerId: number, committed: boolean): CoordinatorRecord[] {
  const result = kit.coordinator.onTransactionCompleted(groupId, producerId, committed, kit.nowMs);
  for (const r of result.records) {
    kit.log.push(r);
    kit.coordinator.replay(r);
  }
  return result.records;
}

describe('transactional offset commits', () => {
  it('stay invisible until the transaction commits; RequireStable reports them UNSTABLE_OFFSET_COMMIT meanwhile', () => {
    const kit = new CoordinatorKit();
    kit.send('offset-commit', { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: '', commitTimestamp: -1 }] }] });
    const r = txnCommit(kit, 'g', 42, [['t', 0, 10], ['t', 1, 20]]);
    assert.deepEqual(r.topics[0]!.partitions.map((p) => p.errorCode), [0, 0]);
    assert.deepEqual(fetch(kit, 'g', false), [{ offset: 5, errorCode: 0 }, { offset: -1, errorCode: 0 }]);
    assert.deepEqual(fetch(kit, 'g', true).map((p) => p.errorCode), [ErrorCode.UNSTABLE_OFFSET_COMMIT, ErrorCode.UNSTABLE_OFFSET_COMMIT]);
    assert.equal(kit.coordinator.hasPendingTransactionalOffset('g', 't', 1), true);
    complete(kit, 'g', 42, true);
    assert.deepEqual(fetch(kit, 'g', true), [{ offset: 10, errorCode: 0 }, { offset: 20, errorCode: 0 }]);
  });

  it('are dropped when the transaction aborts, and a producer without pending offsets writes nothing', () => {
    const kit = new CoordinatorKit();
    txnCommit(kit, 'g', 42, [['t', 0, 10]]);
    assert.deepEqual(complete(kit, 'g', 7, true), []);
    assert.equal(complete(kit, 'g', 42, false).length, 1);
    assert.deepEqual(fetch(kit, 'g', true), [{ offset: -1, errorCode: 0 }, { offset: -1, errorCode: 0 }]);
  });

  it('lose to a plain commit of the same partition made after them', () => {
    const kit = new CoordinatorKit();
    txnCommit(kit, 'g', 42, [['t', 0, 10]]);
    kit.send('offset-commit', { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 30, committedLeaderEpoch: -1, committedMetadata: '', commitTimestamp: -1 }] }] });
    complete(kit, 'g', 42, true);
    assert.equal(fetch(kit, 'g', false)[0]!.offset, 30);
  });

  it('survive a restart while pending, and commit after it', () => {
    const kit = new CoordinatorKit();
    txnCommit(kit, 'g', 42, [['t', 0, 10]]);
    const restarted = new CoordinatorKit({}, kit.log.map((r) => decodeRecord(encodeRecordKey(r), encodeRecordValue(r))));
    assert.equal(fetch(restarted, 'g', true)[0]!.errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT);
    complete(restarted, 'g', 42, true);
    assert.equal(fetch(restarted, 'g', true)[0]!.offset, 10);
    // The compaction snapshot rebuilds the same state, pending offsets included.
    const kit2 = new CoordinatorKit();
    txnCommit(kit2, 'g', 9, [['t', 1, 3]]);
    const fromSnapshot = new CoordinatorKit({}, kit2.coordinator.snapshotRecords());
    assert.equal(fromSnapshot.coordinator.durableFingerprint(), kit2.coordinator.durableFingerprint());
  });

  it('fence a zombie by generation (KIP-447): a member of an older generation is refused', () => {
    const kit = new CoordinatorKit();
    const first = kit.joinDynamic('g');
    kit.advance(0);
    const joined = kit.answer<JoinGroupResponse>(first.requestId)!;
    kit.sync('g', first.memberId, joined.generationId, [{ memberId: first.memberId, assignment: Buffer.alloc(0) }]);
    const ok = txnCommit(kit, 'g', 1, [['t', 0, 1]], { generationId: joined.generationId, memberId: first.memberId });
    assert.equal(ok.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    const stale = txnCommit(kit, 'g', 1, [['t', 0, 2]], { generationId: joined.generationId - 1, memberId: first.memberId });
    assert.equal(stale.topics[0]!.partitions[0]!.errorCode, ErrorCode.ILLEGAL_GENERATION);
    const unknown = txnCommit(kit, 'g', 1, [['t', 0, 2]], { generationId: joined.generationId, memberId: 'ghost' });
    assert.equal(unknown.topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    // Without member information (pre-KIP-447 producers) the commit is accepted even with members.
    const anonymous = txnCommit(kit, 'g', 1, [['t', 0, 3]]);
    assert.equal(anonymous.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    // An unknown group with a generation is ILLEGAL_GENERATION.
    assert.equal(txnCommit(kit, 'other', 1, [['t', 0, 1]], { generationId: 3, memberId: 'm' }).topics[0]!.partitions[0]!.errorCode, ErrorCode.ILLEGAL_GENERATION);
  });

  it('are removed with their group by DeleteGroups', () => {
    const kit = new CoordinatorKit();
    txnCommit(kit, 'g', 42, [['t', 0, 10]]);
    kit.send('delete-groups', { groupsNames: ['g'] });
    complete(kit, 'g', 42, true);
    assert.deepEqual(fetch(kit, 'g', true), [{ offset: -1, errorCode: 0 }, { offset: -1, errorCode: 0 }]);
  });

  it('round-trip as records', () => {
    const records: CoordinatorRecord[] = [
      { type: 'txn-offset-commit', groupId: 'g', producerId: 2 ** 41, topic: 't', partition: 2, value: { offset: 3, leaderEpoch: -1, metadata: 'm', commitTimestampMs: 4, expireTimestampMs: -1 } },
      { type: 'txn-offset-marker', groupId: 'g', producerId: 2 ** 41, committed: true },
      { type: 'txn-offset-marker', groupId: 'g', producerId: 5, committed: false },
    ];
    for (const r of records) assert.deepEqual(decodeRecord(encodeRecordKey(r), encodeRecordValue(r)), r);
  });
});

describe('transactional offset commits to a consumer group (KIP-848)', () => {
  it('check the member epoch as the group does (KIP-447 fencing), and never turn the group into a classic one', () => {
    const ck = new ConsumerKit([topic('t', 2)]);
    const a = ck.member('cg', 'a');
    a.join();
    converge(ck, [a]);
    const epoch = a.epoch;
    const codes = (member: { generationId?: number; memberId?: string }) => txnCommit(ck.kit, 'cg', 7, [['t', 0, 10]], member).topics[0]!.partitions.map((p) => p.errorCode);
    assert.deepEqual(codes({ generationId: epoch, memberId: 'a' }), [ErrorCode.NONE]);
    assert.deepEqual(codes({ generationId: epoch - 1, memberId: 'a' }), [ErrorCode.STALE_MEMBER_EPOCH], 'a zombie from an older epoch');
    assert.deepEqual(codes({ generationId: epoch, memberId: 'ghost' }), [ErrorCode.UNKNOWN_MEMBER_ID]);
    assert.deepEqual(codes({}), [ErrorCode.NONE], 'a producer that names no member (pre-KIP-447)');
    assert.equal(ck.kit.group('cg'), undefined, 'no classic group of the same name was created');
    complete(ck.kit, 'cg', 7, true);
    assert.equal(ck.coordinator.committedOffset('cg', 't', 0), 10);
  });
});
