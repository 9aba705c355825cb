import { API_SPECS, type ApiKey } from '../../protocol/messages/index.js';

/**
 * The versions the client's code handles, per API key: the codecs cover more, but a version is
 * listed here only when the code that builds requests and reads responses knows its semantics
 * (Metadata null topics from v1, FindCoordinator batching from v4, OffsetFetch groups from v8,
 * and so on). For each request the client uses the highest version inside both this range and
 * the broker's advertised one, as librdkafka and the Java client do.
 */
export const CLIENT_API_VERSIONS: Readonly<Partial<Record<ApiKey, readonly [number, number]>>> = {
  0: [3, 11], // Produce: v3+ carries RecordBatch v2 (and idempotence); v9+ flexible
  1: [4, 12], // Fetch: v4+ RecordBatch v2; v13+ (topic ids) left out on purpose
  2: [1, 10], // ListOffsets: v1+ single offset per partition
  3: [1, 12], // Metadata: v1+ so a null topic list means "all"
  8: [2, 9], // OffsetCommit: v2+ (what Kafka 4.0 still accepts)
  9: [1, 9], // OffsetFetch: v8+ batches groups
  10: [0, 6], // FindCoordinator: v4+ batches keys
  11: [0, 9], // JoinGroup
  12: [0, 4], // Heartbeat
  13: [0, 5], // LeaveGroup
  14: [0, 5], // SyncGroup
  15: [0, 5], // DescribeGroups
  16: [0, 5], // ListGroups: v4 states filter, v5 types filter
  17: [1, 1], // SaslHandshake: v1, followed by SaslAuthenticate requests
  18: [0, 3], // ApiVersions: v3 announces the client software (KIP-511)
  19: [2, 7], // CreateTopics
  20: [1, 6], // DeleteTopics
  21: [0, 2], // DeleteRecords
  22: [0, 5], // InitProducerId
  23: [0, 4], // OffsetForLeaderEpoch
  24: [0, 3], // AddPartitionsToTxn: v4+ is the brokers' batched form
  25: [0, 4], // AddOffsetsToTxn
  26: [0, 4], // EndTxn: v5 is KIP-890's epoch bump per transaction, not used
  27: [0, 1], // WriteTxnMarkers (aborting hanging transactions)
  28: [0, 4], // TxnOffsetCommit: v3+ carries the member and generation (KIP-447)
  32: [1, 4], // DescribeConfigs
  29: [1, 3], // DescribeAcls: v1+ pattern types (KIP-290)
  30: [1, 3], // CreateAcls
  31: [1, 3], // DeleteAcls
  33: [0, 2], // AlterConfigs
  36: [0, 2], // SaslAuthenticate: v1+ session lifetime (KIP-368)
  37: [0, 3], // CreatePartitions
  42: [0, 2], // DeleteGroups
  44: [0, 1], // IncrementalAlterConfigs
  47: [0, 0], // OffsetDelete
  50: [0, 0], // DescribeUserScramCredentials
  51: [0, 0], // AlterUserScramCredentials
  60: [0, 1], // DescribeCluster
  61: [0, 0], // DescribeProducers
  65: [0, 0], // DescribeTransactions
  66: [0, 1], // ListTransactions
  68: [0, 1], // ConsumerGroupHeartbeat (KIP-848)
  69: [0, 1], // ConsumerGroupDescribe (KIP-848; v1 member types)
};

export interface VersionRange {
  min: number;
  max: number;
}

/** The version ApiVersions is first sent at (flexible header v2, client software fields). */
export const API_VERSIONS_FIRST_VERSION = 3;

/**
 * Highest version in the intersection of the client's range, the broker's range and an optional
 * caller cap, or -1 when they do not overlap (or the broker does not know the API).
 */
export function pickVersion(apiKey: number, broker: ReadonlyMap<number, VersionRange>, limits?: { minVersion?: number; maxVersion?: number }): number {
  const client = CLIENT_API_VERSIONS[apiKey as ApiKey];
  const theirs = broker.get(apiKey);
  if (client === undefined || theirs === undefined) return -1;
  const spec = (API_SPECS as Record<number, { minVersion: number; maxVersion: number }>)[apiKey]!;
  const min = Math.max(client[0], theirs.min, spec.minVersion, limits?.minVersion ?? 0);
  const max = Math.min(client[1], theirs.max, spec.maxVersion, limits?.maxVersion ?? Number.MAX_SAFE_INTEGER);
  return max >= min ? max : -1;
}

export function apiName(apiKey: number): string {
  return (API_SPECS as Record<number, { name: string }>)[apiKey]?.name ?? `ApiKey${apiKey}`;
}
