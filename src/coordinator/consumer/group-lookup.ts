import { ErrorCode } from '../../protocol/errors.js';
import { emit, type Ctx } from '../context.js';
import { GroupRequestError } from './errors.js';
import { ConsumerGroup } from './group.js';
import type { CoordinatorRecord } from '../records.js';
import { upgradeToConsumerGroup } from './migration.js';

/**
 * Kafka's getOrMaybeCreateConsumerGroup: the consumer group, or a new one when a member joins
 * (epoch 0). A classic group of that id is replaced when it is empty (a commit-only group keeps
 * its offsets), and converted online when it has members and the migration policy allows it.
 */
export function groupForHeartbeat(ctx: Ctx, groupId: string, joining: boolean, memberId: string, records: CoordinatorRecord[]): { group: ConsumerGroup; created: boolean } {
  const existing = ctx.durable.consumerGroups.get(groupId);
  if (existing !== undefined) return { group: existing, created: false };
  if (!joining) throw new GroupRequestError(ErrorCode.UNKNOWN_MEMBER_ID, `Consumer group ${groupId} not found.`);
  const classic = ctx.groups.get(groupId);
  if (classic !== undefined) {
    const empty = classic.is('Empty') && classic.size === 0 && classic.pendingJoinMembers.size === 0;
    // A classic group with members converts online, as group.consumer.migration.policy allows.
    if (!empty) return { group: upgradeToConsumerGroup(ctx, classic, memberId, records), created: false };
    // The classic group goes; its committed offsets stay and now belong to the consumer group.
    ctx.groups.delete(groupId);
    if (ctx.durable.groupMetadata(groupId) !== undefined) records.push({ type: 'group-metadata', groupId, value: null });
  }
  emit(ctx, { type: 'group-created', groupId });
  return { group: new ConsumerGroup(groupId), created: true };
}
