export { GroupCoordinator, type GroupCoordinatorOptions, type GroupView, type MemberView } from './coordinator.js';
export { COORDINATOR_DEFAULTS, resolveCoordinatorConfig, type CoordinatorConfig } from './config.js';
export {
  decodeRecord,
  encodeRecordKey,
  encodeRecordValue,
  type CoordinatorRecord,
  type GroupMemberValue,
  type GroupMetadataRecord,
  type GroupMetadataValue,
  type OffsetCommitRecord,
  type OffsetCommitValue,
  type TxnOffsetCommitRecord,
  type TxnOffsetMarkerRecord,
} from './records.js';
export { DurableState } from './durable-state.js';
export type { ConsumerGroupView, ConsumerMemberView, NamedTopicPartitions } from './consumer/view.js';
export type { TopicImage } from './consumer/topics.js';
export type { ConsumerGroupState } from './consumer/group.js';
export type { ConsumerGroupRecord, MemberState } from './consumer/records.js';
export { subscribedTopicsOf, CONSUMER_PROTOCOL_TYPE } from './subscription.js';
export { offsetCommitError } from './offset-commit.js';
export { txnOffsetCommitError } from './txn-offset-commit.js';
export {
  PARKED,
  type AnyCoordinatorRequest,
  type Completion,
  type CoordinatorApi,
  type CoordinatorApis,
  type CoordinatorEvent,
  type CoordinatorRequest,
  type CoordinatorResult,
  type ConsumerEpochReason,
  type ConsumerMemberRemovalReason,
  type GroupState,
  type MemberRemovalReason,
  type RebalanceReason,
} from './types.js';
