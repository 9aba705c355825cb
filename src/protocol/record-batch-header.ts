import { crc32c } from './crc32c.js';

/**
 * RecordBatch v2 (magic 2, KIP-98) header layout. The broker reads only these fixed fields: it
 * validates a batch, assigns offsets by rewriting `baseOffset`, and appends the bytes. Records
 * inside are never decoded on the broker.
 */
export const BATCH = {
  BASE_OFFSET: 0,
  BATCH_LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORD_COUNT: 57,
  /** Size of the header; records start here. */
  HEADER_BYTES: 61,
  /** baseOffset + batchLength: the bytes before what batchLength counts. */
  LOG_OVERHEAD: 12,
} as const;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_TIMESTAMP_TYPE = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

export interface BatchHeader {
  baseOffset: number;
  /** Bytes after the batchLength field: the whole batch is `batchLength + 12` bytes. */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

const TWO_POW_32 = 4294967296;

export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_POW_32 + buf.readUInt32BE(pos + 4);
}

export function writeInt64(buf: Buffer, pos: number, v: number): void {
  const hi = Math.floor(v / TWO_POW_32);
  buf.writeInt32BE(hi | 0, pos);
  buf.writeUInt32BE((v - hi * TWO_POW_32) >>> 0, pos + 4);
}

/** Reads the header of the batch at `pos`; the caller checks that 61 bytes are there. */
export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  return {
    baseOffset: readInt64(buf, pos + BATCH.BASE_OFFSET),
    batchLength: buf.readInt32BE(pos + BATCH.BATCH_LENGTH),
    partitionLeaderEpoch: buf.readInt32BE(pos + BATCH.PARTITION_LEADER_EPOCH),
    magic: buf.readInt8(pos + BATCH.MAGIC),
    crc: buf.readUInt32BE(pos + BATCH.CRC),
    attributes: buf.readInt16BE(pos + BATCH.ATTRIBUTES),
    lastOffsetDelta: buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA),
    baseTimestamp: readInt64(buf, pos + BATCH.BASE_TIMESTAMP),
    maxTimestamp: readInt64(buf, pos + BATCH.MAX_TIMESTAMP),
    producerId: readInt64(buf, pos + BATCH.PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + BATCH.PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BATCH.BASE_SEQUENCE),
    recordCount: buf.readInt32BE(pos + BATCH.RECORD_COUNT),
  };
}

/** Total size in bytes of the batch at `pos` (from its batchLength field). */
export function batchSizeAt(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD;
}

/** CRC-32C over attributes..end, the range the batch's crc field covers. */
export function computeBatchCrc(buf: Buffer, pos: number, size: number): number {
  return crc32c(buf, pos + BATCH.ATTRIBUTES, pos + size);
}

export function batchCrcIsValid(buf: Buffer, pos: number, size: number): boolean {
  return buf.readUInt32BE(pos + BATCH.CRC) === computeBatchCrc(buf, pos, size);
}

/** Rewrites baseOffset in place: the CRC does not cover it, so nothing else changes. */
export function setBaseOffset(buf: Buffer, pos: number, baseOffset: number): void {
  writeInt64(buf, pos + BATCH.BASE_OFFSET, baseOffset);
}

/** Stamps partitionLeaderEpoch in place (also outside the CRC). */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + BATCH.PARTITION_LEADER_EPOCH);
}

export function compressionOf(attributes: number): CompressionType {
  return (attributes & ATTR_COMPRESSION_MASK) as CompressionType;
}
