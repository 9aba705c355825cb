import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportCsv, planReset, type PartitionPosition } from './reset-plan.js';

const positions: PartitionPosition[] = [
  { topic: 'b', partition: 0, committed: 40, logStartOffset: 10, logEndOffset: 100 },
  { topic: 'a', partition: 1, committed: null, logStartOffset: 0, logEndOffset: 50 },
];

describe('planReset (kafka-consumer-groups rules)', () => {
  it('moves to the log start, the log end, or keeps the committed offset (log end without one)', () => {
    assert.deepEqual(planReset(positions, { kind: 'earliest' }).partitions.map((p) => p.newOffset), [0, 10]);
    assert.deepEqual(planReset(positions, { kind: 'latest' }).partitions.map((p) => p.newOffset), [50, 100]);
    assert.deepEqual(planReset(positions, { kind: 'current' }).partitions.map((p) => p.newOffset), [50, 40]);
  });

  it('sorts by topic and partition and carries the current offset', () => {
    const plan = planReset(positions, { kind: 'earliest' }).partitions;
    assert.deepEqual(plan.map((p) => [p.topic, p.partition, p.currentOffset]), [['a', 1, null], ['b', 0, 40]]);
  });

  it('clamps an offset outside the log to its nearest end and says so', () => {
    const plan = planReset(positions, { kind: 'offset', offset: 5 }).partitions;
    assert.deepEqual(plan.map((p) => [p.newOffset, p.clampedFrom]), [[5, undefined], [10, 5]]);
    assert.equal(planReset(positions, { kind: 'offset', offset: 500 }).partitions[1]!.newOffset, 100);
  });

  it('shifts from the committed offset, clamped, and refuses partitions without one', () => {
    const plan = planReset([positions[0]!], { kind: 'shift', by: -35 });
    assert.deepEqual(plan, { partitions: [{ topic: 'b', partition: 0, currentOffset: 40, newOffset: 10, clampedFrom: 5 }], errors: [] });
    assert.equal(planReset([positions[0]!], { kind: 'shift', by: 7 }).partitions[0]!.newOffset, 47);
    assert.deepEqual(planReset(positions, { kind: 'shift', by: 1 }).errors, ['a/1: no committed offset to shift from']);
  });

  it('uses the offset found for a timestamp, or the log end when no record is that new', () => {
    const withTimes = [{ ...positions[0]!, offsetForTimestamp: 60 }, { ...positions[1]!, offsetForTimestamp: null }];
    assert.deepEqual(planReset(withTimes, { kind: 'timestamp', timestampMs: 1 }).partitions.map((p) => p.newOffset), [50, 60]);
  });

  it('takes offsets from a file and reports partitions the file does not name', () => {
    const plan = planReset(positions, { kind: 'file', offsets: new Map([['b:0', 77]]) });
    assert.deepEqual(plan.partitions.map((p) => p.newOffset), [77]);
    assert.deepEqual(plan.errors, ['a/1: not in the file']);
  });

  it('exports the plan as topic,partition,offset lines', () => {
    assert.equal(exportCsv(planReset(positions, { kind: 'latest' }).partitions), 'a,1,50\nb,0,100\n');
  });
});
