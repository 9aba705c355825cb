import type { Admin } from '../../client/admin/index.js';
import { assertGroupKnown, describeGroupsIfSupported, groupLag } from '../groups/lookup.js';
import { recordTimestamps } from '../records-at.js';
import type { PartitionPosition } from '../groups/describe.js';

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

/**
 * One look at a group: committed offsets, log ends, owners (admin.lag), and the timestamp of the
 * first unconsumed record of every lagging partition. `nowMs` is read after the records are, so
 * an age is never negative because of the time the fetch took.
 */
export async function takeSnapshot(admin: Admin, groupId: string, nowMs: () => number): Promise<GroupSnapshot> {
  const described = await describeGroupsIfSupported(admin, [groupId]);
  const lags = await groupLag(admin, groupId, described !== null);
  const description = described === null ? null : described.get(groupId);
  assertGroupKnown(groupId, description, lags.filter((p) => p.committedOffset >= 0).length);
  // Records below the log start are gone: the oldest unconsumed record left is the first one kept.
  const lagging = lags.filter((p) => p.lag !== null && p.lag > 0)
    .map((p) => ({ topic: p.topic, partition: p.partition, offset: Math.max(p.committedOffset, p.logStartOffset) }));
  const timestamps = await recordTimestamps(admin.cluster, lagging);
  const atMs = nowMs();
  return {
    group: groupId,
    atMs,
    state: description?.state ?? null,
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
