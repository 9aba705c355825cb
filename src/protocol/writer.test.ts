import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writer } from './writer.js';
import { Reader } from './reader.js';

const hexOf = (w: Writer) => w.toBuffer().toString('hex');

test('integers and floats are written big-endian', () => {
  const w = new Writer();
  w.int8(-1).uint8(0x7f).bool(true).int16(-32768).uint16(65535).int32(-2147483648).uint32(4294967295).float64(1.5);
  assert.equal(hexOf(w), 'ff7f01' + '8000' + 'ffff' + '80000000' + 'ffffffff' + '3ff8000000000000');
});

test('int64 writes negative values in two\u2019s complement', () => {
  const cases: [number, string][] = [
    [-1, 'ffffffffffffffff'],
    [-2, 'fffffffffffffffe'],
    [-(2 ** 32), 'ffffffff00000000'],
    [-(2 ** 32) - 1, 'fffffffeffffffff'],
    [Number.MIN_SAFE_INTEGER, 'ffe0000000000001'],
    [Number.MAX_SAFE_INTEGER, '001fffffffffffff'],
    [2 ** 32, '0000000100000000'],
    [0, '0000000000000000'],
  ];
  for (const [value, expected] of cases) {
    const w = new Writer();
    w.int64(value);
    const buf = w.toBuffer();
    assert.equal(buf.toString('hex'), expected, String(value));
    assert.equal(new Reader(buf).int64(), value);
  }
});

test('varints and varlongs use zig-zag and the shortest form', () => {
  const varints: [number, string][] = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-64, '7f'],
    [64, '8001'],
    [300, 'd804'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ];
  for (const [v, expected] of varints) assert.equal(hexOf(new Writer().varint(v)), expected, `varint ${v}`);
  const uvarints: [number, string][] = [
    [0, '00'],
    [127, '7f'],
    [128, '8001'],
    [4294967295, 'ffffffff0f'],
  ];
  for (const [v, expected] of uvarints) assert.equal(hexOf(new Writer().uvarint(v)), expected, `uvarint ${v}`);
  for (const v of [0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 40, -(2 ** 45), 2 ** 52 - 1, -(2 ** 52)]) {
    const buf = new Writer().varlong(v).toBuffer();
    assert.equal(new Reader(buf).varlong(), v, `varlong ${v}`);
  }
  assert.equal(hexOf(new Writer().varlong(2 ** 31)), '8080808010');
});

test('strings and bytes in classic and compact forms, null included', () => {
  const w = new Writer();
  w.string('abc', false).nullableString(null, false).string('abc', true).nullableString(null, true).string('ü', true);
  w.bytes(Buffer.from('ab', 'hex'), false).nullableBytes(null, false).bytes(Buffer.from('cd', 'hex'), true).nullableBytes(null, true);
  assert.equal(hexOf(w), '0003616263' + 'ffff' + '04616263' + '00' + '03c3bc' + '00000001ab' + 'ffffffff' + '02cd' + '00');
});

test('array lengths and tag buffers', () => {
  assert.equal(hexOf(new Writer().arrayLength(2, false).arrayLength(-1, false).arrayLength(2, true).arrayLength(-1, true).emptyTags()), '00000002ffffffff030000');
});

test('uuids are written from their printed form; the zero uuid is 16 zero bytes', () => {
  assert.equal(hexOf(new Writer().uuid('AAAAAAAAAAAAAAAAAAAAAA')), '00'.repeat(16));
  assert.equal(hexOf(new Writer().uuid('_____________________w')), 'ff'.repeat(16));
});

test('regression: the buffer grows from any initial size, including zero (used to hang)', () => {
  for (const initialBytes of [0, 1, 7, 256]) {
    const w = new Writer({ initialBytes });
    for (let i = 0; i < 1000; i++) w.int32(i);
    const buf = w.toBuffer();
    assert.equal(buf.length, 4000);
    const r = new Reader(buf);
    for (let i = 0; i < 1000; i++) assert.equal(r.int32(), i);
  }
});

test('the size prefix holds the byte count of everything after it', () => {
  const w = new Writer({ sizePrefix: true, initialBytes: 0 });
  w.int32(7).string('hello', false);
  const [first, ...rest] = w.finish();
  assert.equal(rest.length, 0);
  assert.equal(first!.readInt32BE(0), 4 + 2 + 5);
  assert.equal(first!.length, 4 + 4 + 2 + 5);
  const empty = new Writer({ sizePrefix: true }).toBuffer();
  assert.equal(empty.toString('hex'), '00000000');
});

test('large byte fields are referenced, not copied, and the size prefix counts them', () => {
  const big = Buffer.alloc(10_000, 0xab);
  const w = new Writer({ sizePrefix: true });
  w.int16(1).bytes(big, false).int16(2);
  assert.equal(w.length, 4 + 2 + 4 + 10_000 + 2);
  const parts = w.finish();
  assert.equal(parts.length, 3);
  assert.equal(parts[1], big, 'the very same buffer object');
  assert.equal(parts[0]!.readInt32BE(0), 2 + 4 + 10_000 + 2);
  const joined = Buffer.concat(parts);
  const r = new Reader(joined, 4);
  assert.equal(r.int16(), 1);
  assert.deepEqual(r.bytes(false), big);
  assert.equal(r.int16(), 2);
});

test('a large part first after the size prefix still leaves the prefix in the first part', () => {
  const big = new Uint8Array(5000).fill(1);
  const w = new Writer({ sizePrefix: true });
  w.raw(big);
  const parts = w.finish();
  assert.equal(parts[0]!.length, 4);
  assert.equal(parts[0]!.readInt32BE(0), 5000);
  assert.ok(Buffer.isBuffer(parts[1]));
  assert.equal(parts[1]!.buffer, big.buffer, 'a Uint8Array is wrapped, not copied');
});

test('records take one buffer, several parts written back to back, or null', () => {
  const w = new Writer();
  w.records([Buffer.from('aa', 'hex'), Buffer.from('bbcc', 'hex')], false).records(null, false).records(Buffer.from('dd', 'hex'), true).records(null, true);
  assert.equal(hexOf(w), '00000003aabbcc' + 'ffffffff' + '02dd' + '00');
});

test('writes after a large part and a growth keep earlier bytes intact', () => {
  const w = new Writer({ initialBytes: 8 });
  w.int32(0x11111111);
  w.raw(Buffer.alloc(4096, 0x22));
  for (let i = 0; i < 100; i++) w.int32(0x33333333);
  const buf = w.toBuffer();
  assert.equal(buf.length, 4 + 4096 + 400);
  assert.equal(buf.readUInt32BE(0), 0x11111111);
  assert.equal(buf[4 + 4095], 0x22);
  assert.equal(buf.readUInt32BE(buf.length - 4), 0x33333333);
});
