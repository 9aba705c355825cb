import { EMPTY_PARTITIONS, fromEntries, type TopicPartitionsMap } from './assignment.js';
import {
  currentAssignmentOf,
  isReconciledTo,
  LEAVE_GROUP_MEMBER_EPOCH,
  newMember,
  subscriptionOf,
  withCurrentAssignment,
  withSubscription,
  type ConsumerGroupMember,
} from './member.js';
import type { ConsumerCurrentAssignmentValue, ConsumerGroupRecord, ConsumerMemberValue, SubscribedTopicMetadata } from './records.js';
import { toEntries } from './assignment.js';

/** Consumer group states, spelled as Kafka prints them (ConsumerGroupDescribe, ListGroups). */
export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable';

export interface ResolvedRegex {
  /** Topic names the regex matched, sorted. */
  readonly topics: readonly string[];
  readonly resolvedAtMs: number;
}

/**
 * A consumer group (Kafka's ConsumerGroup): its group epoch, members, target assignment and the
 * epoch of every owned partition. It changes only by `apply(record)`, so the live group and one
 * rebuilt from the log are the same; transitions read it and return records.
 */
export class ConsumerGroup {
  groupEpoch = 0;
  /** The subscribed topics' metadata the group epoch was computed for, by topic name. */
  subscribedTopics: ReadonlyMap<string, SubscribedTopicMetadata> = new Map();
  assignmentEpoch = 0;
  readonly members = new Map<string, ConsumerGroupMember>();
  /** instance id -> member id */
  readonly staticMembers = new Map<string, string>();
  /** member id -> target partitions */
  readonly targetAssignment = new Map<string, TopicPartitionsMap>();
  /** topic id -> partition -> member id of the target owner */
  readonly invertedTarget = new Map<string, Map<number, string>>();
  /** topic id -> partition -> epoch of its current owner (absent: free). */
  private readonly partitionEpochs = new Map<string, Map<number, number>>();
  /** Topic name -> members subscribed to it, by name or through a resolved regex. */
  readonly subscribedTopicNames = new Map<string, number>();
  /** regex -> members using it */
  readonly subscribedRegexes = new Map<string, number>();
  readonly resolvedRegexes = new Map<string, ResolvedRegex>();
  /** assignor name -> members asking for it */
  private readonly serverAssignors = new Map<string, number>();

  constructor(readonly groupId: string) {}

  // ---- replay ----

  /** Applies one record of this group; returns false when the record deletes the group. */
  apply(record: ConsumerGroupRecord): boolean {
    switch (record.type) {
      case 'consumer-group':
        if (record.value === null) {
          if (this.members.size > 0) throw new Error(`consumer group ${this.groupId} deleted while it has members`);
          return false;
        }
        this.groupEpoch = record.value.groupEpoch;
        this.subscribedTopics = new Map(record.value.subscribedTopics.map((t) => [t.name, t]));
        return true;
      case 'consumer-member':
        if (record.value === null) this.removeMember(record.memberId);
        else this.updateMember(withSubscription(this.members.get(record.memberId) ?? newMember(record.memberId), record.value));
        return true;
      case 'consumer-target-member':
        this.setTarget(record.memberId, record.value === null ? null : fromEntries(record.value.partitions));
        return true;
      case 'consumer-target-epoch':
        this.assignmentEpoch = record.value === null ? 0 : record.value.assignmentEpoch;
        return true;
      case 'consumer-current': {
        const old = this.members.get(record.memberId) ?? newMember(record.memberId);
        const value: ConsumerCurrentAssignmentValue = record.value ?? {
          memberEpoch: LEAVE_GROUP_MEMBER_EPOCH,
          previousMemberEpoch: LEAVE_GROUP_MEMBER_EPOCH,
          state: 'STABLE',
          assigned: [],
          pendingRevocation: [],
        };
        this.updateMember(withCurrentAssignment(old, value));
        return true;
      }
      case 'consumer-regex':
        if (record.value === null) this.setResolvedRegex(record.regex, null);
        else this.setResolvedRegex(record.regex, { topics: [...record.value.topics].sort(), resolvedAtMs: record.value.resolvedAtMs });
        return true;
    }
  }

  private updateMember(member: ConsumerGroupMember): void {
    const old = this.members.get(member.memberId);
    if (old !== undefined) {
      this.count(old, -1);
      this.removePartitionEpochs(old);
      if (old.instanceId !== null && this.staticMembers.get(old.instanceId) === old.memberId) this.staticMembers.delete(old.instanceId);
    }
    this.members.set(member.memberId, member);
    this.count(member, 1);
    this.addPartitionEpochs(member);
    if (member.instanceId !== null) this.staticMembers.set(member.instanceId, member.memberId);
  }

  /** Kafka removes a member only after its current assignment tombstone (epoch -1, nothing owned). */
  private removeMember(memberId: string): void {
    const old = this.members.get(memberId);
    if (old === undefined) return;
    if (old.memberEpoch !== LEAVE_GROUP_MEMBER_EPOCH) throw new Error(`member ${memberId} of ${this.groupId} removed before its current assignment`);
    if (this.targetAssignment.has(memberId)) throw new Error(`member ${memberId} of ${this.groupId} removed before its target assignment`);
    this.count(old, -1);
    this.removePartitionEpochs(old);
    this.members.delete(memberId);
    if (old.instanceId !== null && this.staticMembers.get(old.instanceId) === memberId) this.staticMembers.delete(old.instanceId);
  }

  private setTarget(memberId: string, partitions: TopicPartitionsMap | null): void {
    const old = this.targetAssignment.get(memberId);
    if (old !== undefined) {
      for (const [topicId, set] of old) {
        const inverted = this.invertedTarget.get(topicId);
        for (const p of set) if (inverted?.get(p) === memberId) inverted.delete(p);
        if (inverted?.size === 0) this.invertedTarget.delete(topicId);
      }
    }
    if (partitions === null) {
      this.targetAssignment.delete(memberId);
      return;
    }
    this.targetAssignment.set(memberId, partitions);
    for (const [topicId, set] of partitions) {
      let inverted = this.invertedTarget.get(topicId);
      if (inverted === undefined) this.invertedTarget.set(topicId, (inverted = new Map()));
      for (const p of set) inverted.set(p, memberId);
    }
  }

  private setResolvedRegex(regex: string, resolved: ResolvedRegex | null): void {
    const old = this.resolvedRegexes.get(regex);
    const users = this.subscribedRegexes.get(regex) ?? 0;
    if (old !== undefined) for (const t of old.topics) bump(this.subscribedTopicNames, t, -users);
    if (resolved === null) this.resolvedRegexes.delete(regex);
    else {
      this.resolvedRegexes.set(regex, resolved);
      for (const t of resolved.topics) bump(this.subscribedTopicNames, t, users);
    }
  }

  private count(m: ConsumerGroupMember, delta: number): void {
    for (const t of m.subscribedTopicNames) bump(this.subscribedTopicNames, t, delta);
    if (m.subscribedTopicRegex !== null && m.subscribedTopicRegex !== '') {
      bump(this.subscribedRegexes, m.subscribedTopicRegex, delta);
      for (const t of this.resolvedRegexes.get(m.subscribedTopicRegex)?.topics ?? []) bump(this.subscribedTopicNames, t, delta);
    }
    if (m.serverAssignor !== null) bump(this.serverAssignors, m.serverAssignor, delta);
  }

  private addPartitionEpochs(m: ConsumerGroupMember): void {
    for (const map of [m.assigned, m.pendingRevocation]) {
      for (const [topicId, set] of map) {
        let epochs = this.partitionEpochs.get(topicId);
        if (epochs === undefined) this.partitionEpochs.set(topicId, (epochs = new Map()));
        for (const p of set) {
          const previous = epochs.get(p);
          // Kafka's invariant: a partition has one owner at a time, across epochs.
          if (previous !== undefined) throw new Error(`partition ${topicId}-${p} of ${this.groupId} given to ${m.memberId} while still owned at epoch ${previous}`);
          epochs.set(p, m.memberEpoch);
        }
      }
    }
  }

  private removePartitionEpochs(m: ConsumerGroupMember): void {
    for (const map of [m.assigned, m.pendingRevocation]) {
      for (const [topicId, set] of map) {
        const epochs = this.partitionEpochs.get(topicId);
        for (const p of set) epochs?.delete(p);
        if (epochs?.size === 0) this.partitionEpochs.delete(topicId);
      }
    }
  }

  // ---- reads ----

  /** The epoch of the partition's current owner, or -1 when nobody owns it. */
  currentPartitionEpoch(topicId: string, partition: number): number {
    return this.partitionEpochs.get(topicId)?.get(partition) ?? -1;
  }

  get state(): ConsumerGroupState {
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) if (!isReconciledTo(m, this.assignmentEpoch)) return 'Reconciling';
    return 'Stable';
  }

  staticMember(instanceId: string | null): ConsumerGroupMember | undefined {
    if (instanceId === null) return undefined;
    const memberId = this.staticMembers.get(instanceId);
    return memberId === undefined ? undefined : this.members.get(memberId);
  }

  /** The member's target; for a static member, the target of whoever holds its instance id. */
  targetOf(memberId: string, instanceId: string | null): TopicPartitionsMap {
    if (instanceId !== null) {
      const holder = this.staticMembers.get(instanceId);
      return holder === undefined ? EMPTY_PARTITIONS : (this.targetAssignment.get(holder) ?? EMPTY_PARTITIONS);
    }
    return this.targetAssignment.get(memberId) ?? EMPTY_PARTITIONS;
  }

  /** Members by id: the order every listing and every assignment walks them in. */
  sortedMembers(): ConsumerGroupMember[] {
    return [...this.members.values()].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  }

  /** The assignor most members ask for (ties by name), else null. */
  preferredServerAssignor(counts: ReadonlyMap<string, number> = this.serverAssignors): string | null {
    let best: string | null = null;
    let bestCount = 0;
    for (const [name, n] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (n > bestCount) {
        best = name;
        bestCount = n;
      }
    }
    return best;
  }

  /** What the assignor counts would be with `oldMember` replaced by `newMember` (Kafka's computePreferredServerAssignor). */
  serverAssignorsWith(oldMember: ConsumerGroupMember | undefined, newMember: ConsumerGroupMember | null): Map<string, number> {
    const counts = new Map(this.serverAssignors);
    if (oldMember?.serverAssignor != null) bump(counts, oldMember.serverAssignor, -1);
    if (newMember?.serverAssignor != null) bump(counts, newMember.serverAssignor, 1);
    return counts;
  }

  isSubscribedToTopic(topic: string): boolean {
    return (this.subscribedTopicNames.get(topic) ?? 0) > 0;
  }

  /** The records that rebuild this group, in an order that replays cleanly. */
  snapshotRecords(): ConsumerGroupRecord[] {
    const groupId = this.groupId;
    const records: ConsumerGroupRecord[] = [
      { type: 'consumer-group', groupId, value: { groupEpoch: this.groupEpoch, subscribedTopics: [...this.subscribedTopics.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) } },
    ];
    for (const regex of [...this.resolvedRegexes.keys()].sort()) {
      const r = this.resolvedRegexes.get(regex)!;
      records.push({ type: 'consumer-regex', groupId, regex, value: { topics: r.topics, resolvedAtMs: r.resolvedAtMs } });
    }
    for (const m of this.sortedMembers()) {
      records.push({ type: 'consumer-member', groupId, memberId: m.memberId, value: subscriptionOf(m) });
      const target = this.targetAssignment.get(m.memberId);
      if (target !== undefined) records.push({ type: 'consumer-target-member', groupId, memberId: m.memberId, value: { partitions: toEntries(target) } });
      records.push({ type: 'consumer-current', groupId, memberId: m.memberId, value: currentAssignmentOf(m) });
    }
    records.push({ type: 'consumer-target-epoch', groupId, value: { assignmentEpoch: this.assignmentEpoch } });
    return records;
  }
}

function bump(counts: Map<string, number>, key: string, delta: number): void {
  const n = (counts.get(key) ?? 0) + delta;
  if (n <= 0) counts.delete(key);
  else counts.set(key, n);
}

export type { ConsumerMemberValue };
