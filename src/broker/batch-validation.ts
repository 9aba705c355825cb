import { ErrorCode } from '../protocol/errors.js';
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  BATCH,
  batchCrcIsValid,
  compressionOf,
  CompressionType,
  readBatchHeader,
  type BatchHeader,
} from '../protocol/record-batch-header.js';

/** First Produce version that may carry zstd batches (KIP-110). */
export const PRODUCE_ZSTD_MIN_VERSION = 7;

export type BatchValidation = { ok: true; header: BatchHeader } | { ok: false; errorCode: number; detail: string };

const fail = (errorCode: number, detail: string): BatchValidation => ({ ok: false, errorCode, detail });

/**
 * Checks the records of one partition of a Produce request the way Kafka's `LogValidator` does for
 * client batches, reading only the 61-byte header and computing the CRC once; records inside are
 * never decoded (design guide §3.5). Produce v3+ must carry exactly one RecordBatch v2.
 */
export function validateProducedBatch(records: Buffer | null, produceVersion: number, maxBatchBytes: number): BatchValidation {
  if (records === null || records.length === 0) return fail(ErrorCode.INVALID_RECORD, 'no record batch');
  if (records.length < BATCH.HEADER_BYTES) return fail(ErrorCode.CORRUPT_MESSAGE, `${records.length} bytes is shorter than a batch header`);
  const magic = records.readInt8(BATCH.MAGIC);
  if (magic !== 2) return fail(ErrorCode.INVALID_RECORD, `record batch magic ${magic}; only magic 2 is accepted`);
  const size = records.readInt32BE(BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD;
  if (size < BATCH.HEADER_BYTES || size > records.length) {
    return fail(ErrorCode.CORRUPT_MESSAGE, `batch length ${size} does not match the ${records.length} bytes sent`);
  }
  if (size < records.length) return fail(ErrorCode.INVALID_RECORD, 'more than one record batch for a partition');
  if (size > maxBatchBytes) return fail(ErrorCode.MESSAGE_TOO_LARGE, `batch of ${size} bytes exceeds the limit of ${maxBatchBytes}`);
  const header = readBatchHeader(records, 0);
  if (header.recordCount <= 0) return fail(ErrorCode.INVALID_RECORD, `record count ${header.recordCount}`);
  if (header.lastOffsetDelta + 1 !== header.recordCount) {
    return fail(ErrorCode.INVALID_RECORD, `lastOffsetDelta ${header.lastOffsetDelta} does not match record count ${header.recordCount}`);
  }
  if ((header.attributes & ATTR_CONTROL) !== 0) return fail(ErrorCode.INVALID_RECORD, 'control batches cannot be produced by clients');
  if ((header.attributes & ATTR_TRANSACTIONAL) !== 0 && header.producerId < 0) return fail(ErrorCode.INVALID_RECORD, 'a transactional batch needs a producer id');
  const compression = compressionOf(header.attributes);
  if (compression > CompressionType.Zstd) return fail(ErrorCode.INVALID_RECORD, `unknown compression type ${compression}`);
  if (compression === CompressionType.Zstd && produceVersion < PRODUCE_ZSTD_MIN_VERSION) {
    return fail(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `zstd needs Produce v${PRODUCE_ZSTD_MIN_VERSION}+, got v${produceVersion}`);
  }
  if (header.producerId >= 0 && header.baseSequence < 0) return fail(ErrorCode.INVALID_RECORD, 'a producer id needs a base sequence');
  if (!batchCrcIsValid(records, 0, size)) return fail(ErrorCode.CORRUPT_MESSAGE, 'record batch CRC-32C mismatch');
  return { ok: true, header };
}
