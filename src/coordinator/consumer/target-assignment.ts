import { serverAssignors, type ServerAssignorMember } from '../../assignors/server/index.js';
import { EMPTY_PARTITIONS, partitionsEqual, toEntries, type TopicPartitionsMap } from './assignment.js';
import type { ConsumerGroup } from './group.js';
import type { ConsumerGroupMember } from './member.js';
import type { ConsumerGroupRecord, SubscribedTopicMetadata } from './records.js';
import { effectiveTopicNames, type RegexOverrides } from './subscriptions.js';

export interface TargetAssignmentInput {
  readonly group: ConsumerGroup;
  readonly groupEpoch: number;
  readonly assignorName: string;
  /** Members added, changed (by id) or removed (null) by this call, relative to the group. */
  readonly changes: ReadonlyMap<string, ConsumerGroupMember | null>;
  /** A static member's new id -> the id it replaces, whose target it inherits. */
  readonly inheritsFrom: ReadonlyMap<string, string>;
  /** The subscribed topics' metadata at `groupEpoch`, by name. */
  readonly subscribedTopics: ReadonlyMap<string, SubscribedTopicMetadata>;
  readonly regexOverrides: RegexOverrides;
}

export interface TargetAssignmentResult {
  readonly records: ConsumerGroupRecord[];
  readonly targets: ReadonlyMap<string, TopicPartitionsMap>;
  readonly partitionsMoved: number;
}

/**
 * Kafka's TargetAssignmentBuilder: runs the group's assignor over every member (with this call's
 * changes) from the current target assignment, and records the members whose target changed,
 * then the new assignment epoch.
 */
export function computeTargetAssignment(input: TargetAssignmentInput): TargetAssignmentResult {
  const { group } = input;
  const assignor = serverAssignors.get(input.assignorName);
  if (assignor === undefined) throw new Error(`unknown server assignor ${input.assignorName}`);
  const members = new Map<string, ConsumerGroupMember>();
  for (const m of group.members.values()) if (!input.changes.has(m.memberId)) members.set(m.memberId, m);
  for (const [id, m] of input.changes) if (m !== null) members.set(id, m);

  const partitionCounts = new Map<string, number>();
  const topicNames = new Map<string, string>();
  const idOf = new Map<string, string>();
  for (const t of input.subscribedTopics.values()) {
    partitionCounts.set(t.topicId, t.partitions);
    topicNames.set(t.topicId, t.name);
    idOf.set(t.name, t.topicId);
  }
  const currentTarget = (memberId: string): TopicPartitionsMap =>
    group.targetAssignment.get(input.inheritsFrom.get(memberId) ?? memberId) ?? EMPTY_PARTITIONS;
  const specs: ServerAssignorMember[] = [...members.values()].map((m) => ({
    memberId: m.memberId,
    instanceId: m.instanceId,
    rackId: m.rackId,
    subscribedTopicIds: new Set([...effectiveTopicNames(m, group, input.regexOverrides)].flatMap((name) => (idOf.has(name) ? [idOf.get(name)!] : []))),
    assignment: currentTarget(m.memberId),
  }));
  const assigned = assignor.assign({ members: specs, partitionCounts, topicNames });

  const records: ConsumerGroupRecord[] = [];
  const targets = new Map<string, TopicPartitionsMap>();
  let partitionsMoved = 0;
  for (const spec of specs.sort((a, b) => (a.memberId < b.memberId ? -1 : 1))) {
    const next: TopicPartitionsMap = assigned.get(spec.memberId) ?? EMPTY_PARTITIONS;
    targets.set(spec.memberId, next);
    const previous = group.targetAssignment.get(spec.memberId);
    if (previous === undefined || !partitionsEqual(previous, next)) {
      records.push({ type: 'consumer-target-member', groupId: group.groupId, memberId: spec.memberId, value: { partitions: toEntries(next) } });
    }
    for (const [topicId, set] of next) for (const p of set) if (!(spec.assignment.get(topicId)?.has(p) ?? false)) partitionsMoved++;
  }
  records.push({ type: 'consumer-target-epoch', groupId: group.groupId, value: { assignmentEpoch: input.groupEpoch } });
  return { records, targets, partitionsMoved };
}
