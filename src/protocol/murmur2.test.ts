import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmur2, murmur2Partition } from './murmur2.js';

// Kafka's own vectors (UtilsTest.testMurmur2).
const VECTORS: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

test('murmur2 matches the Java client on Kafka\u2019s test vectors', () => {
  for (const [key, hash] of VECTORS) assert.equal(murmur2(Buffer.from(key)), hash, key);
});

test('murmur2 covers every tail length and the empty key', () => {
  const seen = new Set<number>();
  for (let n = 0; n <= 8; n++) {
    const h = murmur2(Buffer.from('abcdefgh'.slice(0, n)));
    assert.ok(Number.isInteger(h) && h >= -(2 ** 31) && h < 2 ** 31);
    seen.add(h);
  }
  assert.equal(seen.size, 9, 'each length hashes differently');
});

test('murmur2Partition masks the sign bit (not Math.abs) before the modulo', () => {
  assert.equal(murmur2Partition(Buffer.from('foobar'), 3), 0);
  for (const [key, hash] of VECTORS) {
    for (const n of [1, 3, 7, 100]) assert.equal(murmur2Partition(Buffer.from(key), n), (hash & 0x7fffffff) % n, `${key} % ${n}`);
  }
  // "21" hashes negative: masking and Math.abs give different partitions here.
  assert.notEqual((-973932308 & 0x7fffffff) % 7, Math.abs(-973932308) % 7);
});
