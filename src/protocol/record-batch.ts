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
  writeInt64,
} from './record-batch-header.js';
import { getCodec } from './compression/index.js';
import { ProtocolError } from './protocol-error.js';

/**
 * RecordBatch v2 (magic 2, KIP-98) encoding and decoding for clients: the producer's and the
 * consumer's hot paths. The broker never calls this (it only reads batch headers).
 *
 * Record layout inside a batch: length VARINT, attributes int8, timestampDelta VARLONG,
 * offsetDelta VARINT, key (VARINT length, -1 = null), value (likewise), header count VARINT, then
 * per header a key (VARINT length + UTF-8, never null) and a value (VARINT length, -1 = null).
 */

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface RecordInput {
  key?: Buffer | null;
  value: Buffer | null;
  timestamp?: number;
  headers?: RecordHeader[];
}

export interface EncodeBatchOptions {
  /** At least one. */
  records: RecordInput[];
  /** Default None. */
  compression?: CompressionType;
  /** Default 0: the broker assigns offsets by rewriting it. */
  baseOffset?: number;
  /** Default -1: the broker stamps it. */
  partitionLeaderEpoch?: number;
  /** Default -1 (not idempotent). */
  producerId?: number;
  /** Default -1. */
  producerEpoch?: number;
  /** Default -1. */
  baseSequence?: number;
  transactional?: boolean;
  isControl?: boolean;
  /** Default 'create'. With 'log-append' the batch maxTimestamp is `nowMs` when given. */
  timestampType?: 'create' | 'log-append';
  /**
   * Timestamp of records that carry none. The caller passes its clock's time; without it such
   * records get Kafka's "no timestamp", -1.
   */
  nowMs?: number;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  /** A view into the fetched (or decompressed) bytes: copy it to keep it past the response. */
  key: Buffer | null;
  /** A view, like `key`. */
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface DecodedBatch {
  header: BatchHeader;
  records: DecodedRecord[];
  isControl: boolean;
  isTransactional: boolean;
  compression: CompressionType;
  /** Bytes the batch takes on the wire (batchLength + 12). */
  sizeBytes: number;
}

export interface DecodeOptions {
  /** Check each batch's CRC-32C. Default true. */
  verifyCrc?: boolean;
}

const MAGIC_V2 = 2;
const NO_TIMESTAMP = -1;
/** Smallest possible record: a 1-byte length, then six 1-byte fields (attributes .. header count). */
const MIN_RECORD_BYTES = 7;
/** Smallest possible header: a 1-byte key length and a 1-byte value length. */
const MIN_HEADER_BYTES = 2;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

// ---------------------------------------------------------------------------------------------
// Encoding

/** Bytes of a zig-zag varint for a value in the int32 range. */
function varintSize(v: number): number {
  const u = ((v << 1) ^ (v >> 31)) >>> 0;
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  return 5;
}

function varlongSize(v: number): number {
  if (v >= INT32_MIN && v <= INT32_MAX) return varintSize(v);
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

function writeVarint(buf: Buffer, pos: number, v: number): number {
  let u = ((v << 1) ^ (v >> 31)) >>> 0;
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[pos++] = u;
  return pos;
}

function writeVarlong(buf: Buffer, pos: number, v: number): number {
  if (v >= INT32_MIN && v <= INT32_MAX) return writeVarint(buf, pos, v);
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  while (u >= 0x80) {
    buf[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}

function nullableBytesSize(b: Uint8Array | null | undefined): number {
  return b == null ? 1 : varintSize(b.length) + b.length;
}

function writeNullableBytes(buf: Buffer, pos: number, b: Uint8Array | null | undefined): number {
  if (b == null) {
    buf[pos] = 1; // zig-zag(-1)
    return pos + 1;
  }
  pos = writeVarint(buf, pos, b.length);
  buf.set(b, pos);
  return pos + b.length;
}

/** Short ASCII keys (byte length = string length) are copied by hand: `buf.write` costs more. */
function writeHeaderKey(buf: Buffer, pos: number, key: string, keyBytes: number): number {
  if (keyBytes !== key.length || keyBytes > 64) return pos + buf.write(key, pos, keyBytes, 'utf8');
  for (let i = 0; i < keyBytes; i++) buf[pos + i] = key.charCodeAt(i);
  return pos + keyBytes;
}

/**
 * Sizes every record body, so the records are written into one allocation. `bodySizes[i]` is the
 * size after record i's length varint; header key byte lengths go to `headerKeyBytes` in order.
 */
function sizeRecords(records: RecordInput[], timestamps: number[], baseTimestamp: number, bodySizes: number[], headerKeyBytes: number[]): number {
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!;
    let size = 1 + varlongSize(timestamps[i]! - baseTimestamp) + varintSize(i) + nullableBytesSize(rec.key) + nullableBytesSize(rec.value);
    const headers = rec.headers;
    const headerCount = headers === undefined ? 0 : headers.length;
    size += varintSize(headerCount);
    for (let h = 0; h < headerCount; h++) {
      const header = headers![h]!;
      const keyBytes = Buffer.byteLength(header.key, 'utf8');
      headerKeyBytes.push(keyBytes);
      size += varintSize(keyBytes) + keyBytes + nullableBytesSize(header.value);
    }
    bodySizes[i] = size;
    total += varintSize(size) + size;
  }
  return total;
}

function writeRecords(buf: Buffer, pos: number, records: RecordInput[], timestamps: number[], baseTimestamp: number, bodySizes: number[], headerKeyBytes: number[]): number {
  let headerIndex = 0;
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!;
    pos = writeVarint(buf, pos, bodySizes[i]!);
    buf[pos++] = 0; // record attributes: unused
    pos = writeVarlong(buf, pos, timestamps[i]! - baseTimestamp);
    pos = writeVarint(buf, pos, i);
    pos = writeNullableBytes(buf, pos, rec.key);
    pos = writeNullableBytes(buf, pos, rec.value);
    const headers = rec.headers;
    const headerCount = headers === undefined ? 0 : headers.length;
    pos = writeVarint(buf, pos, headerCount);
    for (let h = 0; h < headerCount; h++) {
      const header = headers![h]!;
      const keyBytes = headerKeyBytes[headerIndex++]!;
      pos = writeVarint(buf, pos, keyBytes);
      pos = writeHeaderKey(buf, pos, header.key, keyBytes);
      pos = writeNullableBytes(buf, pos, header.value);
    }
  }
  return pos;
}

function attributesOf(opts: EncodeBatchOptions, compression: CompressionType): number {
  let attributes = compression & ATTR_COMPRESSION_MASK;
  if (opts.timestampType === 'log-append') attributes |= ATTR_TIMESTAMP_TYPE;
  if (opts.transactional === true) attributes |= ATTR_TRANSACTIONAL;
  if (opts.isControl === true) attributes |= ATTR_CONTROL;
  return attributes;
}

/** Encodes one RecordBatch v2 holding `opts.records`, compressed if asked, with its CRC-32C. */
export async function encodeRecordBatch(opts: EncodeBatchOptions): Promise<Buffer> {
  const records = opts.records;
  const count = records.length;
  if (count === 0) throw new RangeError('encodeRecordBatch: a batch needs at least one record');
  const compression = opts.compression ?? CompressionType.None;
  const defaultTimestamp = opts.nowMs ?? NO_TIMESTAMP;

  const timestamps = new Array<number>(count);
  let maxTimestamp = -Infinity;
  for (let i = 0; i < count; i++) {
    const ts = records[i]!.timestamp ?? defaultTimestamp;
    timestamps[i] = ts;
    if (ts > maxTimestamp) maxTimestamp = ts;
  }
  // Kafka's builder: baseTimestamp is the first record's, deltas may be negative.
  const baseTimestamp = timestamps[0]!;
  if (opts.timestampType === 'log-append' && opts.nowMs !== undefined) maxTimestamp = opts.nowMs;

  const bodySizes = new Array<number>(count);
  const headerKeyBytes: number[] = [];
  const recordsBytes = sizeRecords(records, timestamps, baseTimestamp, bodySizes, headerKeyBytes);

  let batch: Buffer;
  if (compression === CompressionType.None) {
    batch = Buffer.allocUnsafe(BATCH.HEADER_BYTES + recordsBytes);
    writeRecords(batch, BATCH.HEADER_BYTES, records, timestamps, baseTimestamp, bodySizes, headerKeyBytes);
  } else {
    const plain = Buffer.allocUnsafe(recordsBytes);
    writeRecords(plain, 0, records, timestamps, baseTimestamp, bodySizes, headerKeyBytes);
    const compressed = await (await getCodec(compression)).compress(plain);
    batch = Buffer.allocUnsafe(BATCH.HEADER_BYTES + compressed.length);
    compressed.copy(batch, BATCH.HEADER_BYTES);
  }

  writeInt64(batch, BATCH.BASE_OFFSET, opts.baseOffset ?? 0);
  batch.writeInt32BE(batch.length - BATCH.LOG_OVERHEAD, BATCH.BATCH_LENGTH);
  batch.writeInt32BE(opts.partitionLeaderEpoch ?? -1, BATCH.PARTITION_LEADER_EPOCH);
  batch.writeInt8(MAGIC_V2, BATCH.MAGIC);
  batch.writeInt16BE(attributesOf(opts, compression), BATCH.ATTRIBUTES);
  batch.writeInt32BE(count - 1, BATCH.LAST_OFFSET_DELTA);
  writeInt64(batch, BATCH.BASE_TIMESTAMP, baseTimestamp);
  writeInt64(batch, BATCH.MAX_TIMESTAMP, maxTimestamp);
  writeInt64(batch, BATCH.PRODUCER_ID, opts.producerId ?? -1);
  batch.writeInt16BE(opts.producerEpoch ?? -1, BATCH.PRODUCER_EPOCH);
  batch.writeInt32BE(opts.baseSequence ?? -1, BATCH.BASE_SEQUENCE);
  batch.writeInt32BE(count, BATCH.RECORD_COUNT);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), BATCH.CRC);
  return batch;
}

// ---------------------------------------------------------------------------------------------
// Decoding

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
    if (count === 0) return [];
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
