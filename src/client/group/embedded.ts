import {
  decodeAssignment as decodeAssignmentBytes,
  decodeSubscription as decodeSubscriptionBytes,
  encodeAssignment as encodeAssignmentBytes,
  encodeSubscription as encodeSubscriptionBytes,
} from '../../protocol/consumer-protocol.js';
import { flattenTopics, groupByTopic } from './partitions.js';
import type { MemberSubscription, TopicPartition } from './types.js';

/**
 * Subscription version we write: 3, as the Java client 3.x/4.x does. v1 carries the owned
 * partitions (KIP-429; librdkafka reads them), v2 the generation they were owned in, v3 the rack;
 * older readers (kafka-python, kafkajs) read the v0 prefix and ignore the rest.
 */
export const SUBSCRIPTION_VERSION = 3;
/** Assignments are written at v3 like Java's; v0-v3 share one layout. */
export const ASSIGNMENT_VERSION = 3;

export function encodeSubscription(s: {
  topics: readonly string[];
  userData: Uint8Array | null;
  ownedPartitions: readonly TopicPartition[];
  generationId: number;
  rackId: string | null;
}): Buffer {
  return encodeSubscriptionBytes(
    {
      // Java sorts the topics; stable bytes also keep the coordinator's "member metadata
      // changed" check from firing on a mere reordering.
      topics: [...s.topics].sort(),
      userData: s.userData,
      ownedPartitions: groupByTopic(s.ownedPartitions),
      generationId: s.generationId,
      rackId: s.rackId,
    },
    SUBSCRIPTION_VERSION,
  );
}

/** Decodes one member's JoinGroup metadata (copying userData out of the frame). */
export function decodeSubscription(memberId: string, groupInstanceId: string | null, bytes: Buffer): MemberSubscription {
  const d = decodeSubscriptionBytes(bytes);
  return {
    memberId,
    groupInstanceId,
    topics: d.topics,
    userData: d.userData === null ? null : Buffer.from(d.userData),
    ownedPartitions: groupByTopic(flattenTopics(d.ownedPartitions)),
    generationId: d.generationId,
    rackId: d.rackId,
  };
}

export function encodeAssignment(partitions: readonly TopicPartition[], userData: Uint8Array | null): Buffer {
  return encodeAssignmentBytes({ assignedPartitions: groupByTopic(partitions), userData }, ASSIGNMENT_VERSION);
}

/** An empty buffer means "no partitions" (the coordinator sends it to members the leader omitted). */
export function decodeAssignment(bytes: Buffer): { partitions: TopicPartition[]; userData: Buffer | null } {
  const d = decodeAssignmentBytes(bytes);
  return { partitions: flattenTopics(d.assignedPartitions), userData: d.userData === null ? null : Buffer.from(d.userData) };
}
