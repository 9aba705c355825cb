import { emit, persist, type Ctx } from '../context.js';
import { deleteConsumerGroup } from './routing.js';

/**
 * Offset retention for consumer groups (Kafka's OffsetExpirationCondition of ConsumerGroup): an
 * offset of a topic no member subscribes to expires offsets.retention.minutes after its commit
 * (or at its explicit expiry time); offsets of subscribed topics never do. An empty group left
 * without offsets is deleted.
 */
export function expireConsumerOffsets(ctx: Ctx): void {
  for (const groupId of ctx.durable.consumerGroups.ids()) {
    const group = ctx.durable.consumerGroups.get(groupId)!;
    let expired = 0;
    let remaining = 0;
    for (const [topic, partitions] of ctx.durable.groupOffsets(groupId)) {
      for (const [partition, value] of partitions) {
        const due = value.expireTimestampMs >= 0 ? ctx.nowMs >= value.expireTimestampMs : ctx.nowMs - value.commitTimestampMs >= ctx.config.offsetsRetentionMs;
        if (!group.isSubscribedToTopic(topic) && due) {
          persist(ctx, { type: 'offset-commit', groupId, topic, partition, value: null });
          expired++;
        } else {
          remaining++;
        }
      }
    }
    if (expired > 0) emit(ctx, { type: 'offsets-expired', groupId, partitions: expired });
    if (remaining === 0 && group.members.size === 0) {
      deleteConsumerGroup(ctx, group, false);
      emit(ctx, { type: 'group-deleted', groupId, reason: 'offsets-expired' });
    }
  }
}
