import { BATCH, batchCrcIsValid, readInt64 } from '../protocol/record-batch-header.js';

/** Where one batch sits in a buffer, and the header fields the log needs (never the records). */
export interface BatchSpan {
  position: number;
  size: number;
  lastOffsetDelta: number;
  maxTimestamp: number;
}

/**
 * Splits back-to-back v2 batches by their length fields. The broker validated them (CRC, magic,
 * counts) before calling the store, so a framing error here is a broken invariant and throws.
 */
export function splitBatches(buf: Buffer): BatchSpan[] {
  const spans: BatchSpan[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < BATCH.HEADER_BYTES) throw new Error(`truncated record batch at byte ${pos} of ${buf.length}`);
    const size = buf.readInt32BE(pos + BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD;
    if (size < BATCH.HEADER_BYTES || pos + size > buf.length) throw new Error(`record batch at byte ${pos} claims ${size} bytes, ${buf.length - pos} left`);
    const lastOffsetDelta = buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
    if (lastOffsetDelta < 0) throw new Error(`record batch at byte ${pos} has a negative lastOffsetDelta`);
    spans.push({
      position: pos,
      size,
      lastOffsetDelta,
      maxTimestamp: readInt64(buf, pos + BATCH.MAX_TIMESTAMP),
    });
    pos += size;
  }
  if (spans.length === 0) throw new Error('append of an empty buffer');
  return spans;
}

/** The header fields of a stored batch that reads and scans use. */
export interface StoredBatchHeader {
  baseOffset: number;
  size: number;
  lastOffset: number;
  maxTimestamp: number;
}

/** Reads a stored batch's header at `pos`; the caller makes sure 61 bytes are there. */
export function storedHeaderAt(buf: Buffer, pos: number): StoredBatchHeader {
  const baseOffset = readInt64(buf, pos + BATCH.BASE_OFFSET);
  return {
    baseOffset,
    size: buf.readInt32BE(pos + BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD,
    lastOffset: baseOffset + buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA),
    maxTimestamp: readInt64(buf, pos + BATCH.MAX_TIMESTAMP),
  };
}

export type RecoveryCheck =
  | { kind: 'valid'; header: StoredBatchHeader }
  /** The buffer ends inside this batch: read more (or, at the end of the file, a torn tail). */
  | { kind: 'incomplete'; neededBytes: number }
  | { kind: 'invalid'; reason: string };

/**
 * Checks the batch at `pos` during recovery: sane length, magic 2, an offset at or past the one the
 * log expects next, and the CRC. Anything else marks the start of a torn or corrupt tail.
 */
export function checkStoredBatch(buf: Buffer, pos: number, expectedBaseOffset: number): RecoveryCheck {
  const available = buf.length - pos;
  if (available < BATCH.HEADER_BYTES) return { kind: 'incomplete', neededBytes: BATCH.HEADER_BYTES };
  const header = storedHeaderAt(buf, pos);
  if (header.size < BATCH.HEADER_BYTES) return { kind: 'invalid', reason: `batch length ${header.size - BATCH.LOG_OVERHEAD} is too small` };
  if (buf.readInt8(pos + BATCH.MAGIC) !== 2) return { kind: 'invalid', reason: `magic ${buf.readInt8(pos + BATCH.MAGIC)} is not 2` };
  // Offsets only grow; compacted segments have gaps where the cleaner removed whole batches.
  if (header.baseOffset < expectedBaseOffset) return { kind: 'invalid', reason: `base offset ${header.baseOffset}, expected at least ${expectedBaseOffset}` };
  if (header.lastOffset < header.baseOffset) return { kind: 'invalid', reason: `negative lastOffsetDelta` };
  if (available < header.size) return { kind: 'incomplete', neededBytes: header.size };
  if (!batchCrcIsValid(buf, pos, header.size)) return { kind: 'invalid', reason: 'CRC mismatch' };
  return { kind: 'valid', header };
}
