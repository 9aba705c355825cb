import { decodeTxnRecord, encodeTxnRecordKey, encodeTxnRecordValue, type TxnRecord } from '../../coordinator/txn/index.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../protocol/record-batch.js';
import type { PartitionLog } from '../../storage/types.js';

/** Name of the internal log holding transaction metadata and producer-id blocks. */
export const TXN_LOG_NAME = 'transaction_coordinator';

const RECORDS_PER_BATCH = 500;
const READ_CHUNK_BYTES = 1 << 20;

/** Transaction records as RecordBatch v2 bytes (the coordinator's own key and value encodings). */
export async function encodeTxnRecords(records: readonly TxnRecord[], nowMs: number): Promise<Buffer> {
  const batches: Buffer[] = [];
  for (let i = 0; i < records.length; i += RECORDS_PER_BATCH) {
    const slice = records.slice(i, i + RECORDS_PER_BATCH);
    batches.push(await encodeRecordBatch({ records: slice.map((r) => ({ key: encodeTxnRecordKey(r), value: encodeTxnRecordValue(r) })), nowMs }));
  }
  return Buffer.concat(batches);
}

/** Calls `apply` with every record of the log, oldest first; returns how many there were. */
export async function readTxnLog(log: PartitionLog, apply: (record: TxnRecord) => void): Promise<number> {
  let offset = log.logStartOffset;
  let count = 0;
  while (offset < log.logEndOffset) {
    const read = await log.read(offset, READ_CHUNK_BYTES);
    if (read.bytes === 0) break;
    let next = offset;
    for (const batch of await decodeRecordBatches(Buffer.concat(read.chunks))) {
      for (const r of batch.records) {
        if (r.offset < offset) continue;
        if (r.key === null) throw new Error(`transaction log: record at offset ${r.offset} has no key`);
        apply(decodeTxnRecord(Buffer.from(r.key), r.value === null ? null : Buffer.from(r.value)));
        count++;
      }
      next = Math.max(next, batch.header.baseOffset + batch.header.lastOffsetDelta + 1);
    }
    if (next <= offset) break;
    offset = next;
  }
  return count;
}
