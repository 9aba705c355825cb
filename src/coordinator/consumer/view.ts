import { EMPTY_PARTITIONS, toEntries, type TopicPartitionsMap } from './assignment.js';
import type { ConsumerGroup, ConsumerGroupState } from './group.js';
import type { MemberState } from './records.js';
import type { TopicsImage } from './topics.js';

/** Partitions of one topic, with its name when the topic still exists. */
export interface NamedTopicPartitions {
  readonly topicId: string;
  readonly topicName: string | null;
  readonly partitions: readonly number[];
}

export interface ConsumerMemberView {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: MemberState;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly serverAssignor: string | null;
  readonly rebalanceTimeoutMs: number;
  /** The member joined with JoinGroup (classic protocol) rather than ConsumerGroupHeartbeat. */
  readonly classic: boolean;
  readonly assigned: readonly NamedTopicPartitions[];
  readonly pendingRevocation: readonly NamedTopicPartitions[];
  readonly target: readonly NamedTopicPartitions[];
}

/** A read-only picture of a consumer group (KIP-848), for tests, the simulator and tools. */
export interface ConsumerGroupView {
  readonly groupId: string;
  readonly state: ConsumerGroupState;
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  /** The assignor the group uses: the one most members ask for, else the default. */
  readonly assignor: string;
  readonly subscribedTopics: readonly { topicId: string; name: string; partitions: number }[];
  /** Sorted by member id. */
  readonly members: readonly ConsumerMemberView[];
}

export function named(map: TopicPartitionsMap, topics: TopicsImage): NamedTopicPartitions[] {
  return toEntries(map).map((e) => ({ topicId: e.topicId, topicName: topics.byId(e.topicId)?.name ?? null, partitions: e.partitions }));
}

export function consumerGroupView(group: ConsumerGroup, topics: TopicsImage, defaultAssignor: string): ConsumerGroupView {
  return {
    groupId: group.groupId,
    state: group.state,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignor: group.preferredServerAssignor() ?? defaultAssignor,
    subscribedTopics: [...group.subscribedTopics.values()].map((t) => ({ topicId: t.topicId, name: t.name, partitions: t.partitions })),
    members: group.sortedMembers().map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberEpoch: m.memberEpoch,
      previousMemberEpoch: m.previousMemberEpoch,
      state: m.state,
      subscribedTopicNames: m.subscribedTopicNames,
      subscribedTopicRegex: m.subscribedTopicRegex,
      serverAssignor: m.serverAssignor,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      classic: m.classic !== null,
      assigned: named(m.assigned, topics),
      pendingRevocation: named(m.pendingRevocation, topics),
      target: named(group.targetAssignment.get(m.memberId) ?? EMPTY_PARTITIONS, topics),
    })),
  };
}
