import { type BatchHeader, CompressionType } from './record-batch-header.js';
import { RecordBatchBuilder, estimateBatchBytes } from './record-batch-builder.js';

export { decodeRecordBatches } from './record-batch-decoder.js';
export { RecordBatchBuilder, type FinishBatchOptions, type RecordHeaderInput } from './record-batch-builder.js';

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

const NO_TIMESTAMP = -1;

/** Encodes one RecordBatch v2 holding `opts.records`, compressed if asked, with its CRC-32C. */
export async function encodeRecordBatch(opts: EncodeBatchOptions): Promise<Buffer> {
  const records = opts.records;
  if (records.length === 0) throw new RangeError('encodeRecordBatch: a batch needs at least one record');
  const defaultTimestamp = opts.nowMs ?? NO_TIMESTAMP;
  const builder = new RecordBatchBuilder(estimateBatchBytes(records));
  for (const r of records) builder.append(r.key ?? null, r.value, r.headers, r.timestamp ?? defaultTimestamp);
  return builder.finish({
    compression: opts.compression ?? CompressionType.None,
    baseOffset: opts.baseOffset ?? 0,
    partitionLeaderEpoch: opts.partitionLeaderEpoch ?? -1,
    producerId: opts.producerId ?? -1,
    producerEpoch: opts.producerEpoch ?? -1,
    baseSequence: opts.baseSequence ?? -1,
    transactional: opts.transactional ?? false,
    isControl: opts.isControl ?? false,
    timestampType: opts.timestampType ?? 'create',
    ...(opts.nowMs !== undefined ? { logAppendTimeMs: opts.nowMs } : {}),
  });
}
