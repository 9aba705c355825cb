import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_TIMESTAMP_TYPE,
  ATTR_TRANSACTIONAL,
  BATCH,
  CompressionType,
  computeBatchCrc,
  writeInt64,
} from './record-batch-header.js';
import { getCodec } from './compression/index.js';

/** A record header as it is written: the key is UTF-8 text, the value bytes or null. */
export interface RecordHeaderInput {
  key: string;
  value: Uint8Array | null;
}

export interface FinishBatchOptions {
  /** Default None. */
  compression?: CompressionType;
  /** Default 0: the broker assigns offsets by rewriting it. */
  baseOffset?: number;
  /** Default -1: the broker stamps it. */
  partitionLeaderEpoch?: number;
  /** Default -1 (not idempotent). */
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  isControl?: boolean;
  /** Default 'create'. With 'log-append' readers use the batch maxTimestamp for every record. */
  timestampType?: 'create' | 'log-append';
  /** With 'log-append': the append time, written as maxTimestamp (default: the records' max). */
  logAppendTimeMs?: number;
}

const MAGIC_V2 = 2;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Bytes of a zig-zag varint for a value in the int32 range. */
function varintSize(v: number): number {
  const u = ((v << 1) ^ (v >> 31)) >>> 0;
  return u < 0x80 ? 1 : u < 0x4000 ? 2 : u < 0x200000 ? 3 : u < 0x10000000 ? 4 : 5;
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

/**
 * Builds one RecordBatch v2 incrementally: each record is serialized into the batch's buffer when
 * it is appended (as Kafka's MemoryRecordsBuilder does), so a producer keeps no object per
 * buffered record, and the header is written once, at `finish`, when the producer id and sequence
 * are known. Record layout: length, attributes, timestampDelta, offsetDelta, key, value, headers
 * (all varints zig-zag), deltas against the first record (KIP-98).
 */
export class RecordBatchBuilder {
  private buf: Buffer;
  private pos: number = BATCH.HEADER_BYTES;
  count = 0;
  private baseTimestamp = 0;
  private maxTimestamp = -1;

  /** @param buffer where to build the batch (a recycled one), if at least `initialBytes` long. */
  constructor(initialBytes: number, buffer: Buffer | null = null) {
    const size = Math.max(initialBytes, BATCH.HEADER_BYTES + 64);
    this.buf = buffer !== null && buffer.length >= size ? buffer : Buffer.allocUnsafe(size);
  }

  /** Bytes of the uncompressed batch so far (header included). */
  get sizeBytes(): number {
    return this.pos;
  }

  /** Appends one record; returns the bytes it took. */
  append(key: Uint8Array | null, value: Uint8Array | null, headers: readonly RecordHeaderInput[] | undefined, timestamp: number): number {
    // Kafka's builder: baseTimestamp is the first record's; later deltas may be negative.
    if (this.count === 0) this.baseTimestamp = timestamp;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const tsDelta = timestamp - this.baseTimestamp;
    const offsetDelta = this.count;
    let body = 1 + varlongSize(tsDelta) + varintSize(offsetDelta);
    body += key === null ? 1 : varintSize(key.length) + key.length;
    body += value === null ? 1 : varintSize(value.length) + value.length;
    const headerCount = headers === undefined ? 0 : headers.length;
    body += varintSize(headerCount);
    let headerKeyBytes: number[] | undefined;
    if (headerCount > 0) {
      headerKeyBytes = new Array<number>(headerCount);
      for (let i = 0; i < headerCount; i++) {
        const h = headers![i]!;
        const n = Buffer.byteLength(h.key, 'utf8');
        headerKeyBytes[i] = n;
        body += varintSize(n) + n + (h.value === null ? 1 : varintSize(h.value.length) + h.value.length);
      }
    }
    const total = varintSize(body) + body;
    this.ensure(total);
    let pos = this.writeVarint(this.pos, body);
    const buf = this.buf;
    buf[pos++] = 0; // record attributes: unused
    pos = this.writeVarlong(pos, tsDelta);
    pos = this.writeVarint(pos, offsetDelta);
    pos = this.writeBytes(pos, key);
    pos = this.writeBytes(pos, value);
    pos = this.writeVarint(pos, headerCount);
    for (let i = 0; i < headerCount; i++) {
      const h = headers![i]!;
      pos = this.writeVarint(pos, headerKeyBytes![i]!);
      pos = writeHeaderKey(buf, pos, h.key, headerKeyBytes![i]!);
      pos = this.writeBytes(pos, h.value);
    }
    this.pos = pos;
    this.count++;
    return total;
  }

  /**
   * The finished batch: records compressed when asked, header fields and CRC-32C written. An
   * uncompressed batch reuses the builder's buffer, so append nothing afterwards.
   */
  async finish(o: FinishBatchOptions = {}): Promise<Buffer> {
    if (this.count === 0) throw new RangeError('a record batch needs at least one record');
    const compression = o.compression ?? CompressionType.None;
    let batch: Buffer;
    if (compression === CompressionType.None) {
      batch = this.buf.subarray(0, this.pos);
    } else {
      const compressed = await (await getCodec(compression)).compress(this.buf.subarray(BATCH.HEADER_BYTES, this.pos));
      batch = Buffer.allocUnsafe(BATCH.HEADER_BYTES + compressed.length);
      compressed.copy(batch, BATCH.HEADER_BYTES);
    }
    let attributes = compression & ATTR_COMPRESSION_MASK;
    const logAppend = o.timestampType === 'log-append';
    if (logAppend) attributes |= ATTR_TIMESTAMP_TYPE;
    if (o.transactional === true) attributes |= ATTR_TRANSACTIONAL;
    if (o.isControl === true) attributes |= ATTR_CONTROL;
    writeInt64(batch, BATCH.BASE_OFFSET, o.baseOffset ?? 0);
    batch.writeInt32BE(batch.length - BATCH.LOG_OVERHEAD, BATCH.BATCH_LENGTH);
    batch.writeInt32BE(o.partitionLeaderEpoch ?? -1, BATCH.PARTITION_LEADER_EPOCH);
    batch.writeInt8(MAGIC_V2, BATCH.MAGIC);
    batch.writeInt16BE(attributes, BATCH.ATTRIBUTES);
    batch.writeInt32BE(this.count - 1, BATCH.LAST_OFFSET_DELTA);
    writeInt64(batch, BATCH.BASE_TIMESTAMP, this.baseTimestamp);
    writeInt64(batch, BATCH.MAX_TIMESTAMP, logAppend ? (o.logAppendTimeMs ?? this.maxTimestamp) : this.maxTimestamp);
    writeInt64(batch, BATCH.PRODUCER_ID, o.producerId ?? -1);
    batch.writeInt16BE(o.producerEpoch ?? -1, BATCH.PRODUCER_EPOCH);
    batch.writeInt32BE(o.baseSequence ?? -1, BATCH.BASE_SEQUENCE);
    batch.writeInt32BE(this.count, BATCH.RECORD_COUNT);
    batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), BATCH.CRC);
    return batch;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private writeVarint(pos: number, v: number): number {
    const buf = this.buf;
    let u = ((v << 1) ^ (v >> 31)) >>> 0;
    while (u >= 0x80) {
      buf[pos++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    buf[pos++] = u;
    return pos;
  }

  private writeVarlong(pos: number, v: number): number {
    if (v >= INT32_MIN && v <= INT32_MAX) return this.writeVarint(pos, v);
    const buf = this.buf;
    let u = v >= 0 ? v * 2 : -v * 2 - 1;
    while (u >= 0x80) {
      buf[pos++] = (u % 128) | 0x80;
      u = Math.floor(u / 128);
    }
    buf[pos++] = u;
    return pos;
  }

  private writeBytes(pos: number, b: Uint8Array | null): number {
    if (b === null) {
      this.buf[pos] = 1; // zig-zag(-1): null
      return pos + 1;
    }
    pos = this.writeVarint(pos, b.length);
    this.buf.set(b, pos);
    return pos + b.length;
  }
}

/** Short ASCII keys (byte length = string length) are copied by hand: `buf.write` costs more. */
function writeHeaderKey(buf: Buffer, pos: number, key: string, keyBytes: number): number {
  if (keyBytes !== key.length || keyBytes > 64) return pos + buf.write(key, pos, keyBytes, 'utf8');
  for (let i = 0; i < keyBytes; i++) buf[pos + i] = key.charCodeAt(i);
  return pos + keyBytes;
}

/** A starting size for a builder that will hold `records`: one allocation in the common case. */
export function estimateBatchBytes(records: ReadonlyArray<{ key?: Uint8Array | null; value: Uint8Array | null; headers?: readonly RecordHeaderInput[] }>): number {
  let n = BATCH.HEADER_BYTES;
  for (const r of records) {
    n += 24 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    if (r.headers !== undefined) for (const h of r.headers) n += 12 + h.key.length * 3 + (h.value?.length ?? 0);
  }
  return n;
}
