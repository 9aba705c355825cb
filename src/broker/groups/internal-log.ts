import { decodeRecord, encodeRecordKey, encodeRecordValue, type CoordinatorRecord } from '../../coordinator/index.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../protocol/record-batch.js';
import type { PartitionLog } from '../../storage/types.js';

/** Name of the internal log holding group metadata and committed offsets. */
export const GROUP_LOG_NAME = 'group_coordinator';

/** Records per batch: keeps each batch well below message.max.bytes for ordinary groups. */
const RECORDS_PER_BATCH = 500;
const READ_CHUNK_BYTES = 1 << 20;

/**
 * Encodes coordinator records as RecordBatch v2 bytes (key and value of each record are the
 * coordinator's own encoding; a null value is a tombstone), ready for `PartitionLog.append`.
 */
export async function encodeGroupRecords(records: readonly CoordinatorRecord[], nowMs: number): Promise<Buffer> {
  const batches: Buffer[] = [];
  for (let i = 0; i < records.length; i += RECORDS_PER_BATCH) {
    const slice = records.slice(i, i + RECORDS_PER_BATCH);
    batches.push(await encodeRecordBatch({ records: slice.map((r) => ({ key: encodeRecordKey(r), value: encodeRecordValue(r) })), nowMs }));
  }
  return Buffer.concat(batches);
}

/** Calls `apply` with every record of the log, oldest first; returns how many there were. */
export async function readGroupLog(log: PartitionLog, apply: (record: CoordinatorRecord) => void): Promise<number> {
  return readInternalLog(log, (offset, key, value) => {
    if (key === null) throw new Error(`group coordinator log: record at offset ${offset} has no key`);
    apply(decodeRecord(key, value));
  });
}

/**
 * Calls `apply` with the key and value of every record of an internal log (written by the broker
 * itself as RecordBatch v2), oldest first; returns how many there were.
 */
export async function readInternalLog(log: PartitionLog, apply: (offset: number, key: Buffer | null, value: Buffer | null) => void): Promise<number> {
  let offset = log.logStartOffset;
  let count = 0;
  while (offset < log.logEndOffset) {
    const read = await log.read(offset, READ_CHUNK_BYTES);
    if (read.bytes === 0) break;
    const batches = await decodeRecordBatches(Buffer.concat(read.chunks));
    let next = offset;
    for (const batch of batches) {
      for (const r of batch.records) {
        // A read may begin with a batch that starts before the log start offset.
        if (r.offset < offset) continue;
        apply(r.offset, r.key === null ? null : Buffer.from(r.key), r.value === null ? null : Buffer.from(r.value));
        count++;
      }
      next = Math.max(next, batch.header.baseOffset + batch.header.lastOffsetDelta + 1);
    }
    if (next <= offset) break;
    offset = next;
  }
  return count;
}
