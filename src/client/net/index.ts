export { Cluster, type RequestTarget, type RequestOptions, type RequestResult, type RequestBody, type MetadataQuery, type CoordinatorKeyType } from './cluster.js';
export { BrokerConnection } from './connection.js';
export { MetadataCache, type BrokerInfo, type PartitionInfo, type TopicInfo } from './metadata-cache.js';
export { CLIENT_API_VERSIONS, pickVersion, apiName } from './versions.js';
export { backoffMs } from './backoff.js';
export { sleepMs } from './sleep.js';
