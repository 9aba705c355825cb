import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangeAssignor } from '../../assignors/range.js';
import { roundRobinAssignor } from '../../assignors/round-robin.js';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './embedded.js';
import { GroupMember } from './member.js';
import { flattenTopics } from './partitions.js';
import { MemberHarness, heartbeatResponse, joinResponse, syncResponse } from './test-harness.js';
import type { GroupAssignor, TopicPartition } from './types.js';

const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });

/** Round-robin over sorted members, offered for both protocols (a stand-in for cooperative-sticky). */
const coopAssignor: GroupAssignor = {
  name: 'test-coop',
  supportedProtocols: ['EAGER', 'COOPERATIVE'],
  assign(input) {
    const members = [...input.members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
    const out = new Map(members.map((m) => [m.memberId, { partitions: [] as Array<{ topic: string; partitions: number[] }>, userData: null }]));
    let i = 0;
    for (const [topic, count] of [...input.partitionsPerTopic].sort()) {
      for (let p = 0; p < count; p++) {
        const m = members[i++ % members.length]!;
        const entry = out.get(m.memberId)!;
        let t = entry.partitions.find((x) => x.topic === topic);
        if (t === undefined) entry.partitions.push((t = { topic, partitions: [] }));
        t.partitions.push(p);
      }
    }
    return out;
  },
};

/** Joins a single member as leader of generation 1 owning `partitions` of topic t. */
function joinAlone(h: MemberHarness, partitions = 4, memberId = 'm-1'): void {
  h.subscribe(['t']);
  h.found();
  const join = h.lastSent('JoinGroup');
  const protocolName = h.member.protocol === 'COOPERATIVE' ? 'test-coop' : 'range';
  h.reply(join.requestId, joinResponse({ memberId, leader: memberId, protocolName, members: [{ memberId, groupInstanceId: null, metadata: Buffer.from(join.body.protocols[0]!.metadata) }] }));
  const need = h.last('need-metadata');
  h.metadata(need.requestId, { t: partitions });
  const sync = h.lastSent('SyncGroup');
  h.reply(sync.requestId, syncResponse(Buffer.from(sync.body.assignments[0]!.assignment)));
  h.done(h.last('assign').token);
  assert.equal(h.member.state, 'stable');
}

test('first join: FindCoordinator, JoinGroup with no member id, MEMBER_ID_REQUIRED rejoins at once with the given id', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor] });
  assert.deepEqual(h.subscribe(['b', 'a']), [{ type: 'find-coordinator', groupId: 'g' }]);
  h.found(7);
  const first = h.lastSent('JoinGroup');
  assert.equal(first.body.memberId, '');
  assert.equal(first.body.sessionTimeoutMs, 45_000);
  assert.equal(first.body.rebalanceTimeoutMs, 300_000);
  assert.equal(first.body.protocolType, 'consumer');
  assert.deepEqual(first.body.protocols.map((p) => p.name), ['range']);
  const sub = decodeSubscription('x', null, Buffer.from(first.body.protocols[0]!.metadata));
  assert.deepEqual(sub.topics, ['a', 'b']);
  assert.equal(sub.generationId, -1);
  h.reply(first.requestId, joinResponse({ errorCode: ErrorCode.MEMBER_ID_REQUIRED, memberId: 'samsa-1', generationId: -1 }));
  const second = h.lastSent('JoinGroup');
  assert.notEqual(second.requestId, first.requestId);
  assert.equal(second.body.memberId, 'samsa-1');
  assert.equal(h.member.state, 'joining');
});

test('leader: asks for the group topics, assigns with the chosen assignor, syncs, becomes stable, heartbeats every interval', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor] });
  h.subscribe(['t']);
  h.found();
  const join = h.lastSent('JoinGroup');
  const otherMeta = encodeSubscription({ topics: ['t', 'u'], userData: null, ownedPartitions: [], generationId: -1, rackId: null });
  h.reply(join.requestId, joinResponse({
    memberId: 'a', leader: 'a', generationId: 5,
    members: [
      { memberId: 'a', groupInstanceId: null, metadata: Buffer.from(join.body.protocols[0]!.metadata) },
      { memberId: 'b', groupInstanceId: null, metadata: otherMeta },
    ],
  }));
  assert.equal(h.member.state, 'assigning');
  const need = h.last('need-metadata');
  assert.deepEqual(need.topics, ['t', 'u']);
  h.metadata(need.requestId, { t: 4, u: 2 });
  const sync = h.lastSent('SyncGroup');
  assert.equal(sync.body.generationId, 5);
  assert.equal(sync.body.protocolName, 'range');
  const plan = new Map(sync.body.assignments.map((a) => [a.memberId, decodeAssignment(Buffer.from(a.assignment)).partitions]));
  assert.deepEqual(plan.get('a'), [tp('t', 0), tp('t', 1)]);
  assert.deepEqual(plan.get('b'), [tp('t', 2), tp('t', 3), tp('u', 0), tp('u', 1)]);
  h.nowMs = 40;
  h.reply(sync.requestId, syncResponse(Buffer.from(sync.body.assignments[0]!.assignment)));
  const assign = h.last('assign');
  assert.deepEqual(assign.assigned, [tp('t', 0), tp('t', 1)]);
  assert.deepEqual(assign.added, assign.assigned);
  assert.deepEqual(assign.revoked, []);
  assert.equal(h.member.state, 'stable');
  assert.equal(h.events('rebalance-end').length, 1);
  h.done(assign.token);
  // Heartbeats: the JoinGroup answer (t=0) started the clock; every 3000 ms after the last send.
  assert.equal(h.sentCount('Heartbeat'), 0);
  h.advance(2_959); // t=2999
  assert.equal(h.sentCount('Heartbeat'), 0);
  h.advance(1);
  assert.equal(h.sentCount('Heartbeat'), 1);
  h.advance(1_000); // t=4000, the answer has not come yet
  assert.equal(h.sentCount('Heartbeat'), 1, 'one heartbeat in flight at a time');
  assert.equal(h.sentCount('Heartbeat'), 1, 'one heartbeat in flight at a time');
  h.reply(h.lastSent('Heartbeat').requestId, heartbeatResponse());
  assert.equal(h.member.nextDeadlineMs(), 6_000, 'next one an interval after the last send');
  h.advance(2_000);
  assert.equal(h.sentCount('Heartbeat'), 2);
});

test('follower syncs with no assignments; an empty assignment means no partitions', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor] });
  h.subscribe(['t']);
  h.found();
  h.reply(h.lastSent('JoinGroup').requestId, joinResponse({ memberId: 'b', leader: 'a' }));
  const sync = h.lastSent('SyncGroup');
  assert.deepEqual(sync.body.assignments, []);
  h.reply(sync.requestId, syncResponse(Buffer.alloc(0)));
  assert.deepEqual(h.last('assign').assigned, []);
  assert.equal(h.member.isLeader, false);
});

test('JoinGroup v9 SkipAssignment: a replaced static leader syncs like a follower', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor], groupInstanceId: 'i-1' });
  h.subscribe(['t']);
  h.found();
  h.reply(h.lastSent('JoinGroup').requestId, joinResponse({ memberId: 'a', leader: 'a', skipAssignment: true }));
  assert.deepEqual(h.lastSent('SyncGroup').body.assignments, []);
});

test('a heartbeat keeps going while the handler is slower than the session timeout; only maxPollIntervalMs makes the member leave', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor], sessionTimeoutMs: 10_000, maxPollIntervalMs: 60_000 });
  joinAlone(h);
  h.poll(); // t=0: the handler starts and never returns
  for (let t = 0; t < 59_000; t += 1_000) {
    h.advance(1_000);
    const hb = h.actions.at(-1);
    if (hb?.type === 'send' && hb.request.api === 'Heartbeat') h.reply(hb.requestId, heartbeatResponse());
  }
  assert.equal(h.member.state, 'stable');
  assert.ok(h.sentCount('Heartbeat') >= 19);
  assert.equal(h.sentCount('LeaveGroup'), 0);
  h.advance(1_001);
  assert.equal(h.events('poll-timeout').length, 1);
  const leave = h.lastSent('LeaveGroup');
  assert.equal(leave.body.members![0]!.memberId, 'm-1');
  assert.equal(h.member.generation.memberId, '');
  // Everything owned is lost (no commit possible) and no JoinGroup goes out until poll().
  const lost = h.last('revoke');
  assert.equal(lost.lost, true);
  assert.deepEqual(lost.partitions.length, 4);
  h.done(lost.token);
  const joinsBefore = h.sentCount('JoinGroup');
  h.advance(10_000);
  assert.equal(h.sentCount('JoinGroup'), joinsBefore);
  h.poll();
  assert.equal(h.sentCount('JoinGroup'), joinsBefore + 1);
  assert.equal(h.lastSent('JoinGroup').body.memberId, '');
});

test('a static member that misses maxPollIntervalMs does not send LeaveGroup (KIP-345)', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor], groupInstanceId: 'i-1', maxPollIntervalMs: 10_000 });
  joinAlone(h);
  h.advance(10_001);
  assert.equal(h.events('poll-timeout').length, 1);
  assert.equal(h.sentCount('LeaveGroup'), 0);
  assert.equal(h.member.state, 'unjoined');
});

test('eager: REBALANCE_IN_PROGRESS on a heartbeat revokes everything first, heartbeats continue meanwhile, then rejoins', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor] });
  joinAlone(h);
  h.advance(3_000);
  h.reply(h.lastSent('Heartbeat').requestId, heartbeatResponse(ErrorCode.REBALANCE_IN_PROGRESS));
  const revoke = h.last('revoke');
  assert.equal(revoke.lost, false);
  assert.equal(revoke.partitions.length, 4);
  assert.equal(h.member.state, 'preparing');
  assert.deepEqual(h.member.commitIdentity(), { generationId: 1, memberId: 'm-1', groupInstanceId: null });
  const joins = h.sentCount('JoinGroup');
  h.advance(3_000);
  assert.equal(h.sentCount('JoinGroup'), joins, 'no JoinGroup before the listener finished');
  assert.equal(h.sentCount('Heartbeat'), 2, 'heartbeats continue while revoking');
  h.done(revoke.token);
  const join = h.lastSent('JoinGroup');
  assert.equal(join.body.memberId, 'm-1');
  assert.equal(h.member.state, 'joining');
  const sub = decodeSubscription('m-1', null, Buffer.from(join.body.protocols[0]!.metadata));
  assert.deepEqual(sub.ownedPartitions, [], 'eager members own nothing when they rejoin');
});

test('heartbeat UNKNOWN_MEMBER_ID resets the member id: partitions are lost, the rejoin starts over', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor] });
  joinAlone(h);
  h.advance(3_000);
  h.reply(h.lastSent('Heartbeat').requestId, heartbeatResponse(ErrorCode.UNKNOWN_MEMBER_ID));
  const lost = h.last('revoke');
  assert.equal(lost.lost, true);
  assert.equal(h.member.commitIdentity(), null);
  h.done(lost.token);
  assert.equal(h.lastSent('JoinGroup').body.memberId, '');
});

test('heartbeat ILLEGAL_GENERATION keeps the member id but loses the generation', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor] });
  joinAlone(h);
  h.advance(3_000);
  h.reply(h.lastSent('Heartbeat').requestId, heartbeatResponse(ErrorCode.ILLEGAL_GENERATION));
  assert.equal(h.last('revoke').lost, true);
  h.done(h.last('revoke').token);
  assert.equal(h.lastSent('JoinGroup').body.memberId, 'm-1');
  assert.equal(h.member.generation.generationId, -1);
});

test('heartbeat FENCED_INSTANCE_ID is fatal; a stale answer for an older generation is ignored', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor], groupInstanceId: 'i' });
  joinAlone(h);
  h.advance(3_000);
  const stale = h.lastSent('Heartbeat');
  // Simulate a rejoin finishing before the old heartbeat's answer arrives.
  h.reply(stale.requestId, heartbeatResponse(ErrorCode.REBALANCE_IN_PROGRESS));
  h.done(h.last('revoke').token);
  const join = h.lastSent('JoinGroup');
  h.reply(join.requestId, joinResponse({ memberId: 'm-1', leader: 'x', generationId: 2 }));
  h.reply(h.lastSent('SyncGroup').requestId, syncResponse(Buffer.alloc(0)));
  h.advance(3_000);
  h.reply(h.lastSent('Heartbeat').requestId, heartbeatResponse(ErrorCode.FENCED_INSTANCE_ID));
  assert.equal(h.member.state, 'failed');
  assert.equal(h.last('fatal').errorCode, ErrorCode.FENCED_INSTANCE_ID);
});

test('heartbeat NOT_COORDINATOR rediscovers the coordinator without leaving the generation', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor] });
  joinAlone(h);
  h.advance(3_000);
  h.reply(h.lastSent('Heartbeat').requestId, heartbeatResponse(ErrorCode.NOT_COORDINATOR));
  assert.equal(h.member.coordinator, null);
  assert.equal(h.last('find-coordinator').groupId, 'g');
  assert.equal(h.member.generation.generationId, 1);
  h.found(2);
  assert.equal(h.member.state, 'stable');
  h.advance(3_000);
  assert.equal(h.actions.filter((a) => a.type === 'send' && a.request.api === 'Heartbeat' && a.coordinator === 2).length, 1);
});

test('no heartbeat answer for a whole session: the coordinator is marked unknown and looked up again', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor], sessionTimeoutMs: 10_000 });
  joinAlone(h);
  for (let i = 0; i < 10; i++) h.advance(1_000);
  assert.equal(h.member.coordinator, 1);
  h.advance(1);
  assert.equal(h.events('session-timeout').length, 1);
  assert.equal(h.member.coordinator, null);
});

test('JoinGroup errors follow the Java client: retry, rediscover, reset or fail', () => {
  const cases: Array<[number, 'retry-now' | 'backoff' | 'rediscover' | 'fatal']> = [
    [ErrorCode.REBALANCE_IN_PROGRESS, 'retry-now'],
    [ErrorCode.ILLEGAL_GENERATION, 'retry-now'],
    [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, 'backoff'],
    [ErrorCode.NOT_COORDINATOR, 'rediscover'],
    [ErrorCode.COORDINATOR_NOT_AVAILABLE, 'rediscover'],
    [ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'fatal'],
    [ErrorCode.INVALID_SESSION_TIMEOUT, 'fatal'],
    [ErrorCode.GROUP_MAX_SIZE_REACHED, 'fatal'],
    [ErrorCode.FENCED_INSTANCE_ID, 'fatal'],
    [ErrorCode.GROUP_AUTHORIZATION_FAILED, 'fatal'],
    [ErrorCode.UNKNOWN_SERVER_ERROR, 'fatal'],
  ];
  for (const [code, expected] of cases) {
    const h = new MemberHarness({ assignors: [rangeAssignor] });
    h.subscribe(['t']);
    h.found();
    h.reply(h.lastSent('JoinGroup').requestId, joinResponse({ errorCode: code, memberId: '' }));
    const joins = h.sentCount('JoinGroup');
    if (expected === 'fatal') {
      assert.equal(h.member.state, 'failed', `code ${code}`);
      assert.equal(h.last('fatal').errorCode, code);
      continue;
    }
    if (expected === 'retry-now') assert.equal(joins, 2, `code ${code}`);
    if (expected === 'backoff') {
      assert.equal(joins, 1, `code ${code}`);
      h.advance(100);
      assert.equal(h.sentCount('JoinGroup'), 2, `code ${code}`);
    }
    if (expected === 'rediscover') {
      assert.equal(h.member.coordinator, null, `code ${code}`);
      h.found(3);
      h.advance(100);
      assert.equal(h.sentCount('JoinGroup'), 2, `code ${code}`);
    }
  }
});

test('JoinGroup UNKNOWN_MEMBER_ID forgets the member id and rejoins at once', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor] });
  h.subscribe(['t']);
  h.found();
  h.reply(h.lastSent('JoinGroup').requestId, joinResponse({ errorCode: ErrorCode.MEMBER_ID_REQUIRED, memberId: 'm-9' }));
  h.reply(h.lastSent('JoinGroup').requestId, joinResponse({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, memberId: '' }));
  assert.equal(h.sentCount('JoinGroup'), 3);
  assert.equal(h.lastSent('JoinGroup').body.memberId, '');
});

test('SyncGroup errors: REBALANCE_IN_PROGRESS rejoins without revoking again; ILLEGAL_GENERATION keeps the member id; UNKNOWN_MEMBER_ID drops it; FENCED is fatal', () => {
  const setup = () => {
    const h = new MemberHarness({ assignors: [coopAssignor] });
    joinAlone(h);
    h.advance(3_000);
    h.reply(h.lastSent('Heartbeat').requestId, heartbeatResponse(ErrorCode.REBALANCE_IN_PROGRESS));
    h.reply(h.lastSent('JoinGroup').requestId, joinResponse({ memberId: 'm-1', leader: 'x', generationId: 2, protocolName: 'test-coop' }));
    return h;
  };
  let h = setup();
  const revokes = h.actions.filter((a) => a.type === 'revoke').length;
  h.reply(h.lastSent('SyncGroup').requestId, syncResponse(Buffer.alloc(0), ErrorCode.REBALANCE_IN_PROGRESS));
  assert.equal(h.sentCount('JoinGroup'), 3);
  assert.equal(h.actions.filter((a) => a.type === 'revoke').length, revokes);
  assert.equal(h.member.ownedPartitions.length, 4, 'cooperative keeps its partitions');

  h = setup();
  h.reply(h.lastSent('SyncGroup').requestId, syncResponse(Buffer.alloc(0), ErrorCode.ILLEGAL_GENERATION));
  assert.equal(h.last('revoke').lost, true);
  h.done(h.last('revoke').token);
  assert.equal(h.lastSent('JoinGroup').body.memberId, 'm-1');

  h = setup();
  h.reply(h.lastSent('SyncGroup').requestId, syncResponse(Buffer.alloc(0), ErrorCode.UNKNOWN_MEMBER_ID));
  h.done(h.last('revoke').token);
  assert.equal(h.lastSent('JoinGroup').body.memberId, '');

  h = setup();
  h.reply(h.lastSent('SyncGroup').requestId, syncResponse(Buffer.alloc(0), ErrorCode.NOT_COORDINATOR));
  assert.equal(h.member.coordinator, null);
  h.found();
  h.advance(100);
  assert.equal(h.sentCount('JoinGroup'), 3);

  h = setup();
  h.reply(h.lastSent('SyncGroup').requestId, syncResponse(Buffer.alloc(0), ErrorCode.FENCED_INSTANCE_ID));
  assert.equal(h.member.state, 'failed');
});

test('protocol: COOPERATIVE only when every configured assignor supports it', () => {
  assert.equal(new MemberHarness({ assignors: [coopAssignor] }).member.protocol, 'COOPERATIVE');
  assert.equal(new MemberHarness({ assignors: [rangeAssignor, coopAssignor] }).member.protocol, 'EAGER');
  assert.equal(new MemberHarness({ assignors: [roundRobinAssignor] }).member.protocol, 'EAGER');
});

test('cooperative (KIP-429): keeps partitions while rejoining, the leader withholds moved ones, the owner revokes only those and rejoins, round two hands them over', () => {
  const a = new MemberHarness({ assignors: [coopAssignor] });
  joinAlone(a, 4, 'a');
  assert.deepEqual(a.member.ownedPartitions.length, 4);
  // b joins: the coordinator answers a's heartbeat with REBALANCE_IN_PROGRESS.
  a.advance(3_000);
  a.reply(a.lastSent('Heartbeat').requestId, heartbeatResponse(ErrorCode.REBALANCE_IN_PROGRESS));
  assert.equal(a.actions.filter((x) => x.type === 'revoke').length, 0, 'nothing revoked before the rejoin');
  const aJoin = a.lastSent('JoinGroup');
  const aSub = decodeSubscription('a', null, Buffer.from(aJoin.body.protocols[0]!.metadata));
  assert.deepEqual(flattenTopics(aSub.ownedPartitions).length, 4);
  assert.equal(aSub.generationId, 1);
  assert.ok(a.member.commitIdentity() !== null, 'commits of the current generation still go through while joining');

  const b = new MemberHarness({ assignors: [coopAssignor] });
  b.subscribe(['t']);
  b.found();
  const bJoin = b.lastSent('JoinGroup');
  const members = [
    { memberId: 'a', groupInstanceId: null, metadata: Buffer.from(aJoin.body.protocols[0]!.metadata) },
    { memberId: 'b', groupInstanceId: null, metadata: Buffer.from(bJoin.body.protocols[0]!.metadata) },
  ];
  a.reply(aJoin.requestId, joinResponse({ memberId: 'a', leader: 'a', generationId: 2, protocolName: 'test-coop', members }));
  b.reply(bJoin.requestId, joinResponse({ memberId: 'b', leader: 'a', generationId: 2, protocolName: 'test-coop' }));
  a.metadata(a.last('need-metadata').requestId, { t: 4 });
  const aSync = a.lastSent('SyncGroup');
  const plan = new Map(aSync.body.assignments.map((x) => [x.memberId, Buffer.from(x.assignment)]));
  assert.deepEqual(decodeAssignment(plan.get('a')!).partitions, [tp('t', 0), tp('t', 2)]);
  assert.deepEqual(decodeAssignment(plan.get('b')!).partitions, [], 'b gets nothing until a revoked');
  a.reply(aSync.requestId, syncResponse(plan.get('a')!));
  b.reply(b.lastSent('SyncGroup').requestId, syncResponse(plan.get('b')!));
  const aAssign = a.last('assign');
  assert.deepEqual(aAssign.revoked, [tp('t', 1), tp('t', 3)]);
  assert.deepEqual(aAssign.added, []);
  const end = a.events('rebalance-end').at(-1)!;
  assert.ok(end.name === 'rebalance-end' && end.final === false);
  const aJoins = a.sentCount('JoinGroup');
  a.done(aAssign.token);
  assert.equal(a.sentCount('JoinGroup'), aJoins + 1, 'rejoins immediately after revoking');
  assert.equal(a.actions.filter((x) => x.type === 'revoke').length, 0, 'no second revoke before the second round');

  // Round two: b's heartbeat learns of the rebalance, both rejoin; now t1 and t3 are free.
  b.done(b.last('assign').token);
  b.advance(3_000);
  b.reply(b.lastSent('Heartbeat').requestId, heartbeatResponse(ErrorCode.REBALANCE_IN_PROGRESS));
  const a2 = a.lastSent('JoinGroup');
  const b2 = b.lastSent('JoinGroup');
  const members2 = [
    { memberId: 'a', groupInstanceId: null, metadata: Buffer.from(a2.body.protocols[0]!.metadata) },
    { memberId: 'b', groupInstanceId: null, metadata: Buffer.from(b2.body.protocols[0]!.metadata) },
  ];
  a.reply(a2.requestId, joinResponse({ memberId: 'a', leader: 'a', generationId: 3, protocolName: 'test-coop', members: members2 }));
  a.metadata(a.last('need-metadata').requestId, { t: 4 });
  const plan2 = new Map(a.lastSent('SyncGroup').body.assignments.map((x) => [x.memberId, decodeAssignment(Buffer.from(x.assignment)).partitions]));
  assert.deepEqual(plan2.get('b'), [tp('t', 1), tp('t', 3)]);
  assert.deepEqual(plan2.get('a'), [tp('t', 0), tp('t', 2)]);
});

test('cooperative: a subscription change revokes only the dropped topic before rejoining', () => {
  const h = new MemberHarness({ assignors: [coopAssignor] });
  h.subscribe(['t', 'u']);
  h.found();
  const join = h.lastSent('JoinGroup');
  h.reply(join.requestId, joinResponse({ memberId: 'a', leader: 'a', protocolName: 'test-coop', members: [{ memberId: 'a', groupInstanceId: null, metadata: Buffer.from(join.body.protocols[0]!.metadata) }] }));
  h.metadata(h.last('need-metadata').requestId, { t: 1, u: 1 });
  const sync = h.lastSent('SyncGroup');
  h.reply(sync.requestId, syncResponse(Buffer.from(sync.body.assignments[0]!.assignment)));
  h.done(h.last('assign').token);
  h.subscribe(['t']);
  const revoke = h.last('revoke');
  assert.deepEqual(revoke.partitions, [tp('u', 0)]);
  h.done(revoke.token);
  const sub = decodeSubscription('a', null, Buffer.from(h.lastSent('JoinGroup').body.protocols[0]!.metadata));
  assert.deepEqual(sub.topics, ['t']);
  assert.deepEqual(flattenTopics(sub.ownedPartitions), [tp('t', 0)]);
});

test('leader: a changed partition count of any group-subscribed topic triggers a rejoin; followers do not react', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor] });
  joinAlone(h, 4);
  assert.deepEqual(h.member.metadataTopics(), ['t']);
  h.member.metadataUpdated(new Map([['t', 4]]), h.nowMs);
  assert.equal(h.member.rejoinNeeded, false);
  const actions = h.member.metadataUpdated(new Map([['t', 6]]), h.nowMs);
  assert.equal(h.member.rejoinNeeded, true);
  assert.ok(actions.some((a) => a.type === 'revoke'));
});

test('static member: JoinGroup carries the instance id; close() revokes then sends no LeaveGroup unless asked', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor], groupInstanceId: 'host-1' });
  joinAlone(h);
  assert.equal(h.lastSent('JoinGroup').body.groupInstanceId, 'host-1');
  let actions = h.member.close(h.nowMs);
  const revoke = actions.find((a) => a.type === 'revoke');
  assert.ok(revoke && revoke.type === 'revoke' && !revoke.lost && revoke.partitions.length === 4);
  actions = h.member.callbacksDone(revoke.token, h.nowMs);
  assert.equal(actions.filter((a) => a.type === 'send').length, 0);
  assert.equal(h.member.state, 'closed');

  const forced = new MemberHarness({ assignors: [rangeAssignor], groupInstanceId: 'host-1' });
  joinAlone(forced);
  const r = forced.member.close(forced.nowMs, { leaveGroup: true }).find((a) => a.type === 'revoke')!;
  const sent = forced.member.callbacksDone((r as { token: number }).token, forced.nowMs).find((a) => a.type === 'send');
  assert.ok(sent && sent.type === 'send' && sent.request.api === 'LeaveGroup');
  assert.deepEqual(sent.request.body.members, [{ memberId: 'm-1', groupInstanceId: 'host-1', reason: 'the consumer is being closed' }]);
});

test('dynamic member: close() sends LeaveGroup after the revoke callbacks', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor] });
  joinAlone(h);
  const r = h.member.close(h.nowMs).find((a) => a.type === 'revoke') as { token: number };
  const sent = h.member.callbacksDone(r.token, h.nowMs).filter((a) => a.type === 'send');
  assert.equal(sent.length, 1);
  assert.equal(h.member.nextDeadlineMs(), null);
});

test('commit identity and commit error handling follow the Java consumer', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor] });
  assert.equal(h.member.commitIdentity(), null);
  joinAlone(h);
  const id = h.member.commitIdentity()!;
  assert.deepEqual(id, { generationId: 1, memberId: 'm-1', groupInstanceId: null });
  assert.equal(h.member.commitFailed(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, id, h.nowMs).kind, 'retry');
  assert.equal(h.member.commitFailed(ErrorCode.OFFSET_METADATA_TOO_LARGE, id, h.nowMs).kind, 'fatal');
  const rip = h.member.commitFailed(ErrorCode.REBALANCE_IN_PROGRESS, id, h.nowMs);
  assert.equal(rip.kind, 'rebalance-in-progress');
  assert.equal(h.member.rejoinNeeded, true);
  const notCoord = h.member.commitFailed(ErrorCode.NOT_COORDINATOR, id, h.nowMs);
  assert.equal(notCoord.kind, 'retry');
  assert.equal(h.member.coordinator, null);

  const g = new MemberHarness({ assignors: [rangeAssignor] });
  joinAlone(g);
  const r = g.member.commitFailed(ErrorCode.ILLEGAL_GENERATION, g.member.commitIdentity()!, g.nowMs);
  assert.equal(r.kind, 'commit-failed');
  assert.equal(g.member.generation.generationId, -1);
  assert.equal(g.member.generation.memberId, 'm-1');
  assert.ok(r.actions.some((a) => a.type === 'revoke' && a.lost));
});

test('a failed request (disconnect, timeout) rediscovers the coordinator and retries the join', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor] });
  h.subscribe(['t']);
  h.found();
  const join = h.lastSent('JoinGroup');
  h.actions.push(...h.member.requestFailed(join.requestId, ErrorCode.NETWORK_EXCEPTION, h.nowMs));
  assert.equal(h.member.coordinator, null);
  // The late answer of the dropped request is ignored.
  h.reply(join.requestId, joinResponse({ memberId: 'zzz', leader: 'zzz' }));
  assert.equal(h.member.generation.memberId, '');
  h.found();
  h.advance(100);
  assert.equal(h.sentCount('JoinGroup'), 2);
});

test('subscription bytes: v3 with owned partitions and generation; assignments round-trip', () => {
  const bytes = encodeSubscription({ topics: ['b', 'a'], userData: Buffer.from([1, 2]), ownedPartitions: [tp('a', 1), tp('a', 0)], generationId: 7, rackId: null });
  assert.equal(bytes.readInt16BE(0), 3);
  const d = decodeSubscription('m', 'i', bytes);
  assert.deepEqual(d.topics, ['a', 'b']);
  assert.deepEqual(d.ownedPartitions, [{ topic: 'a', partitions: [0, 1] }]);
  assert.equal(d.generationId, 7);
  assert.deepEqual([...d.userData!], [1, 2]);
  assert.deepEqual(decodeAssignment(encodeAssignment([tp('x', 2), tp('x', 0)], null)).partitions, [tp('x', 0), tp('x', 2)]);
});

test('options are validated at construction', () => {
  const base = { groupId: 'g', sessionTimeoutMs: 45_000, rebalanceTimeoutMs: 1, heartbeatIntervalMs: 3_000, retryBackoffMs: 100, maxPollIntervalMs: 1, assignors: [rangeAssignor] };
  assert.throws(() => new GroupMember({ ...base, groupId: '' }), /groupId/);
  assert.throws(() => new GroupMember({ ...base, heartbeatIntervalMs: 50_000 }), /heartbeatIntervalMs/);
  assert.throws(() => new GroupMember({ ...base, assignors: [] }), /assignor/);
  assert.throws(() => new GroupMember({ ...base, groupInstanceId: '' }), /groupInstanceId/);
});

test('poll(now, progressMs): a shell reporting a handler that started long ago still heartbeats, and the poll deadline counts from that start', () => {
  const h = new MemberHarness({ assignors: [rangeAssignor], maxPollIntervalMs: 10_000 });
  joinAlone(h);
  const handlerStartMs = h.nowMs;
  for (let i = 0; i < 9; i++) {
    h.nowMs += 1_000;
    h.actions.push(...h.member.poll(h.nowMs, handlerStartMs));
    const hb = h.actions.at(-1);
    if (hb?.type === 'send' && hb.request.api === 'Heartbeat') h.reply(hb.requestId, heartbeatResponse());
  }
  assert.equal(h.sentCount('Heartbeat'), 3, 'heartbeats every 3000 ms of real time');
  assert.equal(h.events('poll-timeout').length, 0);
  h.nowMs += 1_001;
  h.actions.push(...h.member.poll(h.nowMs, handlerStartMs));
  assert.equal(h.events('poll-timeout').length, 1);
  // Still stuck: reporting the old start again does not end the poll timeout.
  h.done(h.last('revoke').token);
  h.actions.push(...h.member.poll(h.nowMs + 500, handlerStartMs));
  assert.equal(h.member.awaitingPoll, true);
  assert.equal(h.sentCount('JoinGroup'), 1);
  h.actions.push(...h.member.poll(h.nowMs + 600));
  assert.equal(h.sentCount('JoinGroup'), 2);
});
