import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../protocol/errors.js';
import type { JoinGroupResponseInit, OffsetDeleteResponseInit, OffsetFetchResponseInit } from '../protocol/messages/index.js';
import { CoordinatorKit, subscription } from './test-kit.js';

const G = 'ledger';
const codes = (r: { topics: { partitions: { errorCode: number }[] }[] }) => r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));

function fetch(kit: CoordinatorKit, groupId: string, topics: { name: string; partitionIndexes: number[] }[] | null, version = 7) {
  return kit.send('offset-fetch', { groupId, topics }, { version }).response as OffsetFetchResponseInit;
}

describe('OffsetCommit', () => {
  it('accepts generation -1 commits to an unknown group, creating a simple group', () => {
    const kit = new CoordinatorKit();
    const r = kit.commit(G, { offsets: { 't-0': 10, 't-1': 20 } });
    assert.deepEqual(codes(r), [0, 0]);
    const g = kit.group(G)!;
    assert.equal(g.state, 'Empty');
    assert.equal(g.protocolType, null);
    assert.equal(kit.coordinator.committedOffset(G, 't', 1), 20);
  });

  it('answers ILLEGAL_GENERATION (v<9) or GROUP_ID_NOT_FOUND (v9) to a generation for an unknown group', () => {
    const kit = new CoordinatorKit();
    assert.deepEqual(codes(kit.commit(G, { generationIdOrMemberEpoch: 1, memberId: 'm', offsets: { 't-0': 1 }, version: 8 })), [ErrorCode.ILLEGAL_GENERATION]);
    assert.deepEqual(codes(kit.commit(G, { generationIdOrMemberEpoch: 1, memberId: 'm', offsets: { 't-0': 1 }, version: 9 })), [ErrorCode.GROUP_ID_NOT_FOUND]);
    assert.equal(kit.group(G), undefined);
  });

  it('checks member and generation on an active group', () => {
    const kit = new CoordinatorKit();
    const { memberIds, generationId } = kit.stableGroup(G, 1);
    const m = memberIds[0]!;
    assert.deepEqual(codes(kit.commit(G, { generationIdOrMemberEpoch: generationId + 1, memberId: m, offsets: { 't-0': 1 } })), [ErrorCode.ILLEGAL_GENERATION]);
    assert.deepEqual(codes(kit.commit(G, { generationIdOrMemberEpoch: generationId, memberId: 'x', offsets: { 't-0': 1 } })), [ErrorCode.UNKNOWN_MEMBER_ID]);
    // No member, no generation: only allowed on an Empty group.
    assert.deepEqual(codes(kit.commit(G, { offsets: { 't-0': 1 } })), [ErrorCode.UNKNOWN_MEMBER_ID]);
    assert.deepEqual(codes(kit.commit(G, { generationIdOrMemberEpoch: generationId, memberId: m, offsets: { 't-0': 1 } })), [ErrorCode.NONE]);
  });

  it('answers REBALANCE_IN_PROGRESS to commits during CompletingRebalance, accepts them once Stable', () => {
    const kit = new CoordinatorKit();
    const a = kit.joinDynamic(G);
    kit.advance(0);
    const gen = kit.answer<JoinGroupResponseInit>(a.requestId)!.generationId!;
    assert.equal(kit.group(G)!.state, 'CompletingRebalance');
    assert.deepEqual(codes(kit.commit(G, { generationIdOrMemberEpoch: gen, memberId: a.memberId, offsets: { 't-0': 1 } })), [ErrorCode.REBALANCE_IN_PROGRESS]);
    kit.sync(G, a.memberId, gen, []);
    assert.deepEqual(codes(kit.commit(G, { generationIdOrMemberEpoch: gen, memberId: a.memberId, offsets: { 't-0': 1 } })), [ErrorCode.NONE]);
  });

  it('accepts a commit of the current generation while PreparingRebalance', () => {
    const kit = new CoordinatorKit();
    const { memberIds, generationId } = kit.stableGroup(G, 2);
    kit.join(G, { memberId: memberIds[0]! });
    assert.equal(kit.group(G)!.state, 'PreparingRebalance');
    assert.deepEqual(codes(kit.commit(G, { generationIdOrMemberEpoch: generationId, memberId: memberIds[1]!, offsets: { 't-0': 7 } })), [ErrorCode.NONE]);
  });

  it('refuses metadata longer than offset.metadata.max.bytes with OFFSET_METADATA_TOO_LARGE, per partition', () => {
    const kit = new CoordinatorKit({ offsetMetadataMaxBytes: 10 });
    const r = kit.commit(G, {
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: 'x'.repeat(11) },
            { partitionIndex: 1, committedOffset: 2, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: 'x'.repeat(10) },
          ],
        },
      ],
    });
    assert.deepEqual(codes(r), [ErrorCode.OFFSET_METADATA_TOO_LARGE, ErrorCode.NONE]);
    assert.equal(kit.coordinator.committedOffset(G, 't', 0), -1);
    assert.equal(kit.coordinator.committedOffset(G, 't', 1), 2);
  });
});

describe('OffsetFetch', () => {
  it('returns -1 for partitions without a commit and for unknown groups, without error', () => {
    const kit = new CoordinatorKit();
    kit.commit(G, { offsets: { 't-0': 5 } });
    const r = fetch(kit, G, [{ name: 't', partitionIndexes: [0, 1] }]);
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.deepEqual(r.topics![0]!.partitions!.map((p) => p.committedOffset), [5, -1]);
    const unknown = fetch(kit, 'nope', [{ name: 't', partitionIndexes: [0] }]);
    assert.deepEqual(unknown.topics![0]!.partitions!.map((p) => [p.committedOffset, p.metadata, p.errorCode]), [[-1, '', 0]]);
  });

  it('returns every committed partition, sorted, for null topics', () => {
    const kit = new CoordinatorKit();
    kit.commit(G, { offsets: { 'b-1': 3, 'a-2': 2, 'a-0': 1 } });
    const r = fetch(kit, G, null);
    assert.deepEqual(r.topics!.map((t) => [t.name, t.partitions!.map((p) => p.partitionIndex)]), [['a', [0, 2]], ['b', [1]]]);
  });

  it('answers several groups at once on v8+', () => {
    const kit = new CoordinatorKit();
    kit.commit('g1', { offsets: { 't-0': 1 } });
    kit.commit('g2', { offsets: { 't-0': 2 } });
    const r = kit.send('offset-fetch', {
      groups: [
        { groupId: 'g1', memberId: null, memberEpoch: -1, topics: [{ name: 't', partitionIndexes: [0] }] },
        { groupId: 'g2', memberId: null, memberEpoch: -1, topics: null },
      ],
      requireStable: true,
    }, { version: 8 }).response as OffsetFetchResponseInit;
    assert.deepEqual(r.groups!.map((g) => [g.groupId, g.topics![0]!.partitions![0]!.committedOffset]), [['g1', 1], ['g2', 2]]);
  });
});

describe('OffsetDelete', () => {
  it('deletes offsets of an Empty group, and reports GROUP_ID_NOT_FOUND for unknown groups', () => {
    const kit = new CoordinatorKit();
    kit.commit(G, { offsets: { 't-0': 5 } });
    const r = kit.send('offset-delete', { groupId: G, topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] }).response as OffsetDeleteResponseInit;
    assert.deepEqual(codes(r), [ErrorCode.NONE]);
    assert.equal(kit.coordinator.committedOffset(G, 't', 0), -1);
    const unknown = kit.send('offset-delete', { groupId: 'nope', topics: [] }).response as OffsetDeleteResponseInit;
    assert.equal(unknown.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('refuses topics an active consumer group subscribes to with GROUP_SUBSCRIBED_TO_TOPIC', () => {
    const kit = new CoordinatorKit();
    const { memberIds, generationId } = kit.stableGroup(G, 1, { protocols: [{ name: 'range', metadata: subscription(['t']) }] });
    kit.commit(G, { generationIdOrMemberEpoch: generationId, memberId: memberIds[0]!, offsets: { 't-0': 5, 'old-0': 9 } });
    const r = kit.send('offset-delete', {
      groupId: G,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }, { name: 'old', partitions: [{ partitionIndex: 0 }] }],
    }).response as OffsetDeleteResponseInit;
    assert.deepEqual(codes(r), [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.NONE]);
    assert.equal(kit.coordinator.committedOffset(G, 't', 0), 5);
    assert.equal(kit.coordinator.committedOffset(G, 'old', 0), -1);
  });

  it('refuses an active group of another protocol type with NON_EMPTY_GROUP', () => {
    const kit = new CoordinatorKit();
    kit.stableGroup(G, 1, { protocolType: 'connect' });
    const r = kit.send('offset-delete', { groupId: G, topics: [] }).response as OffsetDeleteResponseInit;
    assert.equal(r.errorCode, ErrorCode.NON_EMPTY_GROUP);
  });
});

describe('offset retention', () => {
  const minute = 60_000;

  it('expires offsets of an Empty group retention after it became Empty, then deletes the group', () => {
    const kit = new CoordinatorKit({ offsetsRetentionMs: 10 * minute, offsetsRetentionCheckIntervalMs: minute });
    const { memberIds, generationId } = kit.stableGroup(G, 1);
    kit.commit(G, { generationIdOrMemberEpoch: generationId, memberId: memberIds[0]!, offsets: { 't-0': 5 } });
    for (let i = 0; i < 30; i++) {
      kit.advance(minute / 10);
      kit.heartbeat(G, memberIds[0]!, generationId);
    }
    assert.equal(kit.coordinator.committedOffset(G, 't', 0), 5, 'kept while the group has members');
    kit.leave(G, [{ memberId: memberIds[0]! }]);
    assert.equal(kit.group(G)!.state, 'Empty');
    kit.advance(9 * minute);
    assert.equal(kit.coordinator.committedOffset(G, 't', 0), 5, 'retention counts from when the group became Empty');
    kit.advance(2 * minute);
    assert.equal(kit.coordinator.committedOffset(G, 't', 0), -1);
    assert.equal(kit.group(G), undefined);
    assert.ok(kit.events.some((e) => e.type === 'group-deleted' && e.reason === 'offsets-expired'));
  });

  it('expires offsets of a simple group per offset, from its commit time', () => {
    const kit = new CoordinatorKit({ offsetsRetentionMs: 10 * minute, offsetsRetentionCheckIntervalMs: minute });
    kit.commit(G, { offsets: { 't-0': 1 } });
    kit.advance(5 * minute);
    kit.commit(G, { offsets: { 't-1': 2 } });
    kit.advance(6 * minute);
    assert.equal(kit.coordinator.committedOffset(G, 't', 0), -1);
    assert.equal(kit.coordinator.committedOffset(G, 't', 1), 2);
    assert.ok(kit.group(G));
  });

  it('keeps offsets of subscribed topics in a Stable consumer group, expiring the others', () => {
    const kit = new CoordinatorKit({ offsetsRetentionMs: 10 * minute, offsetsRetentionCheckIntervalMs: minute, minSessionTimeoutMs: 0, maxSessionTimeoutMs: 100 * minute });
    const { memberIds, generationId } = kit.stableGroup(G, 1, { sessionTimeoutMs: 60 * minute });
    kit.commit(G, { generationIdOrMemberEpoch: generationId, memberId: memberIds[0]!, offsets: { 't-0': 5, 'gone-0': 9 } });
    kit.advance(11 * minute);
    assert.equal(kit.coordinator.committedOffset(G, 't', 0), 5);
    assert.equal(kit.coordinator.committedOffset(G, 'gone', 0), -1);
  });
});

describe('deleted topics', () => {
  it('drop their committed offsets in every group', () => {
    const kit = new CoordinatorKit();
    kit.commit('a', { offsets: { 'gone-0': 1, 'kept-0': 2 } });
    kit.commit('b', { offsets: { 'gone-3': 4 } });
    const result = kit.coordinator.onTopicsDeleted(['gone'], kit.nowMs);
    assert.equal(result.records.length, 2);
    for (const r of result.records) kit.coordinator.replay(r);
    assert.equal(kit.coordinator.committedOffset('a', 'gone', 0), -1);
    assert.equal(kit.coordinator.committedOffset('b', 'gone', 3), -1);
    assert.equal(kit.coordinator.committedOffset('a', 'kept', 0), 2);
  });
});
