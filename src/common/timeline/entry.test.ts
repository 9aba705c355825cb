import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTimelineEntry, rebalanceProtocolOf, type EntryFacts, type PendingRevocation } from './entry.js';
import type { TimelineMember } from './types.js';

const member = (memberId: string, assignment: Record<string, number[]>): TimelineMember => ({ memberId, groupInstanceId: null, clientId: memberId, clientHost: '/127.0.0.1', assignment });

function facts(over: Partial<EntryFacts>): EntryFacts {
  return {
    groupId: 'g', kind: 'rebalance', source: 'coordinator', generationId: 2, previousGenerationId: 1,
    startedAtMs: 1000, joinCompletedAtMs: 1400, completedAtMs: 1500, protocolType: 'consumer', protocolName: 'range',
    leaderId: 'a', causes: [], membersBefore: [], membersAfter: [], ...over,
  };
}

describe('timeline entry', () => {
  it('names the rebalance protocol by assignor', () => {
    assert.equal(rebalanceProtocolOf('cooperative-sticky'), 'cooperative');
    assert.equal(rebalanceProtocolOf('range'), 'eager');
    assert.equal(rebalanceProtocolOf('RoundRobinAssigner'), 'eager');
    assert.equal(rebalanceProtocolOf(null), 'unknown');
  });

  it('eager scale-out: kept, moved, joined, and a stop-the-world pause over every owned partition', () => {
    const { entry, pending } = buildTimelineEntry(facts({
      membersBefore: [member('a', { t: [0, 1, 2, 3] })],
      membersAfter: [member('a', { t: [0, 1] }), member('b', { t: [2, 3] })],
    }), new Map());
    assert.deepEqual(entry.joined, ['b']);
    assert.deepEqual(entry.left, []);
    assert.deepEqual(entry.partitions.kept, [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
    assert.deepEqual(entry.partitions.moved.map((m) => [m.partition, m.from, m.to, m.pauseMs]), [[2, 'a', 'b', 500], [3, 'a', 'b', 500]]);
    assert.deepEqual(entry.pause, { kind: 'stop-the-world', maxMs: 500, partitionsPaused: 4 });
    assert.equal(pending.size, 0);
  });

  it('a group first assignment pauses nothing and assigns from nobody', () => {
    const { entry } = buildTimelineEntry(facts({ membersAfter: [member('a', { t: [0, 1] })] }), new Map());
    assert.deepEqual(entry.partitions.assigned.map((m) => [m.partition, m.from, m.to, m.pauseMs]), [[0, null, 'a', null], [1, null, 'a', null]]);
    assert.deepEqual(entry.pause, { kind: 'stop-the-world', maxMs: 0, partitionsPaused: 0 });
  });

  it('cooperative two rounds: revoked in the first, moved with its per-partition pause in the second', () => {
    const first = buildTimelineEntry(facts({
      protocolName: 'cooperative-sticky', generationId: 2,
      membersBefore: [member('a', { t: [0, 1, 2] })],
      membersAfter: [member('a', { t: [0, 1] }), member('b', {})],
    }), new Map());
    assert.deepEqual(first.entry.partitions.revoked.map((m) => [m.partition, m.from, m.to, m.pauseMs]), [[2, 'a', null, null]]);
    assert.deepEqual(first.entry.partitions.kept.length, 2);
    assert.equal(first.entry.pause.kind, 'per-partition');
    assert.equal(first.pending.size, 1);
    const second = buildTimelineEntry(facts({
      protocolName: 'cooperative-sticky', generationId: 3, previousGenerationId: 2, startedAtMs: 1600, completedAtMs: 1750,
      membersBefore: first.entry.membersAfter,
      membersAfter: [member('a', { t: [0, 1] }), member('b', { t: [2] })],
    }), first.pending);
    assert.deepEqual(second.entry.partitions.moved, [{ topic: 't', partition: 2, from: 'a', to: 'b', pauseMs: 250, revokedInGeneration: 2 }]);
    assert.deepEqual(second.entry.partitions.assigned, []);
    assert.deepEqual(second.entry.pause, { kind: 'per-partition', maxMs: 250, partitionsPaused: 1 });
    assert.equal(second.pending.size, 0);
  });

  it('a crashed member: its partitions move straight to the survivors; an emptied group revokes everything', () => {
    const pending = new Map<string, PendingRevocation>();
    const crash = buildTimelineEntry(facts({
      protocolName: 'cooperative-sticky',
      membersBefore: [member('a', { t: [0] }), member('b', { t: [1] })],
      membersAfter: [member('a', { t: [0, 1] })],
    }), pending);
    assert.deepEqual(crash.entry.left, ['b']);
    assert.deepEqual(crash.entry.partitions.moved.map((m) => [m.partition, m.from, m.to, m.pauseMs]), [[1, 'b', 'a', 500]]);
    const emptied = buildTimelineEntry(facts({ kind: 'emptied', membersBefore: crash.entry.membersAfter, membersAfter: [] }), crash.pending);
    assert.deepEqual(emptied.entry.partitions.revoked.map((m) => m.partition), [0, 1]);
    assert.equal(emptied.pending.size, 0);
  });
});
