import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchBaseOffsets, buildBatch } from '../../test/storage/batch-builder.js';
import { splitBatches } from './batches.js';
import { setBaseOffset } from '../protocol/record-batch-header.js';
import type { AppendedBatch } from './segment.js';
import { TailCacheBudget } from './tail-cache.js';

/**
 * Stamps `count` one-record batches of `valueBytes` from offset `first`, as the log would, in a
 * buffer of their own (as a request frame is), so the cache keeps a view of it.
 */
function appended(first: number, count: number, valueBytes = 50): { data: Buffer; batches: AppendedBatch[] } {
  const joined = Buffer.concat(Array.from({ length: count }, () => buildBatch({ values: [Buffer.alloc(valueBytes)] })));
  const data = Buffer.allocUnsafeSlow(joined.length);
  joined.copy(data);
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

  it('keeps a view of a buffer the batches mostly fill, counting that buffer once', () => {
    const budget = new TailCacheBudget(1 << 20);
    const cache = budget.createCache();
    const a = appended(0, 4);
    const half = a.batches[2]!.position;
    cache.add(a.data.subarray(0, half), a.batches.slice(0, 2));
    cache.add(a.data.subarray(half), a.batches.slice(2).map((b) => ({ ...b, position: b.position - half })));
    assert.equal(budget.totalBytes, a.data.length, 'two views of one buffer pin it once');
    assert.equal(cache.read(0, 1 << 20).chunks[0]!.buffer, a.data.buffer, 'no copy was made');
    cache.evictOldest();
    assert.equal(budget.totalBytes, a.data.length, 'still pinned by the newer run');
    cache.clear();
    assert.equal(budget.totalBytes, 0);
  });

  it('counts the whole buffer a small view pins, so the budget bounds real memory', () => {
    const budget = new TailCacheBudget(512 * 1024);
    const cache = budget.createCache();
    const a = appended(0, 1);
    const frame = Buffer.alloc(1 << 20);
    a.data.copy(frame, 1000);
    cache.add(frame.subarray(1000, 1000 + a.data.length), a.batches);
    assert.ok(budget.totalBytes <= 512 * 1024, 'a view pinning 1 MiB does not fit a 512 KiB budget');
    assert.equal(cache.firstOffset, Infinity);
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

describe('tail cache after a compaction swap', () => {
  it('forgets the runs below a replaced range, and the budget keeps evicting the store\'s oldest runs', () => {
    const a = appended(0, 2);
    const x = appended(0, 2);
    const b = appended(2, 2);
    const y = appended(2, 2);
    const size = a.data.buffer.byteLength;
    const budget = new TailCacheBudget(3 * size);
    const one = budget.createCache();
    const two = budget.createCache();
    // Appended in this order across the store: a (one), x (two), b (one).
    one.add(a.data, a.batches);
    two.add(x.data, x.batches);
    one.add(b.data, b.batches);
    one.evictBelow(2);
    assert.equal(one.firstOffset, 2);
    assert.equal(budget.totalBytes, 2 * size);
    // Two more runs pass the budget by one: the oldest run left in the store is x, not b.
    two.add(y.data, y.batches);
    assert.equal(budget.totalBytes, 3 * size);
    const z = appended(4, 2);
    one.add(z.data, z.batches);
    assert.equal(one.firstOffset, 2, 'b stays');
    assert.equal(two.firstOffset, 2, 'x went');
  });
});
