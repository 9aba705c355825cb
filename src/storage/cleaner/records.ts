import { getCodec } from '../../protocol/compression/index.js';
import { ProtocolError } from '../../protocol/protocol-error.js';
import { ATTR_COMPRESSION_MASK, BATCH, CompressionType } from '../../protocol/record-batch-header.js';

/**
 * Record-level reading for the two places that need record keys: the log cleaner, and Produce to
 * a compacted topic (which refuses records without a key). Everything else in the broker stays at
 * the batch header. Records are walked, not decoded: only lengths, deltas and the key's place are
 * read, and key, value and headers are copied as bytes when a record is kept.
 *
 * Record layout (KIP-98): length VARINT, attributes int8, timestampDelta VARLONG, offsetDelta
 * VARINT, key (VARINT length, -1 = null), value (likewise), headers.
 */

/** One record of a batch: where it lies and the fields compaction reads. */
export interface RecordSpan {
  /** Position of the record's length varint. */
  start: number;
  /** One past the record's last byte. */
  end: number;
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  /** Position of the key's length varint: key, value and headers run from here to `end`. */
  keyFieldStart: number;
  keyStart: number;
  /** -1 for a null key. */
  keyLength: number;
  valueIsNull: boolean;
}

/** The records of a batch as plain bytes: the batch itself, or its records decompressed. */
export interface RecordBytes {
  data: Buffer;
  start: number;
  end: number;
}

export function compressionOfBatch(buf: Buffer, pos: number): CompressionType {
  return (buf.readInt16BE(pos + BATCH.ATTRIBUTES) & ATTR_COMPRESSION_MASK) as CompressionType;
}

/** The records of the batch at `buf[pos, pos + size)`, decompressed when needed. */
export async function recordBytesOf(buf: Buffer, pos: number, size: number): Promise<RecordBytes> {
  const compression = compressionOfBatch(buf, pos);
  if (compression === CompressionType.None) return { data: buf, start: pos + BATCH.HEADER_BYTES, end: pos + size };
  const codec = await getCodec(compression);
  const data = await codec.decompress(buf.subarray(pos + BATCH.HEADER_BYTES, pos + size));
  return { data, start: 0, end: data.length };
}

/** Walks `count` records laid in `data[start, end)`; throws a ProtocolError when they do not fit it exactly. */
export function walkRecords(data: Buffer, start: number, end: number, count: number): RecordSpan[] {
  if (count < 0 || count > end - start) throw new ProtocolError(`record count ${count} does not fit in ${end - start} bytes`);
  const c = new Cursor(data, start, end);
  const records = new Array<RecordSpan>(count);
  for (let i = 0; i < count; i++) {
    const recordStart = c.pos;
    const length = c.varint();
    if (length < 1 || length > end - c.pos) throw new ProtocolError(`record ${i} declares ${length} bytes, ${end - c.pos} left`);
    const recordEnd = c.pos + length;
    c.end = recordEnd;
    const attributes = data[c.pos++]!;
    const timestampDelta = c.varlong();
    const offsetDelta = c.varint();
    const keyFieldStart = c.pos;
    const keyLength = c.skipBytesField();
    const keyStart = keyLength < 0 ? c.pos : c.pos - keyLength;
    const valueIsNull = c.skipBytesField() < 0;
    c.pos = recordEnd;
    c.end = end;
    records[i] = { start: recordStart, end: recordEnd, attributes, timestampDelta, offsetDelta, keyFieldStart, keyStart, keyLength, valueIsNull };
  }
  if (c.pos !== end) throw new ProtocolError(`${end - c.pos} bytes left after the batch's ${count} records`);
  return records;
}

/** Kafka's LogValidator message for a record without a key on a compacted topic. */
export function keylessRecordMessage(topic: string, partition: number): string {
  return `Compacted topic cannot accept message without key in topic partition ${topic}-${partition}`;
}

/**
 * Indexes (in batch order) of the records without a key in the one batch `batch` holds. Sync for
 * an uncompressed batch (no await on the produce path); a compressed one is decompressed first.
 * Throws a ProtocolError when the records do not parse.
 */
export function keylessRecords(batch: Buffer): number[] | Promise<number[]> {
  const count = batch.readInt32BE(BATCH.RECORD_COUNT);
  const size = batch.readInt32BE(BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD;
  const keyless = (bytes: RecordBytes): number[] => {
    const out: number[] = [];
    const records = walkRecords(bytes.data, bytes.start, bytes.end, count);
    for (let i = 0; i < records.length; i++) if (records[i]!.keyLength < 0) out.push(i);
    return out;
  };
  if (compressionOfBatch(batch, 0) === CompressionType.None) return keyless({ data: batch, start: BATCH.HEADER_BYTES, end: size });
  return recordBytesOf(batch, 0, size).then(keyless);
}

/** A bounds-checked reader of zig-zag varints inside one record. */
class Cursor {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
    public end: number,
  ) {}

  private truncated(): ProtocolError {
    return new ProtocolError(`record field runs past its record at byte ${this.pos}`);
  }

  varint(): number {
    let u = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift > 28) throw new ProtocolError(`varint longer than 5 bytes at byte ${this.pos}`);
      if (this.pos >= this.end) throw this.truncated();
      const b = this.buf[this.pos++]!;
      u |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    return (u >>> 1) ^ -(u & 1);
  }

  /** Exact for |v| < 2^53, like the client's decoder. */
  varlong(): number {
    let u = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (i === 10) throw new ProtocolError(`varlong longer than 10 bytes at byte ${this.pos}`);
      if (this.pos >= this.end) throw this.truncated();
      const b = this.buf[this.pos++]!;
      u += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Skips a length-prefixed field; returns its length (-1 for null). */
  skipBytesField(): number {
    const n = this.varint();
    if (n < 0) return -1;
    if (n > this.end - this.pos) throw this.truncated();
    this.pos += n;
    return n;
  }
}
