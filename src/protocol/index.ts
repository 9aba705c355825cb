// The public surface of Samsa's protocol layer: wire primitives, every generated message codec,
// error codes, record batches, compression, the consumer embedded protocol and the partitioner hash.

export * from './messages/index.js';
export { MESSAGE_SCHEMAS } from './messages/schema.js';
export type { FieldSchema, MessageSchema, VersionRange } from './schema-types.js';
export { parseVersionRange, inRange } from './schema-types.js';

export { ErrorCode, errorName, isRetriable, type ErrorCodeName } from './errors.js';
export { ProtocolError } from './protocol-error.js';
export { Reader } from './reader.js';
export { Writer } from './writer.js';
export { FrameDecoder } from './frame-decoder.js';
export { ZERO_UUID, EMPTY_BYTES, type RecordsInput } from './codec-helpers.js';
export {
  API_VERSIONS_KEY,
  type RequestHeader,
  isFlexible,
  decodeRequestHeader,
  encodeRequestHeader,
  responseHeaderHasTags,
  encodeResponseHeader,
  decodeResponseHeader,
} from './headers.js';

export { crc32c, crc32cJs, crc32cIsNative, type Crc32c } from './crc32c.js';
export { murmur2, murmur2Partition } from './murmur2.js';

export {
  BATCH,
  ATTR_COMPRESSION_MASK,
  ATTR_TIMESTAMP_TYPE,
  ATTR_TRANSACTIONAL,
  ATTR_CONTROL,
  CompressionType,
  type BatchHeader,
  readBatchHeader,
  batchSizeAt,
  computeBatchCrc,
  batchCrcIsValid,
  setBaseOffset,
  setPartitionLeaderEpoch,
  compressionOf,
} from './record-batch-header.js';
export {
  type RecordHeader,
  type RecordInput,
  type EncodeBatchOptions,
  type DecodedRecord,
  type DecodedBatch,
  type DecodeOptions,
  encodeRecordBatch,
  decodeRecordBatches,
} from './record-batch.js';
export { type CompressionCodec, getCodec, MAX_DECOMPRESSED_BYTES } from './compression/index.js';

export {
  type DecodedSubscription,
  type DecodedAssignment,
  type SubscriptionInit,
  type AssignmentInit,
  SUBSCRIPTION_MAX_VERSION,
  ASSIGNMENT_MAX_VERSION,
  encodeSubscription,
  decodeSubscription,
  encodeAssignment,
  decodeAssignment,
} from './consumer-protocol.js';
