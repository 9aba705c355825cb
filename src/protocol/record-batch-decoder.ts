import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_TIMESTAMP_TYPE,
  ATTR_TRANSACTIONAL,
  BATCH,
  type BatchHeader,
  batchCrcIsValid,
  CompressionType,
  computeBatchCrc,
  readBatchHeader,
} from './record-batch-header.js';
import { getCodec } from './compression/index.js';
import { ProtocolError } from './protocol-error.js';
import type { DecodedBatch, DecodedRecord, DecodeOptions, RecordHeader } from './record-batch.js';

/**
 * RecordBatch v2 decoding: the consumer's hot path. Keys, values and header values are views into
 * the fetched (or decompressed) bytes; every length is checked against the record it sits in
 * before anything is sliced or allocated.
 */

const MAGIC_V2 = 2;
/** Smallest possible record: a 1-byte length, then six 1-byte fields (attributes .. header count). */
const MIN_RECORD_BYTES = 7;
/** Smallest possible header: a 1-byte key length and a 1-byte value length. */
const MIN_HEADER_BYTES = 2;

/**
 * A cursor over one batch's records. `end` is narrowed to the current record while it is read, so
 * a field that runs past its record's declared length fails at once.
 */
class RecordCursor {
  pos: number;
  end: number;
  /** The previous header key, reused when the next key has the same bytes (the common case). */
  private lastKeyStart = 0;
  private lastKeyBytes = -1;
  private lastKey = '';

  constructor(
    readonly buf: Buffer,
    pos: number,
    end: number,
  ) {
    this.pos = pos;
    this.end = end;
  }

  private headerKey(start: number, keyBytes: number): string {
    const buf = this.buf;
    if (keyBytes === this.lastKeyBytes) {
      const last = this.lastKeyStart;
      let i = 0;
      while (i < keyBytes && buf[start + i] === buf[last + i]) i++;
      if (i === keyBytes) return this.lastKey;
    }
    const key = buf.toString('utf8', start, start + keyBytes);
    this.lastKeyStart = start;
    this.lastKeyBytes = keyBytes;
    this.lastKey = key;
    return key;
  }

  private truncated(): ProtocolError {
    return new ProtocolError(`record batch: record field runs past its record at offset ${this.pos}`);
  }

  /** Zig-zag varint of at most 5 bytes (as Kafka's ByteUtils.readVarint reads it). */
  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) throw this.truncated();
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return (b >>> 1) ^ -(b & 1);
    }
    let u = b & 0x7f;
    for (let shift = 7; ; shift += 7) {
      if (shift > 28) throw new ProtocolError(`record batch: varint longer than 5 bytes at offset ${this.pos}`);
      if (pos >= this.end) throw this.truncated();
      b = buf[pos++]!;
      u |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    this.pos = pos;
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zig-zag varlong of at most 10 bytes, exact for |v| < 2^53. */
  varlong(): number {
    const buf = this.buf;
    let pos = this.pos;
    let u = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (i === 10) throw new ProtocolError(`record batch: varlong longer than 10 bytes at offset ${this.pos}`);
      if (pos >= this.end) throw this.truncated();
      const b = buf[pos++]!;
      u += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    this.pos = pos;
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** A length-prefixed byte field as a view; any negative length is null, as Kafka reads it. */
  nullableBytes(): Buffer | null {
    const n = this.varint();
    if (n < 0) return null;
    const start = this.pos;
    if (n > this.end - start) throw this.truncated();
    this.pos = start + n;
    return this.buf.subarray(start, start + n);
  }

  headers(): RecordHeader[] {
    const count = this.varint();
    // Most records have none: one shared (frozen) empty list instead of an allocation per record.
    if (count === 0) return NO_HEADERS;
    if (count < 0 || count > (this.end - this.pos) / MIN_HEADER_BYTES) {
      throw new ProtocolError(`record batch: invalid header count ${count} at offset ${this.pos}`);
    }
    const headers = new Array<RecordHeader>(count);
    for (let i = 0; i < count; i++) {
      const keyBytes = this.varint();
      if (keyBytes < 0) throw new ProtocolError(`record batch: negative header key length ${keyBytes}`);
      const start = this.pos;
      if (keyBytes > this.end - start) throw this.truncated();
      this.pos = start + keyBytes;
      headers[i] = { key: this.headerKey(start, keyBytes), value: this.nullableBytes() };
    }
    return headers;
  }
}

const NO_HEADERS: RecordHeader[] = Object.freeze([]) as unknown as RecordHeader[];

interface BatchContext {
  baseOffset: number;
  baseTimestamp: number;
  /** The batch maxTimestamp when the batch uses LogAppendTime, else null. */
  logAppendTime: number | null;
}

function decodeRecords(data: Buffer, start: number, end: number, count: number, ctx: BatchContext): DecodedRecord[] {
  if (count < 0 || count > (end - start) / MIN_RECORD_BYTES) {
    throw new ProtocolError(`record batch at offset ${ctx.baseOffset}: record count ${count} does not fit in ${end - start} bytes`);
  }
  const out = new Array<DecodedRecord>(count);
  const c = new RecordCursor(data, start, end);
  for (let i = 0; i < count; i++) {
    const length = c.varint();
    const recordStart = c.pos;
    if (length < 0 || length > end - recordStart) {
      throw new ProtocolError(`record batch at offset ${ctx.baseOffset}: record ${i} declares ${length} bytes, ${end - recordStart} left`);
    }
    const recordEnd = recordStart + length;
    c.end = recordEnd;
    if (length < 1) throw new ProtocolError(`record batch at offset ${ctx.baseOffset}: empty record ${i}`);
    c.pos++; // record attributes: unused
    const timestampDelta = c.varlong();
    const offsetDelta = c.varint();
    const key = c.nullableBytes();
    const value = c.nullableBytes();
    const headers = c.headers();
    if (c.pos !== recordEnd) {
      throw new ProtocolError(`record batch at offset ${ctx.baseOffset}: record ${i} declares ${length} bytes but its fields take ${c.pos - recordStart}`);
    }
    c.end = end;
    out[i] = {
      offset: ctx.baseOffset + offsetDelta,
      timestamp: ctx.logAppendTime ?? ctx.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    };
  }
  if (c.pos !== end) {
    throw new ProtocolError(`record batch at offset ${ctx.baseOffset}: ${end - c.pos} bytes left after its ${count} records`);
  }
  return out;
}

/**
 * Checks the batch at `pos` (known to be complete) and returns its header. Legacy message sets
 * (magic 0/1) are not decoded: Samsa's broker stores only v2 and Kafka >= 0.11 serves v2 to any
 * client that fetches with v4+.
 */
function checkedHeader(buf: Buffer, pos: number, size: number, verifyCrc: boolean): BatchHeader {
  const magic = buf.readInt8(pos + BATCH.MAGIC);
  if (magic === 0 || magic === 1) {
    throw new ProtocolError(`legacy message set (magic ${magic}) at byte ${pos}: only RecordBatch v2 (magic 2) is supported`);
  }
  if (magic !== MAGIC_V2) throw new ProtocolError(`record batch at byte ${pos}: unknown magic ${magic}`);
  if (size < BATCH.HEADER_BYTES) {
    throw new ProtocolError(`record batch at byte ${pos}: ${size} bytes is smaller than the ${BATCH.HEADER_BYTES}-byte header`);
  }
  if (verifyCrc && !batchCrcIsValid(buf, pos, size)) {
    throw new ProtocolError(
      `record batch at byte ${pos}: CRC mismatch (stored ${buf.readUInt32BE(pos + BATCH.CRC)}, computed ${computeBatchCrc(buf, pos, size)})`,
    );
  }
  return readBatchHeader(buf, pos);
}

function batchOf(header: BatchHeader, records: DecodedRecord[], size: number): DecodedBatch {
  const attributes = header.attributes;
  return {
    header,
    records,
    isControl: (attributes & ATTR_CONTROL) !== 0,
    isTransactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    compression: (attributes & ATTR_COMPRESSION_MASK) as CompressionType,
    sizeBytes: size,
  };
}

async function decodeCompressed(buf: Buffer, pos: number, size: number, header: BatchHeader, ctx: BatchContext): Promise<DecodedBatch> {
  const codec = await getCodec((header.attributes & ATTR_COMPRESSION_MASK) as CompressionType);
  const plain = await codec.decompress(buf.subarray(pos + BATCH.HEADER_BYTES, pos + size));
  return batchOf(header, decodeRecords(plain, 0, plain.length, header.recordCount, ctx), size);
}

/** Decodes one complete batch; synchronously unless it is compressed (no await per plain batch). */
function decodeOne(buf: Buffer, pos: number, size: number, verifyCrc: boolean): DecodedBatch | Promise<DecodedBatch> {
  const header = checkedHeader(buf, pos, size, verifyCrc);
  const ctx: BatchContext = {
    baseOffset: header.baseOffset,
    baseTimestamp: header.baseTimestamp,
    logAppendTime: (header.attributes & ATTR_TIMESTAMP_TYPE) !== 0 ? header.maxTimestamp : null,
  };
  if ((header.attributes & ATTR_COMPRESSION_MASK) !== CompressionType.None) return decodeCompressed(buf, pos, size, header, ctx);
  return batchOf(header, decodeRecords(buf, pos + BATCH.HEADER_BYTES, pos + size, header.recordCount, ctx), size);
}

/**
 * Every complete batch in `buf` (a Fetch response's records). A truncated trailing batch is
 * dropped silently: brokers cut responses at the size limit mid-batch and clients skip the tail
 * (KIP-74). A corrupt complete batch throws a ProtocolError.
 */
export async function decodeRecordBatches(buf: Buffer, opts: DecodeOptions = {}): Promise<DecodedBatch[]> {
  const verifyCrc = opts.verifyCrc ?? true;
  const batches: DecodedBatch[] = [];
  let pos = 0;
  // Like Kafka's log input stream: without the bytes up to the magic, the tail is just truncated.
  while (buf.length - pos > BATCH.MAGIC) {
    const batchLength = buf.readInt32BE(pos + BATCH.BATCH_LENGTH);
    if (batchLength < 0) throw new ProtocolError(`record batch at byte ${pos}: negative batch length ${batchLength}`);
    const size = batchLength + BATCH.LOG_OVERHEAD;
    if (size > buf.length - pos) break;
    const batch = decodeOne(buf, pos, size, verifyCrc);
    batches.push(batch instanceof Promise ? await batch : batch);
    pos += size;
  }
  return batches;
}
