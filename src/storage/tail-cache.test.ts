import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchBaseOffsets, buildBatch } from '../../test/storage/batch-builder.js';
import { splitBatches } from './batches.js';
import { setBaseOffset } from '../protocol/record-batch-header.js';
import type { AppendedBatch } from './segment.js';
import { TailCacheBudget } from './tail-cache.js';

/** Stamps `count` one-record batches of `valueBytes` from offset `first`, as the log would. */
function appended(first: number, count: number, valueBytes = 50): { data: Buffer; batches: AppendedBatch[] } {
  const data = Buffer.concat(Array.from({ length: count }, () => buildBatch({ values: [Buffer.alloc(valueBytes)] })));
  const batches = splitBatches(data).map((s, i) => {
    setBaseOffset(data, s.position, first + i);
    return { position: s.position, size: s.size, baseOffset: first + i, lastOffset: first + i, maxTimestamp: s.maxTimestamp };
  });
  return { data, batches };
}

describe('tail cache', () => {
  it('serves reads from the batch containing the offset, within maxBytes, at least one batch', () => {
    const budget = new TailCacheBudget(1 << 20);
    const cache = budget.createCache();
    const a = appended(10, 3);
    const b = appended(13, 2);
    cache.add(a.data, a.batches);
    cache.add(b.data, b.batches);
    assert.equal(cache.firstOffset, 10);
    const size = a.batches[0]!.size;
    assert.deepEqual(batchBaseOffsets(cache.read(10, 1 << 20).chunks), [10, 11, 12, 13, 14]);
    assert.deepEqual(batchBaseOffsets(cache.read(12, 1 << 20).chunks), [12, 13, 14]);
    assert.deepEqual(batchBaseOffsets(cache.read(11, 1).chunks), [11]);
    const r = cache.read(11, 3 * size);
    assert.deepEqual(batchBaseOffsets(r.chunks), [11, 12, 13]);
    assert.equal(r.bytes, 3 * size);
    assert.equal(r.full, true);
  });

  it('copies appended bytes so the caller may reuse its buffer', () => {
    const cache = new TailCacheBudget(1 << 20).createCache();
    const a = appended(0, 1);
    const original = Buffer.from(a.data);
    cache.add(a.data, a.batches);
    a.data.fill(0);
    assert.deepEqual(Buffer.concat(cache.read(0, 1 << 20).chunks), original);
  });

  it('evicts the oldest runs of the whole store first and stays contiguous per partition', () => {
    const budget = new TailCacheBudget(1000);
    const p0 = budget.createCache();
    const p1 = budget.createCache();
    for (let i = 0; i < 10; i++) {
      const a = appended(i, 1);
      (i % 2 === 0 ? p0 : p1).add(a.data, a.batches);
    }
    assert.ok(budget.totalBytes <= 1000);
    assert.equal(budget.totalBytes, p0.bytes + p1.bytes);
    assert.ok(p0.firstOffset > 0 && p1.firstOffset > 1);
    p0.clear();
    assert.equal(p0.firstOffset, Infinity);
    assert.equal(budget.totalBytes, p1.bytes);
  });

  it('holds nothing with a zero budget', () => {
    const cache = new TailCacheBudget(0).createCache();
    const a = appended(0, 2);
    cache.add(a.data, a.batches);
    assert.equal(cache.firstOffset, Infinity);
  });
});
