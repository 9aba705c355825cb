import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reader } from './reader.js';
import { ProtocolError } from './protocol-error.js';

const hex = (s: string) => new Reader(Buffer.from(s.replace(/\s/g, ''), 'hex'));

test('fixed-width integers, floats and booleans read big-endian', () => {
  const r = hex('ff 7f 01 8000 ffff 80000000 ffffffff ffffffffffffffff 000000000000002a 3ff8000000000000');
  assert.equal(r.int8(), -1);
  assert.equal(r.uint8(), 0x7f);
  assert.equal(r.bool(), true);
  assert.equal(r.int16(), -32768);
  assert.equal(r.uint16(), 65535);
  assert.equal(r.int32(), -2147483648);
  assert.equal(r.uint32(), 4294967295);
  assert.equal(r.int64(), -1);
  assert.equal(r.int64(), 42);
  assert.equal(r.float64(), 1.5);
  assert.equal(r.remaining, 0);
});

test('int64 is exact up to 2^53 either side', () => {
  assert.equal(hex('001fffffffffffff').int64(), Number.MAX_SAFE_INTEGER);
  assert.equal(hex('ffe0000000000001').int64(), Number.MIN_SAFE_INTEGER);
  assert.equal(hex('ffffffff00000000').int64(), -(2 ** 32));
});

test('every read is bounds-checked against the end of the frame (or window)', () => {
  const reads: [string, (r: Reader) => unknown, number][] = [
    ['int8', (r) => r.int8(), 1],
    ['int16', (r) => r.int16(), 2],
    ['uint16', (r) => r.uint16(), 2],
    ['int32', (r) => r.int32(), 4],
    ['uint32', (r) => r.uint32(), 4],
    ['int64', (r) => r.int64(), 8],
    ['float64', (r) => r.float64(), 8],
    ['uuid', (r) => r.uuid(), 16],
    ['raw', (r) => r.raw(3), 3],
  ];
  for (const [name, read, size] of reads) {
    assert.throws(() => read(new Reader(Buffer.alloc(size - 1))), ProtocolError, name);
    // A window that ends before the buffer does is honoured too.
    assert.throws(() => read(new Reader(Buffer.alloc(size + 4), 4, size + 3)), ProtocolError, `${name} in a window`);
    assert.doesNotThrow(() => read(new Reader(Buffer.alloc(size))), name);
  }
  assert.throws(() => new Reader(Buffer.alloc(4)).need(-1), ProtocolError);
});

test('unsigned varints: edge values, 5-byte limit, 32-bit limit, truncation', () => {
  const cases: [string, number][] = [
    ['00', 0],
    ['7f', 127],
    ['8001', 128],
    ['ff7f', 16383],
    ['808001', 16384],
    ['ffffffff07', 2147483647],
    ['ffffffff0f', 4294967295],
  ];
  for (const [bytes, value] of cases) {
    const r = hex(bytes);
    assert.equal(r.uvarint(), value, bytes);
    assert.equal(r.remaining, 0);
  }
  assert.throws(() => hex('ffffffff1f').uvarint(), /exceeds 32 bits/);
  assert.throws(() => hex('ffffffffff01').uvarint(), /longer than 5 bytes/);
  assert.throws(() => hex('8080').uvarint(), /truncated varint/);
});

test('zig-zag varints decode the int32 range', () => {
  const cases: [string, number][] = [
    ['00', 0],
    ['01', -1],
    ['02', 1],
    ['03', -2],
    ['d804', 300],
    ['feffffff0f', 2147483647],
    ['ffffffff0f', -2147483648],
  ];
  for (const [bytes, value] of cases) assert.equal(hex(bytes).varint(), value, bytes);
});

test('zig-zag varlongs decode up to 10 bytes, exact for |v| < 2^53', () => {
  const cases: [string, number][] = [
    ['00', 0],
    ['01', -1],
    ['02', 1],
    ['8080808010', 2 ** 31],
    ['ffffffff0f', -(2 ** 31)],
    ['feffffffffffff0f', 2 ** 52 - 1],
    ['ffffffffffffff0f', -(2 ** 52)],
    ['feffffffffffff1f', Number.MAX_SAFE_INTEGER],
  ];
  for (const [bytes, value] of cases) assert.equal(hex(bytes).varlong(), value, bytes);
  // 10 bytes is the longest legal form; an 11th continuation is corrupt.
  assert.doesNotThrow(() => hex('80808080808080808001').varlong());
  assert.throws(() => hex('8080808080808080808001').varlong(), /longer than 10 bytes/);
  assert.throws(() => hex('80').varlong(), /truncated varlong/);
});

test('strings: classic and compact, nullable and not', () => {
  assert.equal(hex('0003 616263').string(false), 'abc');
  assert.equal(hex('0000').string(false), '');
  assert.equal(hex('ffff').nullableString(false), null);
  assert.equal(hex('04 616263').string(true), 'abc');
  assert.equal(hex('01').string(true), '');
  assert.equal(hex('00').nullableString(true), null);
  assert.equal(hex('0002 c3bc').string(false), 'ü');
  assert.throws(() => hex('ffff').string(false), /null string/);
  assert.throws(() => hex('00').string(true), /null string/);
  assert.throws(() => hex('fffe').nullableString(false), /negative string length -2/);
  assert.throws(() => hex('0005 6162').string(false), /truncated/);
  assert.throws(() => hex('ffffffff0f').nullableString(true), /truncated/);
});

test('bytes: classic and compact, nullable, returned as views into the frame', () => {
  const buf = Buffer.from('00000002abcd03ef01ffffffff', 'hex');
  const r = new Reader(buf);
  const b = r.bytes(false);
  assert.deepEqual(b, Buffer.from('abcd', 'hex'));
  assert.equal(b.buffer, buf.buffer, 'a view, not a copy');
  assert.deepEqual(r.bytes(true), Buffer.from('ef01', 'hex'));
  assert.equal(r.nullableBytes(false), null);
  assert.equal(hex('00').nullableBytes(true), null);
  assert.throws(() => hex('ffffffff').bytes(false), /null bytes/);
  assert.throws(() => hex('fffffffe').nullableBytes(false), /negative bytes length -2/);
  assert.throws(() => hex('7fffffff 00').bytes(false), /truncated/);
});

test('array lengths: null forms, and counts above the bytes left are refused before allocation', () => {
  assert.equal(hex('ffffffff').arrayLength(false), -1);
  assert.equal(hex('00').arrayLength(true), -1);
  assert.equal(hex('03 aabb').arrayLength(true), 2);
  assert.equal(hex('00000002 aabb').arrayLength(false), 2);
  assert.throws(() => hex('00000003 aabb').arrayLength(false), /array length 3 exceeds the 2 bytes left/);
  assert.throws(() => hex('7fffffff').arrayLength(false), /exceeds/);
  assert.throws(() => hex('ffffffff0f').arrayLength(true), /exceeds/);
  assert.throws(() => hex('fffffffe').arrayLength(false), /negative array length -2/);
});

test('uuids read as Kafka prints them (22 characters of base64url)', () => {
  assert.equal(hex('00'.repeat(16)).uuid(), 'AAAAAAAAAAAAAAAAAAAAAA');
  assert.equal(hex('ff'.repeat(16)).uuid(), '_____________________w');
});

test('tag buffers are skipped whole; a tag running past the frame is refused', () => {
  const r = hex('02 00 02 aaaa 05 01 bb 7f');
  r.skipTags();
  assert.equal(r.int8(), 0x7f);
  assert.throws(() => hex('01 00 05 aa').skipTags(), /truncated/);
  assert.throws(() => hex('03 00 00').skipTags(), /truncated varint/);
});
