import { Reader } from './reader.js';
import { Writer } from './writer.js';
import { ProtocolError } from './protocol-error.js';
import {
  type ConsumerProtocolSubscription,
  type ConsumerProtocolSubscriptionInit,
  ConsumerProtocolSubscriptionVersions,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
} from './messages/consumer-protocol-subscription.js';
import {
  type ConsumerProtocolAssignment,
  type ConsumerProtocolAssignmentInit,
  ConsumerProtocolAssignmentVersions,
  decodeConsumerProtocolAssignment,
  encodeConsumerProtocolAssignment,
} from './messages/consumer-protocol-assignment.js';

/**
 * The "consumer" embedded protocol: the bytes a member puts in JoinGroup `protocols[].metadata`
 * (its Subscription) and the bytes the leader hands out through SyncGroup (each member's
 * Assignment). Both are classic (never flexible) encodings behind an int16 version.
 *
 * Compatibility rules (Kafka's ConsumerProtocol): fields are only ever appended, so a reader that
 * meets a newer version parses it with the newest schema it knows and ignores the bytes after;
 * userData may be null or empty; an empty (0-byte) assignment means no partitions (the coordinator
 * sends it to members the leader left out). Seen in the wild: subscription v0 (kafkajs,
 * kafka-python), v1 (librdkafka, with empty userData and ownedPartitions), v3 (Java).
 *
 * Decoded byte fields (userData) are views into the input: copy them to keep them.
 */

/** A decoded subscription and the version it was written in (GenerationId exists from v2). */
export interface DecodedSubscription extends ConsumerProtocolSubscription {
  version: number;
}

/** A decoded assignment and the version it was written in. */
export interface DecodedAssignment extends ConsumerProtocolAssignment {
  version: number;
}

export type SubscriptionInit = ConsumerProtocolSubscriptionInit;
export type AssignmentInit = ConsumerProtocolAssignmentInit;

export const SUBSCRIPTION_MAX_VERSION = ConsumerProtocolSubscriptionVersions.max;
export const ASSIGNMENT_MAX_VERSION = ConsumerProtocolAssignmentVersions.max;

function checkEncodeVersion(kind: string, version: number, max: number): void {
  if (!Number.isInteger(version) || version < 0 || version > max) {
    throw new RangeError(`${kind} version ${version} is outside 0..${max}`);
  }
}

/** Reads the leading int16 version; a negative one is corrupt. */
function readVersion(r: Reader, kind: string): number {
  const version = r.int16();
  if (version < 0) throw new ProtocolError(`${kind}: negative version ${version}`);
  return version;
}

export function encodeSubscription(sub: SubscriptionInit, version: number): Buffer {
  checkEncodeVersion('subscription', version, SUBSCRIPTION_MAX_VERSION);
  const w = new Writer();
  w.int16(version);
  encodeConsumerProtocolSubscription(w, version, sub);
  return w.toBuffer();
}

export function decodeSubscription(buf: Buffer): DecodedSubscription {
  const r = new Reader(buf);
  const version = readVersion(r, 'subscription');
  // Newer versions only append fields: read what we know, leave the rest.
  const sub = decodeConsumerProtocolSubscription(r, Math.min(version, SUBSCRIPTION_MAX_VERSION));
  return { version, ...sub };
}

export function encodeAssignment(a: AssignmentInit, version: number): Buffer {
  checkEncodeVersion('assignment', version, ASSIGNMENT_MAX_VERSION);
  const w = new Writer();
  w.int16(version);
  encodeConsumerProtocolAssignment(w, version, a);
  return w.toBuffer();
}

export function decodeAssignment(buf: Buffer): DecodedAssignment {
  if (buf.length === 0) return { version: 0, assignedPartitions: [], userData: null };
  const r = new Reader(buf);
  const version = readVersion(r, 'assignment');
  const assignment = decodeConsumerProtocolAssignment(r, Math.min(version, ASSIGNMENT_MAX_VERSION));
  return { version, ...assignment };
}
