import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_TIMESTAMP_TYPE,
  ATTR_TRANSACTIONAL,
  BATCH,
  type BatchHeader,
  CompressionType,
  computeBatchCrc,
  writeInt64,
} from './record-batch-header.js';
import { getCodec } from './compression/index.js';

export { decodeRecordBatches } from './record-batch-decoder.js';

/**
 * RecordBatch v2 (magic 2, KIP-98) for clients: the types, and encoding (the producer's hot path).
 * Decoding (the consumer's) lives in record-batch-decoder.ts and is re-exported here. The broker
 * never calls either: it only reads batch headers.
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
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;


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
