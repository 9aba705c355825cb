import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lastAtOrBelow, lastBelow, SegmentIndex } from './segment-index.js';

/** 100 batches of 1000 bytes, 2 offsets each, max timestamps 10, 20, ... from segment base 500. */
function filledIndex(intervalBytes = 4096): SegmentIndex {
  const index = new SegmentIndex(500, intervalBytes);
  for (let i = 0; i < 100; i++) index.onBatch(500 + 2 * i, i * 1000, 1000, 10 * (i + 1));
  return index;
}

describe('SegmentIndex', () => {
  it('adds an entry every intervalBytes of log', () => {
    assert.equal(filledIndex(4096).entryCount, 20);
    assert.equal(filledIndex(1).entryCount, 100);
  });

  it('maps an offset to the last indexed batch at or before it', () => {
    const index = filledIndex();
    assert.equal(index.positionFor(0), 0);
    assert.equal(index.positionFor(500), 0);
    assert.equal(index.positionFor(509), 0);
    // Entries at batches 0, 5, 10, ... (every 5000 bytes): offset 510 is batch 5.
    assert.equal(index.positionFor(510), 5000);
    assert.equal(index.positionFor(519), 5000);
    assert.equal(index.positionFor(10_000), 95_000);
  });

  it('points a timestamp lookup at most one interval before the batch wanted', () => {
    const index = filledIndex();
    assert.equal(index.scanStartForTimestamp(5), 0);
    assert.equal(index.scanStartForTimestamp(60), 0);
    // Batch 5 has max 60, so entries proven < 61 reach batch 5: scanning starts there.
    assert.equal(index.scanStartForTimestamp(61), 5000);
    assert.equal(index.scanStartForTimestamp(1000), 95_000);
    assert.equal(index.maxTimestamp, 1000);
    assert.equal(index.firstTimestamp, 10);
  });

  it('round-trips through its files, with the max timestamp in the last time entry', () => {
    const index = filledIndex();
    const { offsetIndex, timeIndex } = index.serialize();
    assert.equal(offsetIndex.length, 20 * 8);
    assert.equal(timeIndex.length, 21 * 12);
    const back = SegmentIndex.deserialize(500, 4096, 100_000, offsetIndex, timeIndex)!;
    assert.equal(back.maxTimestamp, 1000);
    for (const offset of [500, 517, 600, 699]) assert.equal(back.positionFor(offset), index.positionFor(offset));
    for (const ts of [1, 61, 555, 1000]) assert.equal(back.scanStartForTimestamp(ts), index.scanStartForTimestamp(ts));
  });

  it('rejects index files that are truncated, out of order or point past the segment', () => {
    const { offsetIndex, timeIndex } = filledIndex().serialize();
    assert.equal(SegmentIndex.deserialize(500, 4096, 100_000, offsetIndex.subarray(0, 13), timeIndex), null);
    assert.equal(SegmentIndex.deserialize(500, 4096, 100_000, offsetIndex, Buffer.alloc(0)), null);
    assert.equal(SegmentIndex.deserialize(500, 4096, 50_000, offsetIndex, timeIndex), null);
    const swapped = Buffer.from(offsetIndex);
    offsetIndex.copy(swapped, 8, 16, 24);
    assert.equal(SegmentIndex.deserialize(500, 4096, 100_000, swapped, timeIndex), null);
    assert.equal(SegmentIndex.deserialize(500, 4096, 100_000, Buffer.alloc(offsetIndex.length), timeIndex), null);
  });

  it('binary searches', () => {
    assert.equal(lastAtOrBelow([1, 3, 5], 0), -1);
    assert.equal(lastAtOrBelow([1, 3, 5], 3), 1);
    assert.equal(lastAtOrBelow([1, 3, 5], 9), 2);
    assert.equal(lastBelow([1, 3, 5], 3), 0);
    assert.equal(lastBelow([1, 3, 5], 1), -1);
  });
});
