import type { Admin } from '../../client/admin/index.js';
import type { GroupDescription, PartitionLag } from '../../client/admin/types.js';
import { KafkaError } from '../../client/errors.js';
import { ErrorCode } from '../../protocol/errors.js';

/** Kafka answers DescribeGroups for a group it does not know with this state (or, from v6, GROUP_ID_NOT_FOUND). */
export const DEAD = 'Dead';

export function isUnsupported(err: unknown): boolean {
  return err instanceof KafkaError && err.code === ErrorCode.UNSUPPORTED_VERSION;
}

/**
 * DescribeGroups for `groupIds`, or null when the broker has no DescribeGroups at all (librdkafka's
 * mock cluster): callers then show what OffsetFetch and ListOffsets tell and say what is missing.
 */
export async function describeGroupsIfSupported(admin: Admin, groupIds: string[]): Promise<Map<string, GroupDescription> | null> {
  try {
    const described = await admin.describeGroups(groupIds);
    return new Map(described.map((d) => [d.groupId, d]));
  } catch (err) {
    if (isUnsupported(err)) return null;
    if (err instanceof KafkaError && err.code === ErrorCode.GROUP_ID_NOT_FOUND && groupIds.length === 1) {
      return new Map([[groupIds[0]!, { groupId: groupIds[0]!, state: DEAD, protocolType: '', protocol: '', members: [] }]]);
    }
    throw err;
  }
}

/**
 * Committed offsets and lag of a group (admin.lag). A broker without DescribeGroups is a reduced
 * one (librdkafka's mock cluster), and that one answers an all-topics OffsetFetch (topics null)
 * with a null array our decoder rightly refuses; so there we name every topic explicitly and keep
 * the topics the group committed for.
 */
export async function groupLag(admin: Admin, groupId: string, describeSupported: boolean): Promise<PartitionLag[]> {
  if (describeSupported) return admin.lag(groupId);
  const topics = await admin.listTopics();
  if (topics.length === 0) return [];
  const lags = await admin.lag(groupId, { topics });
  const committedTopics = new Set(lags.filter((p) => p.committedOffset >= 0).map((p) => p.topic));
  return lags.filter((p) => committedTopics.has(p.topic));
}
