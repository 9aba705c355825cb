import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../protocol/errors.js';
import type { JoinGroupResponseInit } from '../protocol/messages/index.js';
import { CoordinatorKit, subscription } from './test-kit.js';
import { PARKED } from './types.js';

const G = 'orders';

describe('JoinGroup validation', () => {
  it('rejects an empty group id with INVALID_GROUP_ID', () => {
    const kit = new CoordinatorKit();
    assert.equal((kit.join('').response as JoinGroupResponseInit).errorCode, ErrorCode.INVALID_GROUP_ID);
  });

  it('rejects session timeouts outside [min, max] with INVALID_SESSION_TIMEOUT', () => {
    const kit = new CoordinatorKit({ minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 30_000 });
    for (const sessionTimeoutMs of [5999, 30_001]) {
      const r = kit.join(G, { sessionTimeoutMs }).response as JoinGroupResponseInit;
      assert.equal(r.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    assert.equal((kit.join(G, { sessionTimeoutMs: 6000 }).response as JoinGroupResponseInit).errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    assert.equal(kit.group(G)?.members.length ?? 0, 0, 'nothing joined');
  });

  it('answers UNKNOWN_MEMBER_ID to a member id for a group that does not exist', () => {
    const kit = new CoordinatorKit();
    const r = kit.join(G, { memberId: 'ghost' }).response as JoinGroupResponseInit;
    assert.equal(r.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(kit.group(G), undefined);
  });

  it('requires a protocol type and protocols to create a group (INCONSISTENT_GROUP_PROTOCOL)', () => {
    const kit = new CoordinatorKit();
    assert.equal((kit.join(G, { protocolType: '' }).response as JoinGroupResponseInit).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal((kit.join(G, { protocols: [] }).response as JoinGroupResponseInit).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('rejects a member whose protocol type or protocols the group cannot use (INCONSISTENT_GROUP_PROTOCOL)', () => {
    const kit = new CoordinatorKit();
    kit.stableGroup(G, 1, { protocols: [{ name: 'range', metadata: subscription(['t']) }] });
    const otherType = kit.join(G, { protocolType: 'connect' }).response as JoinGroupResponseInit;
    assert.equal(otherType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const otherAssignor = kit.join(G, { protocols: [{ name: 'RoundRobinAssigner', metadata: subscription(['t']) }] }).response as JoinGroupResponseInit;
    assert.equal(otherAssignor.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal(kit.group(G)!.state, 'Stable');
  });

  it('turns members away beyond group.max.size with GROUP_MAX_SIZE_REACHED', () => {
    const kit = new CoordinatorKit({ maxGroupSize: 2 });
    kit.stableGroup(G, 2);
    const third = kit.join(G, { version: 3 }).response as JoinGroupResponseInit;
    assert.equal(third.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
    assert.equal(kit.group(G)!.members.length, 2);
    assert.equal(kit.group(G)!.state, 'Stable');
  });

  it('counts rejoined members while PreparingRebalance, so the last to rejoin is turned away', () => {
    const kit = new CoordinatorKit({ maxGroupSize: 2 });
    const { memberIds, leaderId } = kit.stableGroup(G, 2);
    // The leader rejoins: rebalance starts with one member awaiting join.
    const leaderJoin = kit.join(G, { memberId: leaderId, clientId: 'c0' });
    assert.equal(leaderJoin.response, PARKED);
    // A brand-new member takes the second seat (awaiting count 1 < 2).
    const newcomer = kit.join(G, { version: 3, clientId: 'new' });
    assert.equal(newcomer.response, PARKED);
    // The old follower comes back last: the group already has 2 members awaiting join.
    const late = kit.join(G, { memberId: memberIds[1]!, clientId: 'c1' }).response as JoinGroupResponseInit;
    assert.equal(late.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
    assert.ok(kit.group(G)!.members.every((m) => m.memberId !== memberIds[1]), 'the late member was removed');
  });
});

describe('JoinGroup flow', () => {
  it('makes new dynamic members on v4+ fetch a member id first (MEMBER_ID_REQUIRED), then join with it', () => {
    const kit = new CoordinatorKit();
    const first = kit.join(G, { clientId: 'app' }).response as JoinGroupResponseInit;
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    assert.match(first.memberId, /^app-uuid\d+$/);
    assert.deepEqual(kit.group(G)!.pendingMemberIds, [first.memberId]);
    const second = kit.join(G, { memberId: first.memberId, clientId: 'app' });
    assert.equal(second.response, PARKED);
    kit.advance(0);
    const answer = kit.answer<JoinGroupResponseInit>(second.requestId)!;
    assert.equal(answer.errorCode, ErrorCode.NONE);
    assert.equal(answer.generationId, 1);
    assert.equal(answer.leader, first.memberId);
    assert.equal(answer.protocolName, 'range');
    assert.equal(answer.members.length, 1);
    assert.equal(kit.group(G)!.state, 'CompletingRebalance');
  });

  it('adds members at once on v0-3 and uses the session timeout as rebalance timeout on v0', () => {
    const kit = new CoordinatorKit();
    const r = kit.join(G, { version: 0, sessionTimeoutMs: 7000, rebalanceTimeoutMs: 99_000 });
    assert.equal(r.response, PARKED);
    const member = kit.group(G)!.members[0]!;
    assert.equal(member.rebalanceTimeoutMs, 7000);
  });

  it('gives the leader every member with its metadata and followers an empty list', () => {
    const kit = new CoordinatorKit();
    const a = kit.joinDynamic(G, { clientId: 'a', protocols: [{ name: 'range', metadata: subscription(['x']) }] });
    const b = kit.joinDynamic(G, { clientId: 'b', protocols: [{ name: 'range', metadata: subscription(['y']) }] });
    kit.advance(0);
    const leader = kit.answer<JoinGroupResponseInit>(a.requestId)!;
    const follower = kit.answer<JoinGroupResponseInit>(b.requestId)!;
    assert.equal(leader.leader, a.memberId);
    assert.deepEqual(leader.members.map((m) => m.memberId), [a.memberId, b.memberId]);
    assert.deepEqual(Buffer.from(leader.members[1]!.metadata), subscription(['y']));
    assert.deepEqual(follower.members, []);
    assert.equal(follower.leader, a.memberId);
  });

  it('selects the protocol by votes among those every member supports', () => {
    const kit = new CoordinatorKit();
    const meta = subscription(['t']);
    const rr = { name: 'roundrobin', metadata: meta };
    const range = { name: 'range', metadata: meta };
    const sticky = { name: 'sticky', metadata: meta };
    kit.joinDynamic(G, { clientId: 'a', protocols: [rr, range] });
    kit.joinDynamic(G, { clientId: 'b', protocols: [range, rr, sticky] });
    const c = kit.joinDynamic(G, { clientId: 'c', protocols: [rr, range] });
    kit.advance(0);
    assert.equal(kit.answer<JoinGroupResponseInit>(c.requestId)!.protocolName, 'roundrobin');
  });

  it('holds the initial join for group.initial.rebalance.delay.ms and extends it while members arrive', () => {
    const kit = new CoordinatorKit({ initialRebalanceDelayMs: 3000 });
    const a = kit.joinDynamic(G, { rebalanceTimeoutMs: 10_000 });
    kit.advance(2000);
    const b = kit.joinDynamic(G, { rebalanceTimeoutMs: 10_000 });
    kit.advance(1000); // first delay ends; a member arrived: extended by min(3000, remaining 7000)
    assert.equal(kit.answer(a.requestId), undefined);
    assert.equal(kit.group(G)!.state, 'PreparingRebalance');
    kit.advance(2999);
    assert.equal(kit.answer(a.requestId), undefined);
    kit.advance(1);
    assert.equal(kit.answer<JoinGroupResponseInit>(a.requestId)!.generationId, 1);
    assert.equal(kit.answer<JoinGroupResponseInit>(b.requestId)!.generationId, 1);
  });

  it('does not complete the initial join early even when everybody has joined', () => {
    const kit = new CoordinatorKit({ initialRebalanceDelayMs: 3000 });
    const a = kit.joinDynamic(G);
    kit.advance(2999);
    assert.equal(kit.answer(a.requestId), undefined);
    kit.advance(1);
    assert.ok(kit.answer(a.requestId));
  });

  it('completes a later rebalance as soon as every member rejoined', () => {
    const kit = new CoordinatorKit();
    const { memberIds, leaderId } = kit.stableGroup(G, 2);
    const r1 = kit.join(G, { memberId: leaderId });
    assert.equal(kit.group(G)!.state, 'PreparingRebalance');
    const r2 = kit.join(G, { memberId: memberIds[1]! });
    assert.equal(kit.group(G)!.state, 'CompletingRebalance');
    assert.equal(kit.answer<JoinGroupResponseInit>(r1.requestId)!.generationId, 2);
    assert.equal((r2.response as JoinGroupResponseInit).generationId, 2, 'the last rejoin is answered in the same call');
  });

  it('drops dynamic members that do not rejoin within the rebalance timeout (and elects a joined leader)', () => {
    const kit = new CoordinatorKit();
    const { memberIds, leaderId } = kit.stableGroup(G, 2, { rebalanceTimeoutMs: 5000 });
    const follower = memberIds[1]!;
    kit.join(G, { memberId: follower, clientId: 'c1', protocols: [{ name: 'range', metadata: subscription(['t', 'u']) }], rebalanceTimeoutMs: 5000 });
    kit.heartbeat(G, leaderId, 1); // keeps its session, but never rejoins
    kit.advance(4999);
    assert.equal(kit.group(G)!.state, 'PreparingRebalance');
    kit.advance(1);
    const g = kit.group(G)!;
    assert.equal(g.state, 'CompletingRebalance');
    assert.deepEqual(g.members.map((m) => m.memberId), [follower]);
    assert.equal(g.leaderId, follower);
    assert.ok(kit.events.some((e) => e.type === 'member-removed' && e.memberId === leaderId && e.reason === 'rebalance-timeout'));
  });

  it('answers a Stable follower rejoining with unchanged metadata without a rebalance', () => {
    const kit = new CoordinatorKit();
    const { memberIds, generationId } = kit.stableGroup(G, 2);
    const r = kit.join(G, { memberId: memberIds[1]!, clientId: 'c1' }).response as JoinGroupResponseInit;
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.generationId, generationId);
    assert.equal(kit.group(G)!.state, 'Stable');
  });

  it('rebalances when a follower rejoins with changed metadata or the leader rejoins', () => {
    const kit = new CoordinatorKit();
    const { memberIds } = kit.stableGroup(G, 2);
    kit.join(G, { memberId: memberIds[1]!, protocols: [{ name: 'range', metadata: subscription(['t', 'new']) }] });
    assert.equal(kit.group(G)!.state, 'PreparingRebalance');
    const started = kit.events.filter((e) => e.type === 'rebalance-started');
    assert.equal(started.at(-1)!.type === 'rebalance-started' && started.at(-1)!.reason, 'member-metadata-changed');

    const kit2 = new CoordinatorKit();
    const g2 = kit2.stableGroup(G, 2);
    kit2.join(G, { memberId: g2.leaderId });
    const last = kit2.events.filter((e) => e.type === 'rebalance-started').at(-1)!;
    assert.equal(last.type === 'rebalance-started' && last.reason, 'leader-rejoined');
  });

  it('answers UNKNOWN_MEMBER_ID to an unknown member id of an existing group', () => {
    const kit = new CoordinatorKit();
    kit.stableGroup(G, 1);
    assert.equal((kit.join(G, { memberId: 'nobody' }).response as JoinGroupResponseInit).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('expires a pending member id that is never used, letting the join phase complete', () => {
    const kit = new CoordinatorKit();
    const { memberIds } = kit.stableGroup(G, 1, { sessionTimeoutMs: 10_000 });
    const pending = kit.join(G, { sessionTimeoutMs: 4000 }).response as JoinGroupResponseInit;
    assert.equal(pending.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    // The leader's rejoin starts a rebalance, which also waits for the pending member.
    const rejoin = kit.join(G, { memberId: memberIds[0]! });
    assert.equal(kit.answer(rejoin.requestId), undefined);
    kit.advance(4000);
    assert.equal(kit.answer<JoinGroupResponseInit>(rejoin.requestId)!.generationId, 2);
    assert.deepEqual(kit.group(G)!.pendingMemberIds, []);
  });

  it('removes a new member whose first join never completes after the 5-minute guard', () => {
    // A long initial delay keeps the lone member's JoinGroup parked past the guard.
    const kit = new CoordinatorKit({ newMemberJoinTimeoutMs: 300_000, initialRebalanceDelayMs: 400_000 });
    const lone = kit.join(G, { version: 3, rebalanceTimeoutMs: 900_000, sessionTimeoutMs: 600_000 });
    kit.advance(299_999);
    assert.equal(kit.group(G)!.members.length, 1);
    kit.advance(1);
    assert.equal(kit.group(G)!.members.length, 0);
    assert.equal(kit.answer<JoinGroupResponseInit>(lone.requestId)!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.ok(kit.events.some((e) => e.type === 'member-removed' && e.reason === 'new-member-timeout'));
    kit.advance(100_000); // the initial delay ends with nobody left: the group is Empty again
    assert.equal(kit.group(G)!.state, 'Empty');
  });

  it('answers a superseded parked JoinGroup of the same member so its connection is not held up', () => {
    const kit = new CoordinatorKit();
    const { memberIds } = kit.stableGroup(G, 2);
    const first = kit.join(G, { memberId: memberIds[0]! });
    const second = kit.join(G, { memberId: memberIds[0]! });
    assert.equal(kit.answer<JoinGroupResponseInit>(first.requestId)!.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    assert.equal(second.response, PARKED);
  });
});

describe('rebalance events', () => {
  it('report a rebalance from start to Stable with its reason, generation, members and pause', () => {
    const kit = new CoordinatorKit({ initialRebalanceDelayMs: 500 });
    const a = kit.joinDynamic(G, { clientId: 'a' });
    kit.advance(500);
    const join = kit.answer<JoinGroupResponseInit>(a.requestId)!;
    kit.advance(20);
    kit.sync(G, a.memberId, join.generationId!, [{ memberId: a.memberId, assignment: Buffer.from('x') }]);
    const timeline = kit.events.map((e) => e.type);
    assert.deepEqual(timeline, ['group-created', 'member-joined', 'rebalance-started', 'state-changed', 'state-changed', 'join-completed', 'state-changed', 'rebalance-completed']);
    const done = kit.events.at(-1)!;
    assert.ok(done.type === 'rebalance-completed');
    assert.equal(done.generationId, 1);
    assert.equal(done.durationMs, 520);
    assert.deepEqual(done.members.map((m) => m.clientId), ['a']);
    const started = kit.events.find((e) => e.type === 'rebalance-started')!;
    assert.ok(started.type === 'rebalance-started' && started.reason === 'member-joined' && started.memberId === a.memberId);
  });

  it('count the pause from the first rebalance after Stable, across restarted join phases', () => {
    const kit = new CoordinatorKit();
    const { memberIds } = kit.stableGroup(G, 2);
    kit.advance(1000);
    kit.join(G, { memberId: memberIds[0]! }); // leader rejoins at t=1000
    kit.advance(100);
    const second = kit.join(G, { memberId: memberIds[1]! }); // join phase completes at t=1100
    const generationId = (second.response as JoinGroupResponseInit).generationId!;
    kit.advance(100);
    kit.join(G, { version: 3, clientId: 'late' }); // CompletingRebalance -> PreparingRebalance at t=1200
    kit.join(G, { memberId: memberIds[0]! });
    kit.join(G, { memberId: memberIds[1]! });
    const leader = kit.group(G)!.leaderId!;
    kit.advance(50);
    kit.sync(G, leader, generationId + 1, []);
    const done = kit.events.filter((e) => e.type === 'rebalance-completed').at(-1)!;
    assert.ok(done.type === 'rebalance-completed');
    assert.equal(done.durationMs, 250, 'from t=1000 to t=1250');
    assert.equal(done.members.length, 3);
  });
});
