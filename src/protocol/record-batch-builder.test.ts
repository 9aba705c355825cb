import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordBatchBuilder } from './record-batch-builder.js';
import { decodeRecordBatches, type RecordInput } from './record-batch.js';
import { CompressionType } from './record-batch-header.js';

const RECORDS: RecordInput[] = [
  { key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: 1_700_000_000_500 },
  { key: null, value: Buffer.alloc(300, 7), timestamp: 1_700_000_000_000, headers: [{ key: 'h', value: Buffer.from('x') }, { key: 'ünï', value: null }] },
  { key: Buffer.alloc(0), value: null, timestamp: 1_700_000_009_999 },
];

function build(initialBytes: number): RecordBatchBuilder {
  const b = new RecordBatchBuilder(initialBytes);
  for (const r of RECORDS) b.append(r.key ?? null, r.value, r.headers, r.timestamp!);
  return b;
}

test('a builder that grows from a tiny buffer writes the same bytes as one sized up front', async () => {
  const grown = await build(64).finish({ producerId: 42, producerEpoch: 3, baseSequence: 100 });
  const sized = await build(16_384).finish({ producerId: 42, producerEpoch: 3, baseSequence: 100 });
  assert.deepEqual(grown, sized);
  const [batch] = await decodeRecordBatches(grown);
  assert.deepEqual([batch!.header.producerId, batch!.header.producerEpoch, batch!.header.baseSequence, batch!.header.recordCount], [42, 3, 100, 3]);
});

for (const compression of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
  test(`compressed batches (${CompressionType[compression]}) decode to the same records`, async () => {
    const [batch] = await decodeRecordBatches(await build(16_384).finish({ compression }));
    assert.equal(batch!.compression, compression);
    assert.deepEqual(batch!.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.length ?? null, r.headers.length]), [
      [0, 1_700_000_000_500, 'k1', 2, 0],
      [1, 1_700_000_000_000, null, 300, 2],
      [2, 1_700_000_009_999, '', null, 0],
    ]);
  });
}
