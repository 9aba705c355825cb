import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../../protocol/errors.js';
import type { ConsumerGroupHeartbeatResponse } from '../../../protocol/messages/index.js';
import { ConsumerProtocolMember } from './member.js';
import type { ConsumerMemberAction } from './types.js';

const T = 'dG9waWMtaWQtMDAwMDAwMA';

function ok(memberEpoch: number, partitions: number[] | null, memberId = 'm1'): ConsumerGroupHeartbeatResponse {
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, memberId, memberEpoch, heartbeatIntervalMs: 1000, assignment: partitions === null ? null : { topicPartitions: [{ topicId: T, partitions }] } };
}

function failed(errorCode: number): ConsumerGroupHeartbeatResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
}

const sends = (a: ConsumerMemberAction[]) => a.filter((x): x is Extract<ConsumerMemberAction, { type: 'send' }> => x.type === 'send');
const one = <T extends ConsumerMemberAction['type']>(a: ConsumerMemberAction[], type: T) => a.find((x) => x.type === type) as Extract<ConsumerMemberAction, { type: T }>;

function joined(instanceId: string | null = null) {
  const m = new ConsumerProtocolMember({ groupId: 'g', memberId: 'm1', rebalanceTimeoutMs: 30_000, retryBackoffMs: 100, groupInstanceId: instanceId });
  assert.equal(one(m.subscribe({ topics: ['orders'] }, 0), 'find-coordinator').groupId, 'g');
  const join = sends(m.coordinatorFound(1, 0))[0]!;
  assert.equal(join.body.memberEpoch, 0);
  assert.deepEqual(join.body.topicPartitions, []);
  assert.deepEqual(join.body.subscribedTopicNames, ['orders']);
  assert.equal(join.body.subscribedTopicRegex, '', 'no regex, said explicitly');
  assert.equal(join.body.rebalanceTimeoutMs, 30_000);
  const assign = one(m.receive(join.requestId, ok(1, [0, 1]), 10), 'assign');
  assert.deepEqual(assign.added.map((p) => p.partition), [0, 1]);
  const ack = sends(m.callbacksDone(assign.token, 10))[0]!;
  assert.deepEqual(ack.body.topicPartitions, [{ topicId: T, partitions: [0, 1] }], 'reports what it owns at once');
  assert.equal(ack.body.subscribedTopicNames, null, 'unchanged fields are null');
  assert.equal(ack.body.subscribedTopicRegex, null);
  m.receive(ack.requestId, ok(1, null), 20);
  return m;
}

describe('KIP-848 member state machine', () => {
  it('joins with epoch 0, takes its assignment and reports it', () => {
    const m = joined();
    assert.equal(m.state, 'stable');
    assert.deepEqual(m.commitIdentity(), { memberId: 'm1', memberEpoch: 1 });
    assert.equal(m.nextDeadlineMs(), 1020, 'next heartbeat after the interval the coordinator gave');
  });

  it('revokes first, reports the smaller set, and only then takes new partitions', () => {
    const m = joined();
    const hb = sends(m.tick(1020))[0]!;
    const revoke = one(m.receive(hb.requestId, ok(1, [0]), 1030), 'revoke');
    assert.deepEqual(revoke.partitions.map((p) => p.partition), [1]);
    assert.equal(revoke.lost, false);
    assert.deepEqual(m.ownedPartitions.map((p) => p.partition), [0, 1], 'still owned while the listener runs');
    const emptyAssign = one(m.callbacksDone(revoke.token, 1040), 'assign');
    assert.deepEqual(emptyAssign.added, [], 'onPartitionsAssigned follows every revocation, as in Java');
    assert.deepEqual(m.ownedPartitions.map((p) => p.partition), [0]);
    const ack = sends(m.callbacksDone(emptyAssign.token, 1040))[0]!;
    assert.deepEqual(ack.body.topicPartitions, [{ topicId: T, partitions: [0] }]);
    const assign = one(m.receive(ack.requestId, ok(3, [0, 2]), 1050), 'assign');
    assert.deepEqual(assign.added.map((p) => p.partition), [2]);
    assert.equal(assign.memberEpoch, 3);
  });

  it('loses everything when fenced and joins again with epoch 0 and the same member id', () => {
    const m = joined();
    const hb = sends(m.tick(1020))[0]!;
    const lost = one(m.receive(hb.requestId, failed(ErrorCode.FENCED_MEMBER_EPOCH), 1030), 'revoke');
    assert.equal(lost.lost, true);
    const rejoin = sends(m.callbacksDone(lost.token, 1030))[0]!;
    assert.equal(rejoin.body.memberEpoch, 0);
    assert.equal(rejoin.body.memberId, 'm1');
    assert.deepEqual(rejoin.body.topicPartitions, []);
  });

  it('says clearly when the broker does not speak KIP-848', () => {
    const m = new ConsumerProtocolMember({ groupId: 'g', memberId: 'm1', rebalanceTimeoutMs: 30_000, retryBackoffMs: 100 });
    m.subscribe({ topics: ['orders'] }, 0);
    const join = sends(m.coordinatorFound(1, 0))[0]!;
    const fatal = one(m.receive(join.requestId, failed(ErrorCode.UNSUPPORTED_VERSION), 5), 'fatal');
    assert.match(fatal.message, /does not support the consumer group protocol/);
    assert.equal(m.state, 'failed');
  });

  it('revokes, then leaves with -1 (dynamic) or -2 (static) on close', () => {
    for (const [instance, epoch] of [[null, -1], ['host-a', -2]] as const) {
      const m = joined(instance);
      const revoke = one(m.close(2000), 'revoke');
      assert.equal(revoke.lost, false);
      const leave = sends(m.callbacksDone(revoke.token, 2001))[0]!;
      assert.equal(leave.body.memberEpoch, epoch);
      m.receive(leave.requestId, ok(epoch, null), 2002);
      assert.equal(m.state, 'closed');
    }
  });

  it('retries in full after a lost request, with the coordinator looked up again', () => {
    const m = joined();
    const hb = sends(m.tick(1020))[0]!;
    assert.equal(one(m.requestFailed(hb.requestId, 1100), 'event').event.name, 'coordinator');
    assert.equal(one(m.tick(1200), 'find-coordinator').groupId, 'g');
    const full = sends(m.coordinatorFound(1, 1200))[0]!;
    assert.equal(full.body.rebalanceTimeoutMs, 30_000);
    assert.deepEqual(full.body.subscribedTopicNames, ['orders']);
    assert.deepEqual(full.body.topicPartitions, [{ topicId: T, partitions: [0, 1] }]);
  });
});
