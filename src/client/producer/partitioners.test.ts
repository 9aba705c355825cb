import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, crc32Partitioner, murmur2Partitioner, StickyPartitions } from './partitioners.js';
import { murmur2Partition } from '../../protocol/murmur2.js';

test('keyed records go where murmur2Partition (Java) puts them', () => {
  for (let i = 0; i < 2000; i++) {
    const key = Buffer.from(`key-${i}`);
    for (const n of [1, 3, 6, 7, 100]) assert.equal(murmur2Partitioner(key, n), murmur2Partition(key, n));
  }
  // Kafka's own vector: "foobar" with 3 partitions -> 0.
  assert.equal(murmur2Partitioner(Buffer.from('foobar'), 3), 0);
});

test('crc32 is zlib\'s CRC-32 and the partition is crc32(key) % n, as librdkafka\'s consistent partitioner', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(Buffer.alloc(0)), 0);
  assert.equal(crc32(Buffer.from('The quick brown fox jumps over the lazy dog')), 0x414fa339);
  assert.equal(crc32Partitioner(Buffer.from('123456789'), 6), 0xcbf43926 % 6);
});

test('sticky partitioning keeps one partition per topic until its batch closes, then moves on', () => {
  const values = [0.5, 0.5, 0.1, 0.9];
  let i = 0;
  const sticky = new StickyPartitions(() => values[i++ % values.length]!);
  const first = sticky.partition('t', 6);
  assert.equal(first, 3);
  assert.equal(sticky.partition('t', 6), 3, 'same partition while the batch is open');
  sticky.batchClosed('t', 5, 6);
  assert.equal(sticky.partition('t', 6), 3, 'another partition\'s batch closing changes nothing');
  sticky.batchClosed('t', 3, 6);
  const next = sticky.partition('t', 6);
  assert.notEqual(next, 3, 'a new partition, never the one just closed');
  assert.ok(next >= 0 && next < 6);
  assert.equal(new StickyPartitions(() => 0.99).partition('x', 1), 0);
});
