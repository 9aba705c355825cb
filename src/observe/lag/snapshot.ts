import type { Admin } from '../../client/admin/index.js';
import type { GroupDescription } from '../../client/admin/types.js';
import { describeGroupsIfSupported, groupLag } from './cluster-reads.js';
import { recordTimestamps } from './records-at.js';

/** Where a group stands on one partition. */
export interface PartitionPosition {
  topic: string;
  partition: number;
  /** null when the group has committed nothing for the partition. */
  currentOffset: number | null;
  logStartOffset: number;
  logEndOffset: number;
  lag: number | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

export interface PartitionSnapshot extends PartitionPosition {
  /** Age of the oldest unconsumed record in seconds; 0 when caught up; null when unknown. */
  lagSeconds: number | null;
}

export interface GroupSnapshot {
  group: string;
  atMs: number;
  /** null when the broker cannot describe groups. */
  state: string | null;
  partitions: PartitionSnapshot[];
}

export interface GroupSnapshotWithDescription extends GroupSnapshot {
  /** DescribeGroups' answer; null when the broker has no DescribeGroups. */
  description: GroupDescription | null;
  /** Partitions the group has a committed offset for. */
  committedCount: number;
}

/**
 * One look at a group: committed offsets, log ends, owners (admin.lag), and the timestamp of the
 * first unconsumed record of every lagging partition, read from the partition itself: lag in
 * seconds is the age of the oldest record the group has not consumed (kafka-lag-exporter's
 * definition, measured instead of interpolated). `nowMs` is read after the records are, so an
 * age is never negative because of the time the fetch took. `description` saves a
 * DescribeGroups round trip when the caller already has one.
 */
export async function takeGroupSnapshot(admin: Admin, groupId: string, nowMs: () => number, known?: { description: GroupDescription | null }): Promise<GroupSnapshotWithDescription> {
  const description = known !== undefined ? known.description : ((await describeGroupsIfSupported(admin, [groupId]))?.get(groupId) ?? null);
  const describeSupported = known !== undefined ? known.description !== null : description !== null;
  const lags = await groupLag(admin, groupId, describeSupported);
  // Records below the log start are gone: the oldest unconsumed record left is the first one kept.
  const lagging = lags.filter((p) => p.lag !== null && p.lag > 0)
    .map((p) => ({ topic: p.topic, partition: p.partition, offset: Math.max(p.committedOffset, p.logStartOffset) }));
  const timestamps = await recordTimestamps(admin.cluster, lagging);
  const atMs = nowMs();
  return {
    group: groupId,
    atMs,
    state: description?.state ?? null,
    description,
    committedCount: lags.filter((p) => p.committedOffset >= 0).length,
    partitions: lags.map((p) => {
      const ts = timestamps.get(`${p.topic}:${p.partition}`);
      let lagSeconds: number | null = null;
      if (p.lag === 0) lagSeconds = 0;
      else if (ts !== undefined && ts !== null) lagSeconds = Math.max(0, atMs - ts) / 1000;
      return {
        topic: p.topic,
        partition: p.partition,
        currentOffset: p.committedOffset < 0 ? null : p.committedOffset,
        logStartOffset: p.logStartOffset,
        logEndOffset: p.logEndOffset,
        lag: p.lag,
        lagSeconds,
        consumerId: p.owner?.memberId ?? null,
        host: p.owner?.host ?? null,
        clientId: p.owner?.clientId ?? null,
      };
    }),
  };
}
