export { TxnCoordinator, type TxnCoordinatorOptions } from './coordinator.js';
export { TXN_COORDINATOR_DEFAULTS, resolveTxnCoordinatorConfig, type TxnCoordinatorConfig } from './config.js';
export { decodeTxnRecord, encodeTxnRecordKey, encodeTxnRecordValue, type TxnRecord, type TxnMetadataRecord, type ProducerIdBlockRecord } from './records.js';
export { TXN_STATES, isEpochExhausted, type TxnMetadataValue, type TxnState, type TxnTopicPartition } from './metadata.js';
export { reportedPartitions } from './admin.js';
export { COORDINATOR_EPOCH } from './end-txn.js';
export {
  PARKED as TXN_PARKED,
  type AddOffsetsBody,
  type AddPartitionsBody,
  type MarkerJob,
  type TxnCompletion,
  type TxnCoordinatorApi,
  type TxnCoordinatorApis,
  type TxnCoordinatorEvent,
  type TxnCoordinatorRequest,
  type TxnCoordinatorResult,
  type TxnEndReason,
  type TxnResult,
} from './types.js';
