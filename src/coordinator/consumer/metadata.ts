import { emit, persist, type Ctx } from '../context.js';
import type { ConsumerGroup, ResolvedRegex } from './group.js';
import { groupTopicNames, resolveRegex, sameMetadata, sameTopics, subscribedTopicMetadata } from './subscriptions.js';

/**
 * The topics changed (created, deleted, grown). Kafka marks the groups subscribed to a changed
 * topic for a metadata refresh at their next heartbeat; here each group is refreshed at once:
 * its regexes are resolved again (a new topic may match) and, when the topics it subscribes to
 * look different, it moves to a new group epoch, so its next heartbeat computes a new target.
 */
export function refreshConsumerGroups(ctx: Ctx): void {
  for (const id of ctx.durable.consumerGroups.ids()) refreshGroup(ctx, ctx.durable.consumerGroups.get(id)!);
}

function refreshGroup(ctx: Ctx, group: ConsumerGroup): void {
  const overrides = new Map<string, ResolvedRegex>();
  for (const regex of [...group.subscribedRegexes.keys()].sort()) {
    const resolved = resolveRegex(regex, ctx.topics, ctx.nowMs);
    if (!sameTopics(group.resolvedRegexes.get(regex)?.topics, resolved.topics)) overrides.set(regex, resolved);
  }
  const subscribedTopics = subscribedTopicMetadata(groupTopicNames(group, new Map(), overrides), ctx.topics);
  if (overrides.size === 0 && sameMetadata(subscribedTopics, group.subscribedTopics)) return;
  for (const [regex, resolved] of overrides) {
    persist(ctx, { type: 'consumer-regex', groupId: group.groupId, regex, value: { topics: resolved.topics, resolvedAtMs: resolved.resolvedAtMs } });
  }
  const groupEpoch = group.groupEpoch + 1;
  persist(ctx, { type: 'consumer-group', groupId: group.groupId, value: { groupEpoch, subscribedTopics: [...subscribedTopics.values()] } });
  emit(ctx, { type: 'consumer-epoch-bumped', groupId: group.groupId, groupEpoch, reason: 'metadata-changed', memberId: null });
}
