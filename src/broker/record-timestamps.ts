import { decodeRecordBatches } from '../protocol/record-batch.js';
import type { PartitionLog, TimestampLookup } from '../storage/types.js';

/**
 * Storage indexes timestamps per batch (it never decodes records). ListOffsets by timestamp must
 * answer per record, as Kafka does (it scans the records of the batch its time index points to),
 * so this decodes exactly one batch: the one the index found. This is the only place the broker
 * looks inside a batch, and it is an admin lookup, never the produce or fetch path.
 */
async function recordsOfBatchAt(log: PartitionLog, offset: number) {
  const read = await log.read(offset, 1);
  if (read.chunks.length === 0) return null;
  const batches = await decodeRecordBatches(read.chunks.length === 1 ? read.chunks[0]! : Buffer.concat(read.chunks), { verifyCrc: false });
  return batches.find((b) => b.header.baseOffset <= offset && offset <= b.header.baseOffset + b.header.lastOffsetDelta) ?? null;
}

/** First record at or after `targetMs` (offset and that record's own timestamp), or null. */
export async function offsetForTimestamp(log: PartitionLog, targetMs: number): Promise<TimestampLookup | null> {
  const hit = await log.offsetForTimestamp(targetMs);
  if (hit === null) return null;
  const batch = await recordsOfBatchAt(log, hit.offset);
  const record = batch?.records.find((r) => r.offset >= log.logStartOffset && r.timestamp >= targetMs);
  return record === undefined ? hit : { offset: record.offset, timestamp: record.timestamp };
}

/** ListOffsets -3 (KIP-734): the record carrying the largest timestamp, the first one on ties. */
export async function offsetOfMaxTimestamp(log: PartitionLog): Promise<TimestampLookup | null> {
  const hit = await log.maxTimestamp();
  if (hit === null) return null;
  const batch = await recordsOfBatchAt(log, hit.offset);
  if (batch === null) return hit;
  let best: TimestampLookup | null = null;
  for (const r of batch.records) {
    if (r.offset < log.logStartOffset) continue;
    if (best === null || r.timestamp > best.timestamp) best = { offset: r.offset, timestamp: r.timestamp };
  }
  return best ?? hit;
}
