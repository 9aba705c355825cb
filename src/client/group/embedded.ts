import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import {
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
  ConsumerProtocolSubscriptionVersions,
} from '../../protocol/messages/index.js';
import { flattenTopics, groupByTopic } from './partitions.js';
import type { MemberSubscription, TopicPartition } from './types.js';

/**
 * The "consumer" embedded protocol carried inside JoinGroup metadata and SyncGroup assignments.
 * Both start with an int16 version; a reader that sees a newer version parses what it knows and
 * ignores the rest (fields are only ever appended), as Kafka's ConsumerProtocol does.
 */

/**
 * Subscription version we write: 3, as the Java client 3.x/4.x does. v1 carries the owned
 * partitions (KIP-429, librdkafka reads them), v2 the generation they were owned in, v3 the rack;
 * older readers (kafka-python, kafkajs) read the v0 prefix and ignore the rest.
 */
export const SUBSCRIPTION_VERSION = 3;
/** Java writes assignments at the subscription's version; v0-v3 share one layout. */
export const ASSIGNMENT_VERSION = 3;

export function encodeSubscription(s: {
  topics: readonly string[];
  userData: Uint8Array | null;
  ownedPartitions: readonly TopicPartition[];
  generationId: number;
  rackId: string | null;
}): Buffer {
  const w = new Writer({ initialBytes: 128 });
  w.int16(SUBSCRIPTION_VERSION);
  encodeConsumerProtocolSubscription(w, SUBSCRIPTION_VERSION, {
    // Java sorts the topics; deterministic bytes also keep the coordinator's "metadata changed"
    // check from firing on a mere reordering.
    topics: [...s.topics].sort(),
    userData: s.userData,
    ownedPartitions: groupByTopic(s.ownedPartitions),
    generationId: s.generationId,
    rackId: s.rackId,
  });
  return w.toBuffer();
}

/** Decodes one member's metadata; throws ProtocolError on malformed bytes. */
export function decodeSubscription(memberId: string, groupInstanceId: string | null, bytes: Buffer): MemberSubscription {
  const r = new Reader(bytes);
  const version = r.int16();
  if (version < 0) throw new RangeError(`subscription version ${version} is negative`);
  const decoded = decodeConsumerProtocolSubscription(r, Math.min(version, ConsumerProtocolSubscriptionVersions.max));
  return {
    memberId,
    groupInstanceId,
    topics: decoded.topics,
    userData: decoded.userData === null ? null : Buffer.from(decoded.userData),
    ownedPartitions: flattenTopics(decoded.ownedPartitions),
    generationId: decoded.generationId,
    rackId: decoded.rackId,
  };
}

export function encodeAssignment(partitions: readonly TopicPartition[], userData: Uint8Array | null): Buffer {
  const w = new Writer({ initialBytes: 128 });
  w.int16(ASSIGNMENT_VERSION);
  encodeConsumerProtocolAssignment(w, ASSIGNMENT_VERSION, { assignedPartitions: groupByTopic(partitions), userData });
  return w.toBuffer();
}

/** An empty buffer means "no partitions" (the coordinator fills omitted members with it). */
export function decodeAssignment(bytes: Buffer): { partitions: TopicPartition[]; userData: Buffer | null } {
  if (bytes.length === 0) return { partitions: [], userData: null };
  const r = new Reader(bytes);
  const version = r.int16();
  if (version < 0) throw new RangeError(`assignment version ${version} is negative`);
  const decoded = decodeConsumerProtocolAssignment(r, Math.min(version, 3));
  return {
    partitions: flattenTopics(decoded.assignedPartitions),
    userData: decoded.userData === null ? null : Buffer.from(decoded.userData),
  };
}
