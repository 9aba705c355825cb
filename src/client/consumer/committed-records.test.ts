import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeEndTxnMarker } from '../../protocol/control-record.js';
import { setBaseOffset } from '../../protocol/record-batch-header.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../protocol/record-batch.js';
import { deliverableRecords } from './committed-records.js';

/** A partition's log: batches laid out at consecutive offsets. */
async function log(parts: Array<{ producerId?: number; txn?: boolean; values?: string[]; marker?: 'commit' | 'abort' }>) {
  let offset = 0;
  const buffers: Buffer[] = [];
  for (const p of parts) {
    const b = p.marker !== undefined
      ? await encodeEndTxnMarker({ producerId: p.producerId!, producerEpoch: 0, committed: p.marker === 'commit', coordinatorEpoch: 0, timestampMs: 1 })
      : await encodeRecordBatch({ records: p.values!.map((v) => ({ value: Buffer.from(v), timestamp: 1 })), producerId: p.producerId ?? -1, producerEpoch: 0, baseSequence: p.producerId === undefined ? -1 : 0, transactional: p.txn ?? false });
    setBaseOffset(b, 0, offset);
    offset += p.marker !== undefined ? 1 : p.values!.length;
    buffers.push(b);
  }
  return decodeRecordBatches(Buffer.concat(buffers));
}

const values = (rs: Array<{ value: Buffer | null }>) => rs.map((r) => r.value!.toString());

describe('deliverableRecords', () => {
  it('drops markers always, and aborted transactions only with read_committed, keeping interleaved committed data', async () => {
    const batches = await log([
      { values: ['plain'] }, // 0
      { producerId: 1, txn: true, values: ['a1', 'a2'] }, // 1-2 aborted
      { producerId: 2, txn: true, values: ['c1'] }, // 3 committed
      { producerId: 1, marker: 'abort' }, // 4
      { producerId: 2, marker: 'commit' }, // 5
      { producerId: 1, txn: true, values: ['later'] }, // 6, a new transaction of producer 1, committed
      { producerId: 1, marker: 'commit' }, // 7
    ]);
    assert.deepEqual(values(deliverableRecords(batches, 0, [{ producerId: 1, firstOffset: 1 }])), ['plain', 'c1', 'later']);
    assert.deepEqual(values(deliverableRecords(batches, 0, null)), ['plain', 'a1', 'a2', 'c1', 'later']);
    assert.deepEqual(values(deliverableRecords(batches, 2, [{ producerId: 1, firstOffset: 1 }])), ['c1', 'later']);
  });

  it('handles two aborted transactions of one producer in one fetch', async () => {
    const batches = await log([
      { producerId: 1, txn: true, values: ['x'] },
      { producerId: 1, marker: 'abort' },
      { producerId: 1, txn: true, values: ['ok'] },
      { producerId: 1, marker: 'commit' },
      { producerId: 1, txn: true, values: ['y'] },
      { producerId: 1, marker: 'abort' },
    ]);
    assert.deepEqual(values(deliverableRecords(batches, 0, [{ producerId: 1, firstOffset: 4 }, { producerId: 1, firstOffset: 0 }])), ['ok']);
  });
});
