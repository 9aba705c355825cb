import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../protocol/errors.js';
import type { DeleteGroupsResponseInit, DescribeGroupsResponseInit, ListGroupsResponseInit } from '../protocol/messages/index.js';
import { CoordinatorKit, subscription } from './test-kit.js';

function describeGroups(kit: CoordinatorKit, groups: string[], version = 4, includeAuthorizedOperations = false) {
  return kit.send('describe-groups', { groups, includeAuthorizedOperations }, { version }).response as DescribeGroupsResponseInit;
}

describe('DescribeGroups', () => {
  it('shows a Stable group with protocol, members, client ids, hosts, metadata and assignments', () => {
    const kit = new CoordinatorKit();
    const { memberIds } = kit.stableGroup('g', 2, { protocols: [{ name: 'range', metadata: subscription(['t']) }] });
    const [g] = describeGroups(kit, ['g']).groups;
    assert.equal(g!.errorCode, ErrorCode.NONE);
    assert.equal(g!.groupState, 'Stable');
    assert.equal(g!.protocolType, 'consumer');
    assert.equal(g!.protocolData, 'range');
    assert.deepEqual(g!.members.map((m) => [m.memberId, m.clientId, m.clientHost, Buffer.from(m.memberAssignment).toString()]), [
      [memberIds[0], 'c0', '/127.0.0.1', 'c0'],
      [memberIds[1], 'c1', '/127.0.0.1', 'c1'],
    ]);
    assert.deepEqual(Buffer.from(g!.members[0]!.memberMetadata), subscription(['t']));
    assert.equal(g!.authorizedOperations, -2147483648);
  });

  it('hides protocol, metadata and assignments outside Stable', () => {
    const kit = new CoordinatorKit();
    const { memberIds } = kit.stableGroup('g', 2);
    kit.join('g', { memberId: memberIds[0]! });
    const [g] = describeGroups(kit, ['g']).groups;
    assert.equal(g!.groupState, 'PreparingRebalance');
    assert.equal(g!.protocolData, '');
    assert.ok(g!.members.every((m) => m.memberMetadata.length === 0 && m.memberAssignment.length === 0));
  });

  it('reports an unknown group as Dead with error NONE', () => {
    const kit = new CoordinatorKit();
    const [g] = describeGroups(kit, ['missing']).groups;
    assert.deepEqual([g!.errorCode, g!.groupState, g!.protocolType, g!.members.length], [ErrorCode.NONE, 'Dead', '', 0]);
  });

  it('returns authorized operations when asked on v3+', () => {
    const kit = new CoordinatorKit();
    kit.commit('g', { offsets: { 't-0': 1 } });
    assert.notEqual(describeGroups(kit, ['g'], 3, true).groups[0]!.authorizedOperations, -2147483648);
  });
});

describe('ListGroups', () => {
  it('lists every group with its protocol type ("" for simple groups) and state, filtered by state on v4+', () => {
    const kit = new CoordinatorKit();
    kit.stableGroup('active', 1);
    kit.commit('simple', { offsets: { 't-0': 1 } });
    const all = kit.send('list-groups', {}).response as ListGroupsResponseInit;
    assert.deepEqual(all.groups.map((g) => [g.groupId, g.protocolType, g.groupState]), [
      ['active', 'consumer', 'Stable'],
      ['simple', '', 'Empty'],
    ]);
    const empty = kit.send('list-groups', { statesFilter: ['empty'] }).response as ListGroupsResponseInit;
    assert.deepEqual(empty.groups.map((g) => g.groupId), ['simple']);
    const consumerType = kit.send('list-groups', { typesFilter: ['consumer'] }, { version: 5 }).response as ListGroupsResponseInit;
    assert.deepEqual(consumerType.groups, []);
    const classicType = kit.send('list-groups', { typesFilter: ['Classic'] }, { version: 5 }).response as ListGroupsResponseInit;
    assert.equal(classicType.groups.length, 2);
  });
});

describe('DeleteGroups', () => {
  it('deletes Empty groups with their offsets; NON_EMPTY_GROUP and GROUP_ID_NOT_FOUND otherwise', () => {
    const kit = new CoordinatorKit();
    kit.stableGroup('busy', 1);
    kit.commit('idle', { offsets: { 't-0': 3 } });
    const r = kit.send('delete-groups', { groupsNames: ['idle', 'busy', 'ghost'] }).response as DeleteGroupsResponseInit;
    assert.deepEqual(r.results.map((x) => [x.groupId, x.errorCode]), [
      ['idle', ErrorCode.NONE],
      ['busy', ErrorCode.NON_EMPTY_GROUP],
      ['ghost', ErrorCode.GROUP_ID_NOT_FOUND],
    ]);
    assert.equal(kit.group('idle'), undefined);
    assert.equal(kit.coordinator.committedOffset('idle', 't', 0), -1);
    // A coordinator rebuilt from the log agrees.
    const restarted = new CoordinatorKit({}, kit.log);
    assert.equal(restarted.group('idle'), undefined);
    assert.ok(restarted.group('busy'));
  });
});
