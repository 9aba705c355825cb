import { deleteGroup } from './admin.js';
import { emit, persist, type Ctx } from './context.js';
import type { ClassicGroup } from './group.js';
import type { OffsetCommitValue } from './records.js';

/**
 * Offset retention (KIP-211), run every offsets.retention.check.interval.ms. A group with a
 * protocol type keeps its offsets while it has members; once Empty they expire
 * offsets.retention.minutes after it became Empty. In a Stable consumer group, offsets of topics
 * no member subscribes to expire from their commit time. Simple (commit-only) groups expire per
 * offset from its commit time. An Empty group left without offsets is deleted.
 */
export function expireOffsets(ctx: Ctx): void {
  for (const group of [...ctx.groups.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : 1))) {
    expireGroupOffsets(ctx, group);
  }
}

function expireGroupOffsets(ctx: Ctx, group: ClassicGroup): void {
  const baseTimestamp = expirationBase(group);
  const expired: Array<[string, number]> = [];
  let allExpired = true;
  for (const [topic, partitions] of ctx.durable.groupOffsets(group.groupId)) {
    if (baseTimestamp === null || group.isSubscribedToTopic(topic)) {
      allExpired = false;
      continue;
    }
    for (const [partition, value] of partitions) {
      if (isExpired(ctx, value, baseTimestamp(value))) expired.push([topic, partition]);
      else allExpired = false;
    }
  }
  // A group whose offsets wait on a running transaction is kept (Kafka does not expire them either).
  if (allExpired && group.is('Empty') && !ctx.durable.pendingTxnOffsets.hasGroup(group.groupId)) {
    if (expired.length > 0) emit(ctx, { type: 'offsets-expired', groupId: group.groupId, partitions: expired.length });
    deleteGroup(ctx, group, 'offsets-expired');
    return;
  }
  if (expired.length === 0) return;
  for (const [topic, partition] of expired) persist(ctx, { type: 'offset-commit', groupId: group.groupId, topic, partition, value: null });
  emit(ctx, { type: 'offsets-expired', groupId: group.groupId, partitions: expired.length });
}

/** From when an offset's retention counts, or null when the group's offsets do not expire now. */
function expirationBase(group: ClassicGroup): ((value: OffsetCommitValue) => number) | null {
  if (group.protocolType === null || group.protocolType === '') return (v) => v.commitTimestampMs;
  if (group.is('Empty')) return (v) => group.currentStateTimestampMs ?? v.commitTimestampMs;
  if (group.usesConsumerProtocol() && group.subscribedTopics !== null && group.is('Stable')) return (v) => v.commitTimestampMs;
  return null;
}

function isExpired(ctx: Ctx, value: OffsetCommitValue, baseTimestampMs: number): boolean {
  // OffsetCommit v2-v4 may carry an explicit retention, which wins.
  if (value.expireTimestampMs >= 0) return ctx.nowMs >= value.expireTimestampMs;
  return ctx.nowMs - baseTimestampMs >= ctx.config.offsetsRetentionMs;
}
