import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterSnapshot, GroupMemberView, GroupView } from '../snapshot-types.js';
import { InferredTimeline } from './inferred.js';

const member = (memberId: string, partitions: number[], groupInstanceId: string | null = null): GroupMemberView => ({
  memberId, groupInstanceId, clientId: memberId.split('-')[0]!, clientHost: '/10.0.0.1', assignment: partitions.length ? { t: partitions } : {}, subscription: ['t'],
});

function snapshot(atMs: number, state: string, members: GroupMemberView[], partitions = 4, type: GroupView['type'] = 'classic'): ClusterSnapshot {
  const group: GroupView = { groupId: 'g', state, protocolType: 'consumer', type, protocol: type === 'consumer' ? 'uniform' : 'range', coordinatorId: 1, generationId: null, members, partitions: [], totalLag: 0, maxLagSeconds: null, status: 'OK' };
  return {
    atMs, pollMs: 1, clusterId: 'c', controllerId: 1, brokers: [], notes: [], timelineSource: 'inferred', groups: [group],
    topics: [{ name: 't', isInternal: false, replicationFactor: 1, cleanupPolicy: 'delete', partitions: Array.from({ length: partitions }, (_, p) => ({ partition: p, leader: 1, logStartOffset: 0, logEndOffset: 0, sizeBytes: null, produceRate: null })) }],
  };
}

describe('inferred timeline', () => {
  it('starts from what it first sees, then records joins, departures, replacements and new partitions from the differences', () => {
    const t = new InferredTimeline();
    assert.deepEqual(t.observe(snapshot(1000, 'Stable', [member('a-1', [0, 1, 2, 3])])), []);
    assert.deepEqual(t.observe(snapshot(2000, 'Stable', [member('a-1', [0, 1, 2, 3])])), []);
    assert.deepEqual(t.observe(snapshot(3000, 'PreparingRebalance', [member('a-1', [0, 1, 2, 3])])), []);
    const [join] = t.observe(snapshot(4000, 'Stable', [member('a-1', [0, 1]), member('b-1', [2, 3])]));
    assert.equal(join!.source, 'inferred');
    assert.equal(join!.generationId, null);
    assert.deepEqual([join!.startedAtMs, join!.completedAtMs], [2000, 4000], 'from the last poll that saw the old state');
    assert.deepEqual(join!.causes.map((c) => [c.kind, c.memberId]), [['member-joined', 'b-1']]);
    assert.deepEqual(join!.partitions.moved.map((m) => [m.partition, m.from, m.to]), [[2, 'a-1', 'b-1'], [3, 'a-1', 'b-1']]);

    const [gone] = t.observe(snapshot(5000, 'Stable', [member('a-1', [0, 1, 2, 3])]));
    assert.deepEqual(gone!.causes.map((c) => c.kind), ['member-gone'], 'how it left is not visible from outside');
    const [grown] = t.observe(snapshot(6000, 'Stable', [member('a-1', [0, 1, 2, 3, 4, 5])], 6));
    assert.deepEqual(grown!.causes.map((c) => [c.kind, c.partitionsBefore, c.partitionsAfter]), [['partitions-added', 4, 6]]);
    const [emptied] = t.observe(snapshot(7000, 'Empty', []));
    assert.equal(emptied!.kind, 'emptied');
    assert.equal(t.history('g').length, 4);
  });

  it('a static member restarting with a new member id is a replacement, not a join and a departure', () => {
    const t = new InferredTimeline();
    t.observe(snapshot(1000, 'Stable', [member('a-1', [0, 1], 'pod-a'), member('b-1', [2, 3], 'pod-b')]));
    const [replaced] = t.observe(snapshot(2000, 'Stable', [member('a-2', [0, 1], 'pod-a'), member('b-1', [2, 3], 'pod-b')]));
    assert.deepEqual(replaced!.causes.map((c) => [c.kind, c.groupInstanceId]), [['static-replacement', 'pod-a']]);
  });

  it('a consumer group (KIP-848) pauses only the partitions that moved, whatever its assignor is called', () => {
    const t = new InferredTimeline();
    t.observe(snapshot(1000, 'Stable', [member('a-1', [0, 1, 2, 3])], 4, 'consumer'));
    t.observe(snapshot(2000, 'Reconciling', [member('a-1', [0, 1]), member('b-1', [])], 4, 'consumer'));
    const [scaled] = t.observe(snapshot(3000, 'Stable', [member('a-1', [0, 1]), member('b-1', [2, 3])], 4, 'consumer'));
    assert.equal(scaled!.rebalanceProtocol, 'consumer');
    assert.deepEqual(scaled!.partitions.moved.map((m) => [m.partition, m.from, m.to, m.pauseMs]), [[2, 'a-1', 'b-1', 2000], [3, 'a-1', 'b-1', 2000]]);
    assert.deepEqual(scaled!.pause, { kind: 'per-partition', maxMs: 2000, partitionsPaused: 2 });
  });
});
