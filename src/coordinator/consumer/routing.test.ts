import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  ConsumerGroupDescribeResponseInit,
  DeleteGroupsResponseInit,
  DescribeGroupsResponseInit,
  JoinGroupResponseInit,
  ListGroupsResponseInit,
  OffsetCommitResponseInit,
  OffsetFetchResponseInit,
} from '../../protocol/messages/index.js';
import { ConsumerKit, converge, topic } from './test-support.js';

const G = 'ledger';

function setup() {
  const ck = new ConsumerKit([topic('orders', 2)]);
  const a = ck.member(G, 'a');
  a.join();
  converge(ck, [a]);
  return { ck, a };
}

function commit(ck: ConsumerKit, memberId: string, epoch: number, version = 9): number {
  const r = ck.kit.send(
    'offset-commit',
    { groupId: G, generationIdOrMemberEpoch: epoch, memberId, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 7, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] }] },
    { version },
  ).response as OffsetCommitResponseInit;
  return r.topics[0]!.partitions[0]!.errorCode;
}

function fetchV9(ck: ConsumerKit, memberId: string | null, memberEpoch: number): NonNullable<OffsetFetchResponseInit['groups']>[number] {
  const r = ck.kit.send('offset-fetch', { groups: [{ groupId: G, memberId, memberEpoch, topics: [{ name: 'orders', partitionIndexes: [0] }] }] }, { version: 9 }).response as OffsetFetchResponseInit;
  return r.groups![0]!;
}

describe('offsets of consumer groups (OffsetCommit / OffsetFetch v9)', () => {
  it('commits with the current member epoch, STALE_MEMBER_EPOCH otherwise, UNKNOWN_MEMBER_ID for strangers', () => {
    const { ck, a } = setup();
    assert.equal(commit(ck, 'a', a.epoch + 1), ErrorCode.STALE_MEMBER_EPOCH);
    assert.equal(commit(ck, 'a', a.epoch - 1), ErrorCode.STALE_MEMBER_EPOCH);
    assert.equal(commit(ck, 'x', a.epoch), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(commit(ck, '', -1), ErrorCode.UNKNOWN_MEMBER_ID, 'an admin commit needs an empty group');
    assert.equal(commit(ck, 'a', a.epoch, 8), ErrorCode.UNSUPPORTED_VERSION, 'consumer protocol members commit with v9+');
    assert.equal(commit(ck, 'a', a.epoch), ErrorCode.NONE);
    assert.equal(ck.coordinator.committedOffset(G, 'orders', 0), 7);
    a.leave();
    assert.equal(commit(ck, '', -1), ErrorCode.NONE, 'anyone may commit to an empty group');
  });

  it('fetches for the member at its epoch, or without member, and answers STALE_MEMBER_EPOCH or UNKNOWN_MEMBER_ID otherwise', () => {
    const { ck, a } = setup();
    commit(ck, 'a', a.epoch);
    assert.equal(fetchV9(ck, 'a', a.epoch).topics![0]!.partitions![0]!.committedOffset, 7);
    assert.equal(fetchV9(ck, null, -1).topics![0]!.partitions![0]!.committedOffset, 7);
    assert.equal(fetchV9(ck, 'a', a.epoch + 1).errorCode, ErrorCode.STALE_MEMBER_EPOCH);
    assert.equal(fetchV9(ck, 'x', 1).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const v7 = ck.kit.send('offset-fetch', { groupId: G, topics: [{ name: 'orders', partitionIndexes: [0] }] }, { version: 7 }).response as OffsetFetchResponseInit;
    assert.equal(v7.topics![0]!.partitions![0]!.committedOffset, 7);
  });
});

describe('group APIs meeting consumer groups', () => {
  it('lists consumer groups with their type and state, and filters by type', () => {
    const { ck } = setup();
    ck.kit.commit('simple', { offsets: { 't-0': 1 } });
    const list = (typesFilter: string[]) => (ck.kit.send('list-groups', { typesFilter }, { version: 5 }).response as ListGroupsResponseInit).groups;
    assert.deepEqual(list([]), [
      { groupId: G, protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' },
      { groupId: 'simple', protocolType: '', groupState: 'Empty', groupType: 'classic' },
    ]);
    assert.deepEqual(list(['Consumer']).map((g) => g.groupId), [G]);
    assert.deepEqual(list(['classic']).map((g) => g.groupId), ['simple']);
  });

  it('describes a consumer group as Dead in DescribeGroups, as Kafka does before v6', () => {
    const { ck } = setup();
    const r = ck.kit.send('describe-groups', { groups: [G] }, { version: 5 }).response as DescribeGroupsResponseInit;
    assert.equal(r.groups[0]!.groupState, 'Dead');
    assert.equal(r.groups[0]!.errorCode, ErrorCode.NONE);
  });

  it('deletes a consumer group only once it is empty, with its offsets', () => {
    const { ck, a } = setup();
    commit(ck, 'a', a.epoch);
    const del = () => (ck.kit.send('delete-groups', { groupsNames: [G, 'nope'] }).response as DeleteGroupsResponseInit).results.map((r) => r.errorCode);
    assert.deepEqual(del(), [ErrorCode.NON_EMPTY_GROUP, ErrorCode.GROUP_ID_NOT_FOUND]);
    a.leave();
    assert.deepEqual(del(), [ErrorCode.NONE, ErrorCode.GROUP_ID_NOT_FOUND]);
    assert.equal(ck.group(G), undefined);
    assert.equal(ck.coordinator.committedOffset(G, 'orders', 0), -1);
  });

  it('serves a JoinGroup to a consumer group with members from that group, and turns an empty one into a classic group', () => {
    const { ck, a } = setup();
    const join = () => ck.kit.join(G).response as JoinGroupResponseInit;
    assert.equal(join().errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    assert.equal(ck.group(G)!.members.length, 1, 'the classic member is not in before its second JoinGroup');
    commit(ck, 'a', a.epoch);
    a.leave();
    assert.equal(join().errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    assert.equal(ck.group(G), undefined);
    assert.equal(ck.coordinator.committedOffset(G, 'orders', 0), 7, 'offsets stay');
  });

  it('turns an empty classic group into a consumer group on the first heartbeat, keeping its offsets', () => {
    const ck = new ConsumerKit([topic('orders', 2)]);
    ck.kit.commit(G, { offsets: { 'orders-0': 3 } });
    assert.equal(ck.kit.group(G)!.state, 'Empty');
    const m = ck.member(G, 'a');
    assert.equal(m.join().errorCode, ErrorCode.NONE);
    assert.equal(ck.kit.group(G), undefined);
    assert.equal(ck.group(G)!.members.length, 1);
    assert.equal(ck.coordinator.committedOffset(G, 'orders', 0), 3);
  });

  it('refuses to convert a classic group whose members\' protocol bytes it cannot read (GROUP_ID_NOT_FOUND)', () => {
    const ck = new ConsumerKit([topic('orders', 2)]);
    ck.kit.stableGroup(G, 1);
    const r = ck.member(G, 'a').join();
    assert.equal(r.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    assert.match(r.errorMessage!, /Cannot upgrade/);
    assert.ok(ck.kit.group('ledger') !== undefined, 'the classic group is untouched');
  });
});

describe('offset retention of consumer groups', () => {
  it('expires offsets of topics nobody subscribes to, keeps subscribed ones, and deletes an empty group left without offsets', () => {
    const ck = new ConsumerKit([topic('orders', 2), topic('old', 1)], { offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
    const a = ck.member(G, 'a');
    a.join();
    converge(ck, [a]);
    for (const name of ['orders', 'old']) {
      ck.kit.send('offset-commit', { groupId: G, generationIdOrMemberEpoch: a.epoch, memberId: 'a', topics: [{ name, partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] }] }, { version: 9 });
    }
    for (let i = 0; i < 8; i++) {
      ck.kit.advance(10_000);
      a.beat();
    }
    assert.equal(ck.coordinator.committedOffset(G, 'old', 0), -1, 'not subscribed: expired');
    assert.equal(ck.coordinator.committedOffset(G, 'orders', 0), 1, 'subscribed: kept');
    a.leave();
    ck.kit.advance(10_000);
    assert.equal(ck.coordinator.committedOffset(G, 'orders', 0), -1);
    assert.equal(ck.group(G), undefined, 'the empty group is gone');
  });
});

describe('ConsumerGroupDescribe', () => {
  it('describes epochs, assignor and each member’s current and target partitions by topic name; v1 member types', () => {
    const { ck, a } = setup();
    ck.kit.stableGroup('classic', 1);
    const r = ck.kit.send('consumer-describe', { groupIds: [G, 'classic', 'nope', ''], includeAuthorizedOperations: true }).response as ConsumerGroupDescribeResponseInit;
    const [g, classic, nope, empty] = r.groups;
    assert.equal(g!.errorCode, ErrorCode.NONE);
    assert.equal(g!.groupState, 'Stable');
    assert.equal(g!.assignorName, 'uniform');
    assert.equal(g!.groupEpoch, a.epoch);
    assert.equal(g!.assignmentEpoch, a.epoch);
    assert.equal(g!.members.length, 1);
    const m = g!.members[0]!;
    assert.equal(m.memberId, 'a');
    assert.equal(m.memberType, 1);
    assert.deepEqual(m.subscribedTopicNames, ['orders']);
    assert.deepEqual(m.assignment.topicPartitions.map((t) => [t.topicName, t.partitions]), [['orders', [0, 1]]]);
    assert.deepEqual(m.targetAssignment.topicPartitions.map((t) => [t.topicName, t.partitions]), [['orders', [0, 1]]]);
    assert.equal(g!.authorizedOperations, (1 << 3) | (1 << 6) | (1 << 8));
    assert.deepEqual([classic, nope, empty].map((x) => x!.errorCode), [ErrorCode.GROUP_ID_NOT_FOUND, ErrorCode.GROUP_ID_NOT_FOUND, ErrorCode.INVALID_GROUP_ID]);
    assert.match(classic!.errorMessage!, /not a consumer group/);
  });
});
