import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompressionType, readBatchHeader } from '../../protocol/record-batch-header.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../protocol/record-batch.js';
import { ATTR_DELETE_HORIZON, filterBatch, type BatchFilter } from './batch-filter.js';
import { keylessRecords, walkRecords } from './records.js';

async function batch(compression = CompressionType.None, producerId = -1): Promise<Buffer> {
  const b = await encodeRecordBatch({
    records: [
      { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 1000 },
      { key: Buffer.from('b'), value: null, timestamp: 1005 },
      { key: Buffer.from('c'), value: Buffer.from('3'), timestamp: 990, headers: [{ key: 'h', value: Buffer.from('x') }] },
      { key: Buffer.from('a'), value: Buffer.from('4'), timestamp: 1010 },
    ],
    compression,
    ...(producerId >= 0 ? { producerId, producerEpoch: 2, baseSequence: 40 } : {}),
  });
  b.writeBigInt64BE(100n, 0); // stored at offset 100
  return b;
}

/** Keeps the records whose key is in `keep` (by key text). */
function keeping(keep: (key: string, offset: number) => boolean, extra: Partial<BatchFilter> = {}): BatchFilter {
  return {
    newDeleteHorizonMs: 5000,
    retainRecord: (data, r, offset) => keep(data.toString('utf8', r.keyStart, r.keyStart + r.keyLength), offset),
    retainEmpty: () => false,
    ...extra,
  };
}

describe('batch filter', () => {
  it('copies a batch keeping every record (and whose tombstones already have a horizon) as it is', async () => {
    const b = await batch();
    b.writeInt16BE(b.readInt16BE(21) | ATTR_DELETE_HORIZON, 21); // pretend the horizon is set (CRC now stale is fine: not checked here)
    const f = await filterBatch(b, 0, b.length, keeping(() => true));
    assert.ok(f.bytes!.equals(b));
  });

  for (const compression of [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
    it(`rebuilds a ${CompressionType[compression]} batch keeping some records: same codec, offsets, last offset delta, producer fields and timestamps`, async () => {
      const b = await batch(compression, 9);
      const f = await filterBatch(b, 0, b.length, keeping((k, offset) => k !== 'a' || offset === 103));
      const [out] = await decodeRecordBatches(f.bytes!);
      assert.equal(out!.compression, compression);
      const h = out!.header;
      assert.deepEqual([h.baseOffset, h.lastOffsetDelta, h.recordCount, h.producerId, h.producerEpoch, h.baseSequence], [100, 3, 3, 9, 2, 40]);
      assert.deepEqual(out!.records.map((r) => [r.offset, r.key?.toString(), r.value?.toString() ?? null, r.timestamp]), [
        [101, 'b', null, 1005],
        [102, 'c', '3', 990],
        [103, 'a', '4', 1010],
      ]);
      assert.deepEqual(out!.records[1]!.headers.map((x) => [x.key, x.value?.toString()]), [['h', 'x']]);
      // A kept tombstone gives the batch its delete horizon (KIP-534), in baseTimestamp.
      assert.ok((h.attributes & ATTR_DELETE_HORIZON) !== 0);
      assert.equal(h.baseTimestamp, 5000);
      assert.equal(h.maxTimestamp, 1010);
      assert.deepEqual([f.baseOffset, f.lastOffset, f.recordsRead, f.recordsKept], [100, 103, 4, 3]);
    });
  }

  it('drops a batch losing every record, or keeps its header alone when asked (an active producer\'s last batch)', async () => {
    const b = await batch(CompressionType.Gzip, 9);
    assert.equal((await filterBatch(b, 0, b.length, keeping(() => false))).bytes, null);
    const f = await filterBatch(b, 0, b.length, keeping(() => false, { retainEmpty: () => true }));
    assert.equal(f.bytes!.length, 61);
    const h = readBatchHeader(f.bytes!);
    assert.deepEqual([h.baseOffset, h.lastOffsetDelta, h.recordCount, h.producerId, h.baseSequence, h.attributes & 7], [100, 3, 0, 9, 40, 0]);
    const [decoded] = await decodeRecordBatches(f.bytes!);
    assert.equal(decoded!.records.length, 0);
  });

  it('without a tombstone kept, a rebuilt batch takes its first record\'s timestamp as base and sets no horizon', async () => {
    const b = await batch();
    const f = await filterBatch(b, 0, b.length, keeping((k) => k === 'c'));
    const [out] = await decodeRecordBatches(f.bytes!);
    assert.equal(out!.header.attributes & ATTR_DELETE_HORIZON, 0);
    assert.equal(out!.header.baseTimestamp, 990);
    assert.equal(out!.records[0]!.timestamp, 990);
  });
});

describe('record walking', () => {
  it('finds keyless records, synchronously for plain batches and after decompressing others', async () => {
    const records = [{ key: Buffer.from('k'), value: Buffer.from('v') }, { key: null, value: Buffer.from('v') }, { key: null, value: null }];
    const plain = await encodeRecordBatch({ records });
    const sync = keylessRecords(plain);
    assert.deepEqual(sync, [1, 2]);
    const gz = keylessRecords(await encodeRecordBatch({ records, compression: CompressionType.Gzip }));
    assert.ok(gz instanceof Promise);
    assert.deepEqual(await gz, [1, 2]);
  });

  it('refuses records that do not fit their batch', () => {
    const b = Buffer.from([2, 0, 0, 0]); // a 1-byte record claiming more fields than it has
    assert.throws(() => walkRecords(b, 0, b.length, 1), /record/);
    assert.throws(() => walkRecords(b, 0, b.length, 9), /does not fit|record/);
  });
});
