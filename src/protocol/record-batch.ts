import { type BatchHeader, CompressionType } from './record-batch-header.js';
import { RecordBatchBuilder, estimateBatchBytes, type FinishBatchOptions } from './record-batch-builder.js';

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

/** The batch-level options are those of `RecordBatchBuilder.finish`. */
export interface EncodeBatchOptions extends Omit<FinishBatchOptions, 'logAppendTimeMs'> {
  /** At least one. */
  records: RecordInput[];
  /**
   * Timestamp of records that carry none (and, with 'log-append', the batch maxTimestamp). The
   * caller passes its clock's time; without it such records get Kafka's "no timestamp", -1.
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
  const { records: _records, nowMs, ...batchOptions } = opts;
  return builder.finish({ ...batchOptions, ...(nowMs !== undefined ? { logAppendTimeMs: nowMs } : {}) });
}
