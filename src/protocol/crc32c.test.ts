import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c, crc32cIsNative, crc32cJs } from './crc32c.js';
import { Prng } from '../common/prng.js';

test('the CRC-32C check value: crc32c("123456789") = 0xE3069283', () => {
  const data = Buffer.from('123456789');
  assert.equal(crc32cJs(data), 0xe3069283);
  assert.equal(crc32c(data), 0xe3069283);
  assert.equal(crc32cJs(Buffer.alloc(0)), 0);
});

test('the native module is loaded where it is installed', () => {
  assert.equal(crc32cIsNative, true);
});

test('native and JS agree on random inputs of many sizes, and on sub-ranges', () => {
  const prng = new Prng(99);
  for (const size of [1, 7, 8, 9, 63, 64, 1023, 1024, 1025, 4096, 10_000, 65_537, 300_000]) {
    const data = Buffer.alloc(size + 16);
    for (let i = 0; i < data.length; i++) data[i] = prng.int(0, 255);
    const start = prng.int(0, 15);
    assert.equal(crc32c(data, start, start + size), crc32cJs(data, start, start + size), `size ${size}`);
    assert.equal(crc32cJs(data.subarray(start, start + size)), crc32cJs(data, start, start + size));
  }
});
