import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import {
  decodeConsumerRecord,
  encodeConsumerRecordKey,
  encodeConsumerRecordValue,
  isConsumerKeyType,
  type ConsumerGroupRecord,
} from './consumer/records.js';

/**
 * The coordinator's durable records. Group metadata and committed offsets change only by
 * applying one of these (`GroupCoordinator.replay`), both in normal operation and when the
 * broker restarts and replays its internal log. A null value is a tombstone, as in Kafka's
 * compacted `__consumer_offsets`: the latest record for a key wins.
 */
export type CoordinatorRecord = GroupMetadataRecord | OffsetCommitRecord | TxnOffsetCommitRecord | TxnOffsetMarkerRecord | ConsumerGroupRecord;

/** The records of classic groups and offsets, transactional ones included (the others belong to consumer groups). */
export type ClassicCoordinatorRecord = GroupMetadataRecord | OffsetCommitRecord | TxnOffsetCommitRecord | TxnOffsetMarkerRecord;

export function isClassicRecord(record: CoordinatorRecord): record is ClassicCoordinatorRecord {
  return record.type === 'group-metadata' || record.type === 'offset-commit' || record.type === 'txn-offset-commit' || record.type === 'txn-offset-marker';
}

export interface GroupMetadataRecord {
  readonly type: 'group-metadata';
  readonly groupId: string;
  /** null deletes the group's metadata (DeleteGroups, expiry of an empty group). */
  readonly value: GroupMetadataValue | null;
}

/**
 * A snapshot of a classic group at a point where Kafka persists it: when a generation's
 * assignment is stored (leader's SyncGroup), when the group becomes Empty, and when a static
 * member is replaced without a rebalance. Kafka's GroupMetadataValue carries the same fields.
 */
export interface GroupMetadataValue {
  /** "" for a group without one (never happens for a group with members). */
  readonly protocolType: string;
  readonly generationId: number;
  /** The selected assignor; null when the group is Empty. */
  readonly protocolName: string | null;
  readonly leaderId: string | null;
  /** When the group entered its current state; offsets of an Empty group expire from it. */
  readonly currentStateTimestampMs: number;
  readonly members: readonly GroupMemberValue[];
}

export interface GroupMemberValue {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  /** The member's metadata for the selected protocol (its subscription, for consumers). */
  readonly subscription: Buffer;
  readonly assignment: Buffer;
}

export interface OffsetCommitRecord {
  readonly type: 'offset-commit';
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** null deletes the committed offset (OffsetDelete, DeleteGroups, retention). */
  readonly value: OffsetCommitValue | null;
}

export interface OffsetCommitValue {
  readonly offset: number;
  /** -1 when the client sent none. */
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestampMs: number;
  /** OffsetCommit v2-v4 RetentionTimeMs: an explicit expiry time; -1 = use the broker's retention. */
  readonly expireTimestampMs: number;
}

/**
 * An offset committed inside a transaction (TxnOffsetCommit): pending, invisible to OffsetFetch,
 * until the transaction's outcome arrives (Kafka keeps these in `__consumer_offsets` as
 * transactional records and resolves them with the transaction marker).
 */
export interface TxnOffsetCommitRecord {
  readonly type: 'txn-offset-commit';
  readonly groupId: string;
  readonly producerId: number;
  readonly topic: string;
  readonly partition: number;
  readonly value: OffsetCommitValue;
}

/** The outcome of a producer's transaction for this group's pending offsets (Kafka's end marker). */
export interface TxnOffsetMarkerRecord {
  readonly type: 'txn-offset-marker';
  readonly groupId: string;
  readonly producerId: number;
  readonly committed: boolean;
}

// ---- binary encoding ---------------------------------------------------------------------------
// Keys identify what a record replaces (compaction keeps the latest value per key); both start with
// a type byte and a version so the format can grow. Only classic (non-compact) encodings are used.

const KEY_GROUP_METADATA = 0;
const KEY_OFFSET_COMMIT = 1;
// 2-7 are consumer group (KIP-848) records, see consumer/records.ts.
const KEY_TXN_OFFSET_COMMIT = 8;
const KEY_TXN_OFFSET_MARKER = 9;
const VALUE_VERSION = 0;

export function encodeRecordKey(record: CoordinatorRecord): Buffer {
  const w = new Writer({ initialBytes: 64 });
  if (!isClassicRecord(record)) {
    encodeConsumerRecordKey(record, w);
  } else if (record.type === 'group-metadata') {
    w.int8(KEY_GROUP_METADATA).string(record.groupId, false);
  } else if (record.type === 'offset-commit') {
    w.int8(KEY_OFFSET_COMMIT).string(record.groupId, false).string(record.topic, false).int32(record.partition);
  } else if (record.type === 'txn-offset-commit') {
    w.int8(KEY_TXN_OFFSET_COMMIT).string(record.groupId, false).int64(record.producerId).string(record.topic, false).int32(record.partition);
  } else {
    w.int8(KEY_TXN_OFFSET_MARKER).string(record.groupId, false).int64(record.producerId);
  }
  return w.toBuffer();
}

/** The value bytes, or null for a tombstone. */
export function encodeRecordValue(record: CoordinatorRecord): Buffer | null {
  if (!isClassicRecord(record)) return record.value === null ? null : encodeConsumerRecordValue(record);
  if (record.type !== 'txn-offset-marker' && record.value === null) return null;
  const w = new Writer({ initialBytes: 128 });
  w.int16(VALUE_VERSION);
  if (record.type === 'txn-offset-marker') {
    w.bool(record.committed);
  } else if (record.type === 'group-metadata') {
    const v = record.value as GroupMetadataValue;
    w.string(v.protocolType, false)
      .int32(v.generationId)
      .nullableString(v.protocolName, false)
      .nullableString(v.leaderId, false)
      .int64(v.currentStateTimestampMs)
      .int32(v.members.length);
    for (const m of v.members) {
      w.string(m.memberId, false)
        .nullableString(m.groupInstanceId, false)
        .string(m.clientId, false)
        .string(m.clientHost, false)
        .int32(m.rebalanceTimeoutMs)
        .int32(m.sessionTimeoutMs)
        .bytes(m.subscription, false)
        .bytes(m.assignment, false);
    }
  } else {
    const v = record.value as OffsetCommitValue;
    w.int64(v.offset).int32(v.leaderEpoch).string(v.metadata, false).int64(v.commitTimestampMs).int64(v.expireTimestampMs);
  }
  return w.toBuffer();
}

/** Decodes a key and value written by the functions above. Throws on anything else. */
export function decodeRecord(key: Buffer, value: Buffer | null): CoordinatorRecord {
  const k = new Reader(key);
  const type = k.int8();
  const groupId = k.string(false);
  if (type === KEY_GROUP_METADATA) {
    return { type: 'group-metadata', groupId, value: value === null ? null : decodeGroupMetadataValue(value) };
  }
  if (type === KEY_OFFSET_COMMIT) {
    const topic = k.string(false);
    const partition = k.int32();
    return { type: 'offset-commit', groupId, topic, partition, value: value === null ? null : decodeOffsetCommitValue(value) };
  }
  if (isConsumerKeyType(type)) return decodeConsumerRecord(type, groupId, k, value);
  if (type === KEY_TXN_OFFSET_COMMIT || type === KEY_TXN_OFFSET_MARKER) {
    const producerId = k.int64();
    if (value === null) throw new Error(`coordinator record of key type ${type} without a value`);
    if (type === KEY_TXN_OFFSET_MARKER) {
      const r = new Reader(value);
      readVersion(r);
      return { type: 'txn-offset-marker', groupId, producerId, committed: r.bool() };
    }
    return { type: 'txn-offset-commit', groupId, producerId, topic: k.string(false), partition: k.int32(), value: decodeOffsetCommitValue(value) };
  }
  throw new Error(`unknown coordinator record key type ${type}`);
}

function readVersion(r: Reader): void {
  const version = r.int16();
  if (version !== VALUE_VERSION) throw new Error(`unsupported coordinator record value version ${version}`);
}

function decodeGroupMetadataValue(value: Buffer): GroupMetadataValue {
  const r = new Reader(value);
  readVersion(r);
  const protocolType = r.string(false);
  const generationId = r.int32();
  const protocolName = r.nullableString(false);
  const leaderId = r.nullableString(false);
  const currentStateTimestampMs = r.int64();
  const count = r.int32();
  if (count < 0 || count > r.remaining) throw new Error(`bad member count ${count}`);
  const members: GroupMemberValue[] = [];
  for (let i = 0; i < count; i++) {
    members.push({
      memberId: r.string(false),
      groupInstanceId: r.nullableString(false),
      clientId: r.string(false),
      clientHost: r.string(false),
      rebalanceTimeoutMs: r.int32(),
      sessionTimeoutMs: r.int32(),
      subscription: Buffer.from(r.bytes(false)),
      assignment: Buffer.from(r.bytes(false)),
    });
  }
  return { protocolType, generationId, protocolName, leaderId, currentStateTimestampMs, members };
}

function decodeOffsetCommitValue(value: Buffer): OffsetCommitValue {
  const r = new Reader(value);
  readVersion(r);
  return {
    offset: r.int64(),
    leaderEpoch: r.int32(),
    metadata: r.string(false),
    commitTimestampMs: r.int64(),
    expireTimestampMs: r.int64(),
  };
}
