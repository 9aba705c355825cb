import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { legacyOffsetsBefore, type LegacyOffsetsInput } from './legacy-offsets.js';

const partition: LegacyOffsetsInput = {
  segments: [
    { baseOffset: 0, sizeBytes: 100, lastModifiedMs: 1000 },
    { baseOffset: 40, sizeBytes: 100, lastModifiedMs: 2000 },
    { baseOffset: 90, sizeBytes: 50, lastModifiedMs: 3000 },
  ],
  logStartOffset: 10,
  logEndOffset: 120,
  nowMs: 9000,
};

describe('ListOffsets v0 offsets (Kafka legacyFetchOffsetsBefore)', () => {
  it('answers latest with the log end, then segment bases, newest first', () => {
    assert.deepEqual(legacyOffsetsBefore(partition, -1, 1), [120]);
    assert.deepEqual(legacyOffsetsBefore(partition, -1, 10), [120, 90, 40, 10]);
  });

  it('answers earliest with the log start (the first base, raised to it)', () => {
    assert.deepEqual(legacyOffsetsBefore(partition, -2, 1), [10]);
    assert.deepEqual(legacyOffsetsBefore(partition, -2, 5), [10]);
  });

  it('starts from the newest segment modified at or before a timestamp', () => {
    assert.deepEqual(legacyOffsetsBefore(partition, 2500, 2), [40, 10]);
    assert.deepEqual(legacyOffsetsBefore(partition, 3000, 1), [90]);
    assert.deepEqual(legacyOffsetsBefore(partition, 999, 3), []);
    assert.deepEqual(legacyOffsetsBefore(partition, 10_000, 1), [120]);
  });

  it('leaves out the log end when the active segment is empty, and answers nothing for maxNumOffsets 0', () => {
    const rolled = { ...partition, segments: [...partition.segments, { baseOffset: 120, sizeBytes: 0, lastModifiedMs: 4000 }] };
    assert.deepEqual(legacyOffsetsBefore(rolled, -1, 2), [120, 90]);
    assert.deepEqual(legacyOffsetsBefore(partition, -1, 0), []);
  });
});
