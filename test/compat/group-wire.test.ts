import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeSubscription } from '../../src/protocol/consumer-protocol.js';
import { RawConnection, startTestBroker, type TestBroker } from '../helpers/index.js';

/**
 * The group APIs over the wire at the edges of their advertised ranges (classic and flexible
 * encodings), checking the answers Kafka gives. The client compat files cover the versions real
 * clients send; this one covers the rest.
 */
describe('compat: group APIs on the wire', () => {
  let broker: TestBroker;
  const conns: RawConnection[] = [];
  const connect = async (): Promise<RawConnection> => {
    const c = await RawConnection.connect(broker.port);
    conns.push(c);
    return c;
  };
  before(async () => {
    broker = await startTestBroker();
    await broker.context.store.createTopic('wire', 2, {});
  });
  after(async () => {
    for (const c of conns) c.close();
    await broker.close();
  });

  const subscription = encodeSubscription({ topics: ['wire'] }, 0);

  it('advertises the group APIs with the version ranges Kafka clients need', async () => {
    const c = await connect();
    const versions = await c.request(18, 3, { clientSoftwareName: 'wire', clientSoftwareVersion: '1' });
    const range = (key: number) => {
      const k = versions.apiKeys.find((x) => x.apiKey === key)!;
      return [k.minVersion, k.maxVersion];
    };
    assert.deepEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 42, 47].map(range), [[2, 9], [1, 9], [0, 4], [0, 9], [0, 4], [0, 5], [0, 5], [0, 5], [0, 5], [0, 2], [0, 0]]);
  });

  it('FindCoordinator: this broker for groups and transactional ids (v0 and batched v4), INVALID_REQUEST for other key types', async () => {
    const c = await connect();
    const v0 = await c.request(10, 0, { key: 'g' });
    assert.deepEqual([v0.errorCode, v0.nodeId, v0.port], [ErrorCode.NONE, broker.config.nodeId, broker.port]);
    const v4 = await c.request(10, 4, { keyType: 0, coordinatorKeys: ['a', 'b'] });
    assert.deepEqual(v4.coordinators.map((x) => [x.key, x.errorCode, x.port]), [['a', 0, broker.port], ['b', 0, broker.port]]);
    const txn = await c.request(10, 4, { keyType: 1, coordinatorKeys: ['t'] });
    assert.deepEqual([txn.coordinators[0]!.errorCode, txn.coordinators[0]!.port], [ErrorCode.NONE, broker.port]);
    const share = await c.request(10, 4, { keyType: 2, coordinatorKeys: ['s'] });
    assert.equal(share.coordinators[0]!.errorCode, ErrorCode.INVALID_REQUEST);
  });

  it('static members on JoinGroup v9 / SyncGroup v5 / Heartbeat v4 / LeaveGroup v5, with SkipAssignment for a replaced leader', async () => {
    const [a, b] = [await connect(), await connect()];
    const join = (c: RawConnection, instance: string) =>
      c.request(11, 9, { groupId: 'static-wire', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 5000, memberId: '', groupInstanceId: instance, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription }], reason: 'test' });
    const [ja, jb] = await Promise.all([join(a, 'ia'), join(b, 'ib')]);
    assert.equal(ja.errorCode, ErrorCode.NONE);
    assert.equal(ja.generationId, jb.generationId);
    const leader = ja.leader === ja.memberId ? ja : jb;
    assert.equal(leader.members.length, 2);
    assert.deepEqual(leader.members.map((m) => m.groupInstanceId).sort(), ['ia', 'ib']);
    const assignments = leader.members.map((m) => ({ memberId: m.memberId, assignment: Buffer.from(m.groupInstanceId!) }));
    const wrong = await a.request(14, 5, { groupId: 'static-wire', generationId: ja.generationId, memberId: ja.memberId, groupInstanceId: 'ia', protocolType: 'consumer', protocolName: 'roundrobin', assignments: [] });
    assert.equal(wrong.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const sync = (c: RawConnection, r: typeof ja, instance: string) =>
      c.request(14, 5, { groupId: 'static-wire', generationId: r.generationId, memberId: r.memberId, groupInstanceId: instance, protocolType: 'consumer', protocolName: 'range', assignments: r === leader ? assignments : [] });
    const [sa, sb] = await Promise.all([sync(a, ja, 'ia'), sync(b, jb, 'ib')]);
    assert.deepEqual([Buffer.from(sa.assignment).toString(), Buffer.from(sb.assignment).toString(), sa.protocolName], ['ia', 'ib', 'range']);
    assert.equal((await a.request(12, 4, { groupId: 'static-wire', generationId: ja.generationId, memberId: ja.memberId, groupInstanceId: 'ia' })).errorCode, ErrorCode.NONE);

    // The leader's process restarts: same generation, SkipAssignment, the member list to watch.
    const leaderInstance = leader === ja ? 'ia' : 'ib';
    const restarted = await (await connect()).request(11, 9, { groupId: 'static-wire', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 5000, memberId: '', groupInstanceId: leaderInstance, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription }] });
    assert.deepEqual([restarted.errorCode, restarted.generationId, restarted.skipAssignment, restarted.leader === restarted.memberId, restarted.members.length], [ErrorCode.NONE, ja.generationId, true, true, 2]);
    // The old incarnation is fenced.
    const old = await a.request(12, 4, { groupId: 'static-wire', generationId: ja.generationId, memberId: leader.memberId, groupInstanceId: leaderInstance });
    assert.equal(old.errorCode, leaderInstance === 'ia' ? ErrorCode.FENCED_INSTANCE_ID : ErrorCode.NONE);

    const described = await a.request(15, 5, { groups: ['static-wire'], includeAuthorizedOperations: true });
    assert.deepEqual(described.groups[0]!.members.map((m) => m.groupInstanceId).sort(), ['ia', 'ib']);
    assert.equal(described.groups[0]!.groupState, 'Stable');

    // An admin removes both by instance id (batch LeaveGroup): the group empties.
    const left = await a.request(13, 5, { groupId: 'static-wire', members: [{ memberId: '', groupInstanceId: 'ia', reason: 'admin' }, { memberId: '', groupInstanceId: 'ib' }] });
    assert.deepEqual([left.errorCode, ...left.members.map((m) => m.errorCode)], [0, 0, 0]);
    const listed = await a.request(16, 5, { statesFilter: ['Empty'], typesFilter: ['classic'] });
    assert.ok(listed.groups.some((g) => g.groupId === 'static-wire' && g.groupState === 'Empty' && g.groupType === 'classic'));
  });

  it('JoinGroup v0 (no rebalance timeout, no member id round) and SyncGroup v0 still work', async () => {
    const c = await connect();
    const join = await c.request(11, 0, { groupId: 'old-wire', sessionTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription }] });
    assert.equal(join.errorCode, ErrorCode.NONE);
    assert.equal(join.generationId, 1);
    const sync = await c.request(14, 0, { groupId: 'old-wire', generationId: 1, memberId: join.memberId, assignments: [{ memberId: join.memberId, assignment: Buffer.from('x') }] });
    assert.equal(Buffer.from(sync.assignment).toString(), 'x');
    const leave = await c.request(13, 0, { groupId: 'old-wire', memberId: join.memberId });
    assert.equal(leave.errorCode, ErrorCode.NONE);
  });

  it('offsets: OffsetCommit v2/v9, OffsetFetch v1/v8, OffsetDelete v0 and DeleteGroups v2', async () => {
    const c = await connect();
    const partition = (offset: number) => ({ partitionIndex: 0, committedOffset: offset, committedMetadata: 'm' });
    const v9unknown = await c.request(8, 9, { groupId: 'offsets-wire', generationIdOrMemberEpoch: 3, memberId: 'x', topics: [{ name: 'wire', partitions: [partition(1)] }] });
    assert.equal(v9unknown.topics[0]!.partitions[0]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    const v2 = await c.request(8, 2, { groupId: 'offsets-wire', generationIdOrMemberEpoch: -1, memberId: '', retentionTimeMs: -1, topics: [{ name: 'wire', partitions: [partition(7)] }, { name: 'nope', partitions: [partition(1)] }] });
    assert.deepEqual(v2.topics.map((t) => [t.name, t.partitions[0]!.errorCode]), [['wire', 0], ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);

    const v1 = await c.request(9, 1, { groupId: 'offsets-wire', topics: [{ name: 'wire', partitionIndexes: [0, 1] }] });
    assert.deepEqual(v1.topics[0]!.partitions.map((p) => [p.committedOffset, p.metadata]), [[7, 'm'], [-1, '']]);
    const v8 = await c.request(9, 8, { groups: [{ groupId: 'offsets-wire', topics: null }, { groupId: 'unknown-wire', topics: [{ name: 'wire', partitionIndexes: [0] }] }], requireStable: true });
    assert.deepEqual(v8.groups.map((g) => [g.groupId, g.errorCode, g.topics[0]!.partitions[0]!.committedOffset]), [['offsets-wire', 0, 7], ['unknown-wire', 0, -1]]);

    const deleted = await c.request(47, 0, { groupId: 'offsets-wire', topics: [{ name: 'wire', partitions: [{ partitionIndex: 0 }] }] });
    assert.deepEqual([deleted.errorCode, deleted.topics[0]!.partitions[0]!.errorCode], [0, 0]);
    const after = await c.request(9, 7, { groupId: 'offsets-wire', topics: null, requireStable: false });
    assert.deepEqual(after.topics, []);
    const groups = await c.request(42, 2, { groupsNames: ['offsets-wire', 'never-wire'] });
    assert.deepEqual(groups.results.map((r) => [r.groupId, r.errorCode]), [['offsets-wire', 0], ['never-wire', ErrorCode.GROUP_ID_NOT_FOUND]]);
  });
});
