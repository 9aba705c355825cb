import { randomBytes } from 'node:crypto';
import { BATCH, computeBatchCrc, writeInt64 } from '../../src/protocol/record-batch-header.js';

/** Zig-zag varint, as records inside a v2 batch use. */
function varint(value: number): number[] {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

export interface TestBatchOptions {
  /** Record values (null keys, no headers). Default: one 10-byte value. */
  values?: Buffer[];
  /** Timestamp of the first record; record i gets `timestampMs + i`. Default 1000. */
  timestampMs?: number;
  /** Stamped into baseOffset (the store rewrites it). Default 0. */
  baseOffset?: number;
}

/** A minimal, valid uncompressed RecordBatch v2 with a correct CRC. */
export function buildBatch(options: TestBatchOptions = {}): Buffer {
  const values = options.values ?? [Buffer.alloc(10, 7)];
  const baseTimestamp = options.timestampMs ?? 1000;
  const records = values.map((value, i) => {
    const body = Buffer.from([0, ...varint(i), ...varint(i), ...varint(-1), ...varint(value.length)]);
    const tail = Buffer.from(varint(0));
    const len = body.length + value.length + tail.length;
    return Buffer.concat([Buffer.from(varint(len)), body, value, tail]);
  });
  const recordBytes = Buffer.concat(records);
  const buf = Buffer.alloc(BATCH.HEADER_BYTES + recordBytes.length);
  writeInt64(buf, BATCH.BASE_OFFSET, options.baseOffset ?? 0);
  buf.writeInt32BE(buf.length - BATCH.LOG_OVERHEAD, BATCH.BATCH_LENGTH);
  buf.writeInt32BE(-1, BATCH.PARTITION_LEADER_EPOCH);
  buf.writeInt8(2, BATCH.MAGIC);
  buf.writeInt16BE(0, BATCH.ATTRIBUTES);
  buf.writeInt32BE(values.length - 1, BATCH.LAST_OFFSET_DELTA);
  writeInt64(buf, BATCH.BASE_TIMESTAMP, baseTimestamp);
  writeInt64(buf, BATCH.MAX_TIMESTAMP, baseTimestamp + values.length - 1);
  writeInt64(buf, BATCH.PRODUCER_ID, -1);
  buf.writeInt16BE(-1, BATCH.PRODUCER_EPOCH);
  buf.writeInt32BE(-1, BATCH.BASE_SEQUENCE);
  buf.writeInt32BE(values.length, BATCH.RECORD_COUNT);
  recordBytes.copy(buf, BATCH.HEADER_BYTES);
  buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), BATCH.CRC);
  return buf;
}

/** A one-record batch of exactly `totalBytes`, with random value bytes (for benchmarks). */
export function buildBatchOfSize(totalBytes: number, timestampMs = 1000): Buffer {
  const overhead = buildBatch({ values: [Buffer.alloc(0)] }).length;
  for (let valueBytes = Math.max(0, totalBytes - overhead - 8); valueBytes <= totalBytes - overhead; valueBytes++) {
    const batch = buildBatch({ values: [randomBytes(valueBytes)], timestampMs });
    if (batch.length === totalBytes) return batch;
  }
  throw new Error(`cannot build a batch of exactly ${totalBytes} bytes`);
}

/** Base offsets of the batches laid back to back in `chunks`. */
export function batchBaseOffsets(chunks: Buffer[]): number[] {
  const all = Buffer.concat(chunks);
  const offsets: number[] = [];
  for (let pos = 0; pos < all.length; pos += all.readInt32BE(pos + BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD) {
    offsets.push(Number(all.readBigInt64BE(pos)));
  }
  return offsets;
}
