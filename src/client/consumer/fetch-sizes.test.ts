import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIRST_FETCH_BYTES, nextFetchBytes, PartitionState } from './partition-state.js';

const MiB = 1024 * 1024;

describe('fetch sizes per partition', () => {
  it('start at 256 KiB and double while answers of large records come back full, up to the maximum', () => {
    let asked = FIRST_FETCH_BYTES;
    const seen = [asked];
    for (let i = 0; i < 4; i++) {
      // 1 KiB records: a full answer spans asked / 1024 offsets.
      asked = nextFetchBytes(asked, asked, asked / 1024, MiB);
      seen.push(asked);
    }
    assert.deepEqual(seen, [256 * 1024, 512 * 1024, MiB, MiB, MiB]);
  });

  it('stay put when the answer was not full or already held many records', () => {
    assert.equal(nextFetchBytes(FIRST_FETCH_BYTES, 100_000, 100, MiB), FIRST_FETCH_BYTES, 'less than half full: nothing more waits');
    assert.equal(nextFetchBytes(FIRST_FETCH_BYTES, FIRST_FETCH_BYTES, 2400, MiB), FIRST_FETCH_BYTES, '2,400 records of 100 B: big enough already');
    assert.equal(nextFetchBytes(FIRST_FETCH_BYTES, FIRST_FETCH_BYTES, 200, 300_000), 300_000, 'never above maxBytesPerPartition');
  });

  it('go back to the start when the partition seeks', () => {
    const s = new PartitionState('t', 0);
    s.fetchBytes = MiB;
    s.seek(42);
    assert.equal(s.fetchBytes, FIRST_FETCH_BYTES);
  });
});
