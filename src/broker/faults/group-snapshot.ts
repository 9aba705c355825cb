import type { GroupCoordinator } from '../../coordinator/index.js';
import { CONSUMER_PROTOCOL_TYPE } from '../../coordinator/index.js';
import { decodeAssignment } from '../../protocol/consumer-protocol.js';

/** Partitions of one topic. */
export interface AssignedPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface GroupMemberSnapshot {
  readonly memberId: string;
  readonly clientId: string;
  readonly groupInstanceId: string | null;
  /** 'classic': JoinGroup/SyncGroup; 'consumer': ConsumerGroupHeartbeat (KIP-848). */
  readonly protocol: 'classic' | 'consumer';
  /**
   * What the coordinator has given the member: the assignment of the current generation
   * (classic, decoded when the group uses the consumer protocol type), or the partitions it owns
   * now (consumer group), sorted by topic.
   */
  readonly assignment: readonly AssignedPartitions[];
}

/** A group as the coordinator holds it, in plain data. */
export interface GroupSnapshot {
  readonly groupId: string;
  /** The kind of group: classic, or a KIP-848 consumer group (whose members may speak either protocol). */
  readonly type: 'classic' | 'consumer';
  /** Classic: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead. Consumer: Empty, Assigning, Reconciling, Stable. */
  readonly state: string;
  /** The generation id (classic) or group epoch (consumer group). */
  readonly epoch: number;
  /** Sorted by member id. */
  readonly members: readonly GroupMemberSnapshot[];
}

export function groupSnapshot(core: GroupCoordinator, groupId: string): GroupSnapshot | null {
  const classic = core.group(groupId);
  if (classic !== undefined) {
    const decodable = classic.protocolType === CONSUMER_PROTOCOL_TYPE;
    const members = classic.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      groupInstanceId: m.groupInstanceId,
      protocol: 'classic' as const,
      assignment: decodable ? decodeClassic(m.assignment) : [],
    }));
    return { groupId, type: 'classic', state: classic.state, epoch: classic.generationId, members: sortById(members) };
  }
  const consumer = core.consumerGroup(groupId);
  if (consumer === undefined) return null;
  const members = consumer.members.map((m) => ({
    memberId: m.memberId,
    clientId: m.clientId,
    groupInstanceId: m.instanceId,
    protocol: m.classic ? ('classic' as const) : ('consumer' as const),
    assignment: m.assigned
      .map((t) => ({ topic: t.topicName ?? t.topicId, partitions: [...t.partitions].sort((a, b) => a - b) }))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0)),
  }));
  return { groupId, type: 'consumer', state: consumer.state, epoch: consumer.groupEpoch, members: sortById(members) };
}

function decodeClassic(bytes: Buffer): AssignedPartitions[] {
  try {
    return decodeAssignment(bytes)
      .assignedPartitions.map((t) => ({ topic: t.topic, partitions: [...t.partitions].sort((a, b) => a - b) }))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  } catch {
    // A leader may send any bytes; the coordinator does not read them.
    return [];
  }
}

function sortById<T extends { memberId: string }>(members: T[]): T[] {
  return members.sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
}
