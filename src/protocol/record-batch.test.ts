import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecordBatches, encodeRecordBatch, type RecordInput } from './record-batch.js';
import { BATCH, batchCrcIsValid, CompressionType, readBatchHeader, setBaseOffset } from './record-batch-header.js';
import { crc32cJs } from './crc32c.js';
import { ProtocolError } from './protocol-error.js';
import { Prng } from '../common/prng.js';

/**
 * Batches written by librdkafka 2.0.2 (confluent-kafka-python 1.7.0): five records with keys
 * key-0..4, values "value-N " x 20, header h=vN and timestamps 1700000000000+N, produced to
 * librdkafka's mock cluster with compression.codec none/snappy/gzip/lz4/zstd and fetched back
 * raw with a Fetch v4 request. librdkafka writes snappy as a raw block (no xerial framing) and
 * zstd frames without a content size, so these cover the decoder paths the Java client does not.
 */
const LIBRDKAFKA_BATCHES: Record<string, string> = {
  none: '0000000000000000000003b000000000021d3ba3db0000000000040000018bcfe568000000018bcfe56804ffffffffffffffffffffffffffff00000005e2020000000a6b65792d30c00276616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d302076616c75652d3020020268047630e2020002020a6b65792d31c00276616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d312076616c75652d3120020268047631e2020004040a6b65792d32c00276616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d322076616c75652d3220020268047632e2020006060a6b65792d33c00276616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d332076616c75652d3320020268047633e2020008080a6b65792d34c00276616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d342076616c75652d3420020268047634',
  snappy: '0000000000000000000000ce0000000002c71d33690002000000040000018bcfe568000000018bcfe56804ffffffffffffffffffffffffffff00000005ff0650e2020000000a6b65792d30c00276616c75652d3020fe0800fe08005e080028020268047630e20200020205b3003111b300310db3fe0800fe080046080005b31431e20200040405b3003211b300320db3fe0800fe0800460800000221661432e20200060605b3003311b300330db3fe0800fe080046080005b31433e20200080805b3003411b300340db3fe0800fe080046080014020268047634',
  gzip: '0000000000000000000000a30000000002facadb130001000000040000018bcfe568000000018bcfe56804ffffffffffffffffffffffffffff000000051f8b0800000000000003cdcecd09c0200c06d01044a4536401c1bf857a1084f65aa1db751627a97c901d727ad7b798888eabbf317d3ccffbe931895599879b693131a39cb59cc5aa28e75d760ee5a2e5225645b9ecb2f728572d57b12aca75974340b969b98955516e3f1c8758aa7f030000',
  lz4: '0000000000000000000000c3000000000283db15ea0003000000040000018bcfe568000000018bcfe56804ffffffffffffffffffffffffffff0000000504224d1860408283000000ff06e2020000000a6b65792d30c00276616c75652d3020080085b1020268047630e202000202b3001431b3001331b3000f08007f01b3006131e202000404b3001432b3001332b3000f08007f01b3006132e202000606b3001433b3001333b3000f08007f01b3006133e202000808b3001434b3001334b3000f08007f6002026804763400000000',
  zstd: '0000000000000000000000a500000000021b53ca8d0004000000040000018bcfe568000000018bcfe56804ffffffffffffffffffffffffffff0000000528b52ffd00585d030002040f19c0251dffebffff3a4b711658fccf0021e4eaf5a09164a72a03aa1d7ba54ae9995222a42742e8aee739e77b623bf6019a551042fb4063ac01687b0614000f4001e403c4c00168f701a881cc000970055a78000a201f20060e40bb0f400d6406246ce6f22ba30a13',
};

function sampleRecords(): RecordInput[] {
  return [
    { key: Buffer.from('key-a'), value: Buffer.from('value-a'), timestamp: 1_700_000_000_000, headers: [{ key: 'trace', value: Buffer.from('t1') }] },
    { key: null, value: Buffer.from('no key'), timestamp: 1_700_000_000_005 },
    { key: Buffer.from('tombstone'), value: null, timestamp: 1_699_999_999_990 },
    { key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: 1_700_000_000_001, headers: [{ key: 'ключ-ü', value: null }, { key: '', value: Buffer.alloc(0) }] },
  ];
}

test('a hand-built one-record batch matches the encoder byte for byte', async () => {
  // length 11 (zig-zag 0x16), attributes, timestampDelta 0, offsetDelta 0, key "k", value "v",
  // one header "h" with a null value (zig-zag -1 = 0x01).
  const records = Buffer.from([0x16, 0x00, 0x00, 0x00, 0x02, 0x6b, 0x02, 0x76, 0x02, 0x02, 0x68, 0x01]);
  const expected = Buffer.concat([
    Buffer.from('0000000000000005' + '0000003d' + 'ffffffff' + '02' + '00000000', 'hex'),
    Buffer.from('0000' + '00000000' + '00000000000003e8' + '00000000000003e8' + '0000000000000007' + '0001' + '00000000' + '00000001', 'hex'),
    records,
  ]);
  expected.writeUInt32BE(crc32cJs(expected, 21, expected.length), 17);
  const encoded = await encodeRecordBatch({
    records: [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1000, headers: [{ key: 'h', value: null }] }],
    baseOffset: 5,
    producerId: 7,
    producerEpoch: 1,
    baseSequence: 0,
  });
  assert.equal(encoded.toString('hex'), expected.toString('hex'));
});

test('records round-trip: null and empty keys and values, headers, negative timestamp deltas', async () => {
  const records = sampleRecords();
  const batch = await encodeRecordBatch({ records, baseOffset: 100 });
  const [decoded] = await decodeRecordBatches(batch);
  assert.ok(decoded);
  assert.equal(decoded.records.length, records.length);
  decoded.records.forEach((r, i) => {
    const input = records[i]!;
    assert.equal(r.offset, 100 + i);
    assert.equal(r.timestamp, input.timestamp);
    assert.deepEqual(r.key, input.key ?? null);
    assert.deepEqual(r.value, input.value);
    assert.deepEqual(r.headers, input.headers ?? []);
  });
  assert.equal(decoded.sizeBytes, batch.length);
  assert.equal(decoded.compression, CompressionType.None);
  assert.equal(decoded.isControl, false);
  assert.equal(decoded.isTransactional, false);
});

test('the batch header carries the defaults, counts, timestamps and a valid CRC-32C', async () => {
  const batch = await encodeRecordBatch({ records: sampleRecords() });
  const h = readBatchHeader(batch);
  assert.equal(h.baseOffset, 0);
  assert.equal(h.batchLength, batch.length - BATCH.LOG_OVERHEAD);
  assert.equal(h.partitionLeaderEpoch, -1);
  assert.equal(h.magic, 2);
  assert.equal(h.attributes, 0);
  assert.equal(h.lastOffsetDelta, 3);
  assert.equal(h.recordCount, 4);
  assert.equal(h.baseTimestamp, 1_700_000_000_000, 'the first record sets baseTimestamp');
  assert.equal(h.maxTimestamp, 1_700_000_000_005);
  assert.equal(h.producerId, -1);
  assert.equal(h.producerEpoch, -1);
  assert.equal(h.baseSequence, -1);
  assert.ok(batchCrcIsValid(batch, 0, batch.length));
});

test('idempotent and transactional fields and attribute bits are written and read back', async () => {
  const batch = await encodeRecordBatch({
    records: [{ value: Buffer.from('x'), timestamp: 1 }],
    producerId: 2 ** 40 + 3,
    producerEpoch: 9,
    baseSequence: 77,
    partitionLeaderEpoch: 4,
    transactional: true,
    compression: CompressionType.Gzip,
  });
  const [decoded] = await decodeRecordBatches(batch);
  assert.ok(decoded);
  assert.equal(decoded.header.producerId, 2 ** 40 + 3);
  assert.equal(decoded.header.producerEpoch, 9);
  assert.equal(decoded.header.baseSequence, 77);
  assert.equal(decoded.header.partitionLeaderEpoch, 4);
  assert.equal(decoded.header.attributes, 0x10 | CompressionType.Gzip);
  assert.equal(decoded.isTransactional, true);
  assert.equal(decoded.compression, CompressionType.Gzip);
});

test('control batches (transaction markers) decode as control with their records', async () => {
  const commitKey = Buffer.from([0, 0, 0, 1]); // version 0, type 1 = COMMIT
  const commitValue = Buffer.from([0, 0, 0, 0, 0, 5]); // version 0, coordinatorEpoch 5
  const batch = await encodeRecordBatch({
    records: [{ key: commitKey, value: commitValue, timestamp: 5 }],
    isControl: true,
    transactional: true,
    producerId: 1,
    producerEpoch: 0,
  });
  const [decoded] = await decodeRecordBatches(batch);
  assert.ok(decoded);
  assert.equal(decoded.isControl, true);
  assert.equal(decoded.isTransactional, true);
  assert.equal(decoded.header.attributes & 0x30, 0x30);
  assert.deepEqual(decoded.records[0]!.key, commitKey);
  assert.deepEqual(decoded.records[0]!.value, commitValue);
});

test('records without a timestamp take nowMs, or -1 when no time is given', async () => {
  const withNow = await decodeRecordBatches(await encodeRecordBatch({ records: [{ value: null }, { value: null, timestamp: 50 }], nowMs: 40 }));
  assert.deepEqual(withNow[0]!.records.map((r) => r.timestamp), [40, 50]);
  assert.equal(withNow[0]!.header.maxTimestamp, 50);
  const without = await decodeRecordBatches(await encodeRecordBatch({ records: [{ value: null }] }));
  assert.equal(without[0]!.records[0]!.timestamp, -1);
});

test('LogAppendTime batches give every record the batch maxTimestamp', async () => {
  const batch = await encodeRecordBatch({
    records: [{ value: null, timestamp: 1 }, { value: null, timestamp: 2 }],
    timestampType: 'log-append',
    nowMs: 9_000,
  });
  const [decoded] = await decodeRecordBatches(batch);
  assert.equal(decoded!.header.attributes & 0x08, 0x08);
  assert.deepEqual(decoded!.records.map((r) => r.timestamp), [9_000, 9_000]);
});

test('timestamp deltas beyond 32 bits and offsets past 2^32 round-trip', async () => {
  const records = [{ value: null, timestamp: 0 }, { value: null, timestamp: 2 ** 45 }, { value: null, timestamp: -(2 ** 40) }];
  const [decoded] = await decodeRecordBatches(await encodeRecordBatch({ records, baseOffset: 2 ** 33 }));
  assert.deepEqual(decoded!.records.map((r) => r.timestamp), [0, 2 ** 45, -(2 ** 40)]);
  assert.deepEqual(decoded!.records.map((r) => r.offset), [2 ** 33, 2 ** 33 + 1, 2 ** 33 + 2]);
});

test('large values and many headers size their varints correctly', async () => {
  const big = Buffer.alloc(300_000, 7);
  const headers = Array.from({ length: 200 }, (_, i) => ({ key: `h${i}`, value: Buffer.alloc(i) }));
  const [decoded] = await decodeRecordBatches(await encodeRecordBatch({ records: [{ value: big, headers }] }));
  assert.deepEqual(decoded!.records[0]!.value, big);
  assert.deepEqual(decoded!.records[0]!.headers, headers);
});

test('every compression codec round-trips and sets the compression bits', async () => {
  const records = Array.from({ length: 300 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`value ${i} `.repeat(20)), timestamp: 1000 + i }));
  for (const compression of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
    const batch = await encodeRecordBatch({ records, compression });
    assert.equal(batch.readInt16BE(BATCH.ATTRIBUTES) & 0x07, compression);
    assert.equal(batch.readInt32BE(BATCH.RECORD_COUNT), 300, 'recordCount stays outside the compressed part');
    const [decoded] = await decodeRecordBatches(batch);
    assert.equal(decoded!.compression, compression);
    assert.deepEqual(decoded!.records.map((r) => r.value!.toString()), records.map((r) => r.value.toString()));
  }
});

test('batches written by librdkafka decode with every codec (raw snappy, zstd without content size)', async () => {
  for (const [codec, hex] of Object.entries(LIBRDKAFKA_BATCHES)) {
    const batches = await decodeRecordBatches(Buffer.from(hex, 'hex'));
    assert.equal(batches.length, 1, codec);
    const records = batches[0]!.records;
    assert.deepEqual(
      records.map((r) => [r.offset, r.timestamp, r.key!.toString(), r.value!.toString(), r.headers[0]!.key, r.headers[0]!.value!.toString()]),
      [0, 1, 2, 3, 4].map((i) => [i, 1_700_000_000_000 + i, `key-${i}`, `value-${i} `.repeat(20), 'h', `v${i}`]),
      codec,
    );
  }
});

test('several batches in one buffer decode in order; a truncated trailing batch is dropped', async () => {
  const first = await encodeRecordBatch({ records: [{ value: Buffer.from('a') }], baseOffset: 0 });
  const second = await encodeRecordBatch({ records: [{ value: Buffer.from('b') }, { value: Buffer.from('c') }], baseOffset: 1 });
  const third = await encodeRecordBatch({ records: [{ value: Buffer.from('d') }], baseOffset: 3, compression: CompressionType.Lz4 });
  const all = Buffer.concat([first, second, third]);
  const decoded = await decodeRecordBatches(all);
  assert.deepEqual(decoded.flatMap((b) => b.records.map((r) => `${r.offset}:${r.value}`)), ['0:a', '1:b', '2:c', '3:d']);
  const twoWhole = first.length + second.length;
  for (let cut = twoWhole; cut < all.length; cut++) {
    const partial = await decodeRecordBatches(all.subarray(0, cut));
    assert.equal(partial.length, 2, `cut at ${cut}`);
  }
  assert.deepEqual(await decodeRecordBatches(Buffer.alloc(0)), []);
});

test('decoded keys and values are views into the fetched bytes, not copies', async () => {
  const batch = await encodeRecordBatch({ records: [{ key: Buffer.from('key'), value: Buffer.from('value') }] });
  const [decoded] = await decodeRecordBatches(batch);
  const value = decoded!.records[0]!.value!;
  assert.equal(value.buffer, batch.buffer);
  batch[batch.length - 2] = 0x41; // the value's last byte sits just before the header count
  assert.equal(value.toString(), 'valuA');
});

test('a CRC mismatch is a ProtocolError unless verification is off', async () => {
  const batch = await encodeRecordBatch({ records: [{ value: Buffer.from('payload') }] });
  batch[batch.length - 3] ^= 0xff;
  await assert.rejects(decodeRecordBatches(batch), (err: unknown) => err instanceof ProtocolError && /CRC mismatch/.test(err.message));
  const [decoded] = await decodeRecordBatches(batch, { verifyCrc: false });
  assert.equal(decoded!.records.length, 1);
});

test('baseOffset and partitionLeaderEpoch lie outside the CRC', async () => {
  const batch = await encodeRecordBatch({ records: [{ value: Buffer.from('x') }] });
  setBaseOffset(batch, 0, 12345);
  batch.writeInt32BE(7, BATCH.PARTITION_LEADER_EPOCH);
  const [decoded] = await decodeRecordBatches(batch);
  assert.equal(decoded!.records[0]!.offset, 12345);
});

test('legacy message sets (magic 0 and 1) are rejected with the magic named', async () => {
  for (const magic of [0, 1]) {
    const legacy = Buffer.alloc(40);
    legacy.writeInt32BE(28, BATCH.BATCH_LENGTH);
    legacy.writeInt8(magic, BATCH.MAGIC);
    await assert.rejects(decodeRecordBatches(legacy), (err: unknown) => err instanceof ProtocolError && err.message.includes(`magic ${magic}`));
  }
  const unknown = await encodeRecordBatch({ records: [{ value: null }] });
  unknown.writeInt8(3, BATCH.MAGIC);
  await assert.rejects(decodeRecordBatches(unknown), /unknown magic 3/);
});

test('corrupt batches are ProtocolErrors with a clear message', async () => {
  const good = await encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'h', value: null }] }] });
  const cases: [string, (b: Buffer) => void, RegExp][] = [
    ['negative batch length', (b) => b.writeInt32BE(-5, BATCH.BATCH_LENGTH), /negative batch length/],
    ['record count beyond the bytes', (b) => b.writeInt32BE(1_000_000, BATCH.RECORD_COUNT), /record count 1000000/],
    ['negative record count', (b) => b.writeInt32BE(-1, BATCH.RECORD_COUNT), /record count -1/],
    ['record length past the batch', (b) => (b[BATCH.HEADER_BYTES] = 0x7e), /declares 63 bytes/],
    ['record length shorter than its fields', (b) => (b[BATCH.HEADER_BYTES] = 0x0c), /runs past its record/],
    ['varint longer than 5 bytes', (b) => b.fill(0xff, BATCH.HEADER_BYTES, BATCH.HEADER_BYTES + 6), /varint longer than 5 bytes/],
    ['negative header key length', (b) => (b[b.length - 3] = 0x03), /negative header key length/],
    ['header count beyond the record', (b) => (b[b.length - 4] = 0x7e), /invalid header count 63/],
    ['unknown compression type', (b) => b.writeInt16BE(6, BATCH.ATTRIBUTES), /unknown compression type 6/],
  ];
  for (const [name, corrupt, message] of cases) {
    const bad = Buffer.from(good);
    corrupt(bad);
    await assert.rejects(decodeRecordBatches(bad, { verifyCrc: false }), (err: unknown) => err instanceof ProtocolError && message.test(err.message), name);
  }
  const trailing = Buffer.concat([good, Buffer.from([0])]);
  trailing.writeInt32BE(trailing.length - BATCH.LOG_OVERHEAD, BATCH.BATCH_LENGTH);
  await assert.rejects(decodeRecordBatches(trailing, { verifyCrc: false }), /1 bytes left after its 1 records/);
  const padded = Buffer.concat([good, Buffer.from([0])]);
  padded.writeInt32BE(padded.length - BATCH.LOG_OVERHEAD, BATCH.BATCH_LENGTH);
  padded[BATCH.HEADER_BYTES] = 0x18; // 12 bytes declared, 11 used by the fields
  await assert.rejects(decodeRecordBatches(padded, { verifyCrc: false }), /declares 12 bytes but its fields take 11/);
  const tooShort = Buffer.alloc(30);
  tooShort.writeInt32BE(18, BATCH.BATCH_LENGTH);
  tooShort.writeInt8(2, BATCH.MAGIC);
  await assert.rejects(decodeRecordBatches(tooShort), /smaller than the 61-byte header/);
});

test('a batch with zero records (left by compaction) decodes empty', async () => {
  const batch = await encodeRecordBatch({ records: [{ value: null }] });
  const empty = Buffer.from(batch.subarray(0, BATCH.HEADER_BYTES));
  empty.writeInt32BE(BATCH.HEADER_BYTES - BATCH.LOG_OVERHEAD, BATCH.BATCH_LENGTH);
  empty.writeInt32BE(0, BATCH.RECORD_COUNT);
  const [decoded] = await decodeRecordBatches(empty, { verifyCrc: false });
  assert.deepEqual(decoded!.records, []);
});

test('encoding an empty batch is refused', async () => {
  await assert.rejects(encodeRecordBatch({ records: [] }), RangeError);
});

test('mutated batches either decode or throw ProtocolError, and never yield more bytes than they hold', async () => {
  const prng = new Prng(20240611);
  const template = await encodeRecordBatch({ records: sampleRecords() });
  for (let i = 0; i < 3000; i++) {
    const bad = Buffer.from(template);
    const flips = prng.int(1, 4);
    for (let f = 0; f < flips; f++) bad[prng.int(BATCH.RECORD_COUNT, bad.length - 1)] = prng.int(0, 255);
    try {
      const batches = await decodeRecordBatches(bad, { verifyCrc: false });
      let bytes = 0;
      for (const b of batches) for (const r of b.records) bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
      assert.ok(bytes <= bad.length);
    } catch (err) {
      assert.ok(err instanceof ProtocolError, `iteration ${i}: ${String(err)}`);
    }
  }
});
