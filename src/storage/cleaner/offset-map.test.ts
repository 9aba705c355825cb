import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashKey } from './key-hash.js';
import { largestPrimeAtMost, OffsetMap, OFFSET_MAP_ENTRY_BYTES } from './offset-map.js';

const key = (s: string) => Buffer.from(s);
const put = (m: OffsetMap, k: string, offset: number) => m.put(key(k), 0, k.length, offset);
const get = (m: OffsetMap, k: string) => m.get(key(k), 0, k.length);

describe('offset map', () => {
  it('keeps the latest offset of each key and answers -1 for keys it never saw', () => {
    const m = new OffsetMap(64 * 1024);
    put(m, 'a', 1);
    put(m, 'b', 2);
    put(m, 'a', 7);
    assert.equal(get(m, 'a'), 7);
    assert.equal(get(m, 'b'), 2);
    assert.equal(get(m, 'c'), -1);
    assert.equal(m.size, 2);
    assert.equal(m.latestOffset, 7);
  });

  it('holds keys by hash in a fixed memory budget: 24 bytes a slot, full at 90 %', () => {
    const m = new OffsetMap(24 * 1000);
    assert.equal(m.slots, largestPrimeAtMost(1000));
    assert.equal(m.capacity, Math.floor(m.slots * 0.9));
    let i = 0;
    while (!m.isFull) put(m, `key-${i}`, i++);
    assert.equal(m.size, m.capacity);
    for (let j = 0; j < i; j++) assert.equal(get(m, `key-${j}`), j, `key-${j}`);
    assert.equal(OFFSET_MAP_ENTRY_BYTES, 24);
  });

  it('sizes itself for the keys a pass can meet, never above the limit', () => {
    assert.ok(OffsetMap.bytesFor(10, 1 << 20) < 4096);
    assert.equal(OffsetMap.bytesFor(10_000_000, 1 << 20), 1 << 20);
    assert.ok(new OffsetMap(OffsetMap.bytesFor(1000, 1 << 30)).capacity >= 1000);
  });

  it('empty and binary keys are keys like any other', () => {
    const m = new OffsetMap(4096);
    m.put(Buffer.alloc(0), 0, 0, 3);
    m.put(Buffer.from([0, 0, 0]), 0, 3, 4);
    assert.equal(m.get(Buffer.alloc(0), 0, 0), 3);
    assert.equal(m.get(Buffer.from([0, 0, 0]), 0, 3), 4);
    assert.equal(m.get(Buffer.from([0, 0]), 0, 2), -1);
  });
});

describe('key hash', () => {
  it('is 128 bits with no collision over a million similar keys, and reads only the given range', () => {
    const out = new Int32Array(4);
    const seen = new Set<string>();
    for (let i = 0; i < 1_000_000; i++) {
      const k = Buffer.from(`user-${i}`);
      hashKey(k, 0, k.length, out);
      seen.add(`${out[0]},${out[1]},${out[2]},${out[3]}`);
    }
    assert.equal(seen.size, 1_000_000);
    const a = new Int32Array(4);
    const b = new Int32Array(4);
    hashKey(Buffer.from('xxabcxx'), 2, 5, a);
    hashKey(Buffer.from('abc'), 0, 3, b);
    assert.deepEqual(a, b);
  });
});
