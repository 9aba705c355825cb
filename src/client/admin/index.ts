export { Admin, createAdmin, type AdminOptions } from './admin.js';
export type { CreateTopicsOptions, CreatePartitionsOptions } from './topics.js';
export type { DescribeConfigsOptions } from './configs.js';
export type { AlterOffsetsOptions } from './offsets.js';
export type * from './types.js';
export type { TransactionListing, TransactionDescription, ProducerStateDescription } from './transactions.js';
export { describeBinding, type AclBinding, type AclFilter, type AclResourceType, type AclPatternType, type AclOperationName, type AclPermission } from './acls.js';
