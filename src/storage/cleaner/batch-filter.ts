import { getCodec } from '../../protocol/compression/index.js';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_TIMESTAMP_TYPE,
  ATTR_TRANSACTIONAL,
  BATCH,
  CompressionType,
  computeBatchCrc,
  readBatchHeader,
  writeInt64,
  type BatchHeader,
} from '../../protocol/record-batch-header.js';
import { recordBytesOf, walkRecords, type RecordSpan } from './records.js';

/**
 * KIP-534: bit 6 of a batch's attributes says its baseTimestamp holds the delete horizon, the time
 * after which the cleaner may drop the batch's tombstones. Record timestamps stay exact: their
 * deltas are rewritten against the new base.
 */
export const ATTR_DELETE_HORIZON = 0x40;
const NO_TIMESTAMP = -1;

export function deleteHorizonOf(header: BatchHeader): number | null {
  return (header.attributes & ATTR_DELETE_HORIZON) !== 0 ? header.baseTimestamp : null;
}

/** What the cleaner decides for the records and batches of a log. */
export interface BatchFilter {
  /** Whether `record` (at `offset`, in a batch whose delete horizon is `horizonMs`) stays. */
  retainRecord(data: Buffer, record: RecordSpan, offset: number, horizonMs: number | null): boolean;
  /**
   * Whether a batch that loses all its records stays as an empty header: an active producer's last
   * batch (its sequence numbers), or the last batch before the uncleanable part of the log.
   */
  retainEmpty(header: BatchHeader): boolean;
  /** Horizon given to a batch whose kept records include its first tombstones: now + delete.retention.ms. */
  newDeleteHorizonMs: number;
}

export interface FilteredBatch {
  /** The batch to write (the original bytes when nothing changed), or null when it goes away. */
  bytes: Buffer | null;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  recordsRead: number;
  recordsKept: number;
}

/**
 * Applies the cleaner's decisions to the batch at `buf[pos, pos + size)`, as Kafka's
 * `MemoryRecords.filterTo` does: a batch keeping every record (and needing no new delete horizon)
 * is copied as it is; one keeping some is rebuilt with the same base offset, last offset delta
 * (so the producer's last sequence stays right), producer fields and compression codec; one
 * keeping none disappears, or stays as an empty header when `retainEmpty` says so. Control
 * batches are kept untouched.
 */
export async function filterBatch(buf: Buffer, pos: number, size: number, filter: BatchFilter): Promise<FilteredBatch> {
  const header = readBatchHeader(buf, pos);
  const lastOffset = header.baseOffset + header.lastOffsetDelta;
  const result = (bytes: Buffer | null, recordsKept: number, maxTimestamp = header.maxTimestamp): FilteredBatch => ({
    bytes,
    baseOffset: header.baseOffset,
    lastOffset,
    maxTimestamp,
    recordsRead: header.recordCount,
    recordsKept,
  });
  const original = buf.subarray(pos, pos + size);
  if ((header.attributes & ATTR_CONTROL) !== 0) return result(original, header.recordCount);
  const bytes = await recordBytesOf(buf, pos, size);
  const records = walkRecords(bytes.data, bytes.start, bytes.end, header.recordCount);
  const horizonMs = deleteHorizonOf(header);
  const kept: RecordSpan[] = [];
  let keptTombstone = false;
  for (const r of records) {
    if (!filter.retainRecord(bytes.data, r, header.baseOffset + r.offsetDelta, horizonMs)) continue;
    kept.push(r);
    if (r.valueIsNull) keptTombstone = true;
  }
  if (kept.length === 0) return filter.retainEmpty(header) ? result(emptyBatch(header), 0) : result(null, 0);
  const needsHorizon = keptTombstone && horizonMs === null;
  if (kept.length === records.length && !needsHorizon) return result(original, kept.length);
  const rebuilt = await rebuildBatch(header, bytes.data, kept, needsHorizon ? filter.newDeleteHorizonMs : horizonMs);
  return result(rebuilt.batch, kept.length, rebuilt.maxTimestamp);
}

/** Kafka's `writeEmptyHeader`: the header alone, no records, uncompressed, no base timestamp. */
function emptyBatch(h: BatchHeader): Buffer {
  const attributes = h.attributes & (ATTR_TIMESTAMP_TYPE | ATTR_TRANSACTIONAL | ATTR_CONTROL);
  return writeHeader(Buffer.alloc(BATCH.HEADER_BYTES), h, { attributes, baseTimestamp: NO_TIMESTAMP, maxTimestamp: h.maxTimestamp, recordCount: 0 });
}

async function rebuildBatch(h: BatchHeader, data: Buffer, kept: RecordSpan[], horizonMs: number | null): Promise<{ batch: Buffer; maxTimestamp: number }> {
  const timestamps = kept.map((r) => h.baseTimestamp + r.timestampDelta);
  const baseTimestamp = horizonMs ?? timestamps[0]!;
  const records = encodeRecords(data, kept, timestamps, baseTimestamp);
  const compression = (h.attributes & ATTR_COMPRESSION_MASK) as CompressionType;
  const body = compression === CompressionType.None ? records : await (await getCodec(compression)).compress(records);
  const batch = Buffer.allocUnsafe(BATCH.HEADER_BYTES + body.length);
  body.copy(batch, BATCH.HEADER_BYTES);
  const logAppendTime = (h.attributes & ATTR_TIMESTAMP_TYPE) !== 0;
  let maxTimestamp = NO_TIMESTAMP;
  for (const t of timestamps) if (t > maxTimestamp) maxTimestamp = t;
  if (logAppendTime) maxTimestamp = h.maxTimestamp;
  let attributes = h.attributes & ~ATTR_DELETE_HORIZON;
  if (horizonMs !== null) attributes |= ATTR_DELETE_HORIZON;
  writeHeader(batch, h, { attributes, baseTimestamp, maxTimestamp, recordCount: kept.length });
  return { batch, maxTimestamp };
}

interface HeaderChanges {
  attributes: number;
  baseTimestamp: number;
  maxTimestamp: number;
  recordCount: number;
}

/** Writes a v2 header over `batch[0, 61)` from the original's fields and `c`, then the CRC. */
function writeHeader(batch: Buffer, h: BatchHeader, c: HeaderChanges): Buffer {
  writeInt64(batch, BATCH.BASE_OFFSET, h.baseOffset);
  batch.writeInt32BE(batch.length - BATCH.LOG_OVERHEAD, BATCH.BATCH_LENGTH);
  batch.writeInt32BE(h.partitionLeaderEpoch, BATCH.PARTITION_LEADER_EPOCH);
  batch.writeInt8(2, BATCH.MAGIC);
  batch.writeInt16BE(c.attributes, BATCH.ATTRIBUTES);
  batch.writeInt32BE(h.lastOffsetDelta, BATCH.LAST_OFFSET_DELTA);
  writeInt64(batch, BATCH.BASE_TIMESTAMP, c.baseTimestamp);
  writeInt64(batch, BATCH.MAX_TIMESTAMP, c.maxTimestamp);
  writeInt64(batch, BATCH.PRODUCER_ID, h.producerId);
  batch.writeInt16BE(h.producerEpoch, BATCH.PRODUCER_EPOCH);
  batch.writeInt32BE(h.baseSequence, BATCH.BASE_SEQUENCE);
  batch.writeInt32BE(c.recordCount, BATCH.RECORD_COUNT);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), BATCH.CRC);
  return batch;
}

/**
 * The kept records laid back to back. A record whose timestamp delta is unchanged is copied whole;
 * others get a new delta against `baseTimestamp`, with key, value and headers copied as bytes.
 */
function encodeRecords(data: Buffer, kept: RecordSpan[], timestamps: number[], baseTimestamp: number): Buffer {
  let total = 0;
  const bodies = new Array<number>(kept.length);
  for (let i = 0; i < kept.length; i++) {
    const r = kept[i]!;
    const delta = timestamps[i]! - baseTimestamp;
    if (delta === r.timestampDelta) {
      total += r.end - r.start;
      bodies[i] = -1;
      continue;
    }
    const body = 1 + varlongSize(delta) + varlongSize(r.offsetDelta) + (r.end - r.keyFieldStart);
    bodies[i] = body;
    total += varlongSize(body) + body;
  }
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < kept.length; i++) {
    const r = kept[i]!;
    if (bodies[i] === -1) {
      pos += data.copy(out, pos, r.start, r.end);
      continue;
    }
    pos = writeVarlong(out, pos, bodies[i]!);
    out[pos++] = r.attributes;
    pos = writeVarlong(out, pos, timestamps[i]! - baseTimestamp);
    pos = writeVarlong(out, pos, r.offsetDelta);
    pos += data.copy(out, pos, r.keyFieldStart, r.end);
  }
  return out;
}

/** Bytes of a zig-zag varint/varlong (exact for |v| < 2^53). */
function varlongSize(v: number): number {
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

function writeVarlong(buf: Buffer, pos: number, v: number): number {
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  while (u >= 128) {
    buf[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}
