import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import type { TopicPartitionsEntry } from './assignment.js';

/**
 * The durable records of consumer groups (KIP-848), one key per fact as in Kafka's
 * __consumer_offsets (ConsumerGroupMetadata, ConsumerGroupMemberMetadata, ConsumerGroupTargetAssignment
 * Member/Metadata, ConsumerGroupCurrentMemberAssignment, ConsumerGroupRegularExpression). A consumer
 * group has no other state: replaying these rebuilds it exactly, and a null value is a tombstone.
 */
export type ConsumerGroupRecord =
  | ConsumerGroupMetadataRecord
  | ConsumerMemberRecord
  | ConsumerTargetMemberRecord
  | ConsumerTargetEpochRecord
  | ConsumerCurrentAssignmentRecord
  | ConsumerRegexRecord;

/** Partition count of a subscribed topic when the group epoch was last computed. */
export interface SubscribedTopicMetadata {
  readonly topicId: string;
  readonly name: string;
  readonly partitions: number;
}

/** The group epoch and the subscribed topics' metadata it was computed for (Kafka keeps both). */
export interface ConsumerGroupMetadataRecord {
  readonly type: 'consumer-group';
  readonly groupId: string;
  readonly value: { readonly groupEpoch: number; readonly subscribedTopics: readonly SubscribedTopicMetadata[] } | null;
}

/** A member of a consumer group that joined with the classic protocol (JoinGroup/SyncGroup). */
export interface ClassicMemberMetadata {
  readonly sessionTimeoutMs: number;
  /** Its JoinGroup protocols in order of preference: assignor names and subscription bytes. */
  readonly protocols: readonly { readonly name: string; readonly metadata: Buffer }[];
}

/** What a member asked for: its subscription and identity. */
export interface ConsumerMemberValue {
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** Sorted, without duplicates. */
  readonly subscribedTopicNames: readonly string[];
  /** null when the member subscribes by name only. */
  readonly subscribedTopicRegex: string | null;
  readonly serverAssignor: string | null;
  readonly rebalanceTimeoutMs: number;
  readonly classic: ClassicMemberMetadata | null;
}

export interface ConsumerMemberRecord {
  readonly type: 'consumer-member';
  readonly groupId: string;
  readonly memberId: string;
  readonly value: ConsumerMemberValue | null;
}

/** The partitions the assignor wants a member to own (for the assignment epoch). */
export interface ConsumerTargetMemberRecord {
  readonly type: 'consumer-target-member';
  readonly groupId: string;
  readonly memberId: string;
  readonly value: { readonly partitions: readonly TopicPartitionsEntry[] } | null;
}

/** The group epoch the target assignment was computed for. */
export interface ConsumerTargetEpochRecord {
  readonly type: 'consumer-target-epoch';
  readonly groupId: string;
  readonly value: { readonly assignmentEpoch: number } | null;
}

/** Kafka's MemberState: where a member is on its way to the target assignment. */
export type MemberState = 'STABLE' | 'UNREVOKED_PARTITIONS' | 'UNRELEASED_PARTITIONS' | 'UNKNOWN';

/** Where a member is now: its epoch and the partitions it may own, or must give up. */
export interface ConsumerCurrentAssignmentValue {
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: MemberState;
  readonly assigned: readonly TopicPartitionsEntry[];
  readonly pendingRevocation: readonly TopicPartitionsEntry[];
}

export interface ConsumerCurrentAssignmentRecord {
  readonly type: 'consumer-current';
  readonly groupId: string;
  readonly memberId: string;
  readonly value: ConsumerCurrentAssignmentValue | null;
}

/** The topics a subscription regex matched, shared by every member using it. */
export interface ConsumerRegexRecord {
  readonly type: 'consumer-regex';
  readonly groupId: string;
  readonly regex: string;
  readonly value: { readonly topics: readonly string[]; readonly resolvedAtMs: number } | null;
}

// ---- binary encoding (key type bytes 2-7; 0, 1, 8 and 9 are the classic and transactional records)

const KEY_TYPES = {
  'consumer-group': 2,
  'consumer-member': 3,
  'consumer-target-member': 4,
  'consumer-target-epoch': 5,
  'consumer-current': 6,
  'consumer-regex': 7,
} as const;

const STATES: readonly MemberState[] = ['STABLE', 'UNREVOKED_PARTITIONS', 'UNRELEASED_PARTITIONS', 'UNKNOWN'];
const VALUE_VERSION = 0;

export function isConsumerKeyType(type: number): boolean {
  return type >= 2 && type <= 7;
}

export function encodeConsumerRecordKey(record: ConsumerGroupRecord, w: Writer): void {
  w.int8(KEY_TYPES[record.type]).string(record.groupId, false);
  if (record.type === 'consumer-member' || record.type === 'consumer-target-member' || record.type === 'consumer-current') w.string(record.memberId, false);
  if (record.type === 'consumer-regex') w.string(record.regex, false);
}

function writePartitions(w: Writer, entries: readonly TopicPartitionsEntry[]): void {
  w.int32(entries.length);
  for (const e of entries) {
    w.uuid(e.topicId).int32(e.partitions.length);
    for (const p of e.partitions) w.int32(p);
  }
}

function readPartitions(r: Reader): TopicPartitionsEntry[] {
  const out: TopicPartitionsEntry[] = [];
  const topics = checkedCount(r, r.int32());
  for (let i = 0; i < topics; i++) {
    const topicId = r.uuid();
    const n = checkedCount(r, r.int32());
    const partitions: number[] = [];
    for (let j = 0; j < n; j++) partitions.push(r.int32());
    out.push({ topicId, partitions });
  }
  return out;
}

function checkedCount(r: Reader, n: number): number {
  if (n < 0 || n > r.remaining) throw new Error(`bad count ${n} in a consumer group record`);
  return n;
}

export function encodeConsumerRecordValue(record: ConsumerGroupRecord): Buffer | null {
  if (record.value === null) return null;
  const w = new Writer({ initialBytes: 128 });
  w.int16(VALUE_VERSION);
  switch (record.type) {
    case 'consumer-group': {
      const v = record.value!;
      w.int32(v.groupEpoch).int32(v.subscribedTopics.length);
      for (const t of v.subscribedTopics) w.uuid(t.topicId).string(t.name, false).int32(t.partitions);
      break;
    }
    case 'consumer-member': {
      const v = record.value!;
      w.nullableString(v.instanceId, false).nullableString(v.rackId, false).string(v.clientId, false).string(v.clientHost, false);
      w.int32(v.subscribedTopicNames.length);
      for (const t of v.subscribedTopicNames) w.string(t, false);
      w.nullableString(v.subscribedTopicRegex, false).nullableString(v.serverAssignor, false).int32(v.rebalanceTimeoutMs);
      w.bool(v.classic !== null);
      if (v.classic !== null) {
        w.int32(v.classic.sessionTimeoutMs).int32(v.classic.protocols.length);
        for (const p of v.classic.protocols) w.string(p.name, false).bytes(p.metadata, false);
      }
      break;
    }
    case 'consumer-target-member':
      writePartitions(w, record.value!.partitions);
      break;
    case 'consumer-target-epoch':
      w.int32(record.value!.assignmentEpoch);
      break;
    case 'consumer-current': {
      const v = record.value!;
      w.int32(v.memberEpoch).int32(v.previousMemberEpoch).int8(STATES.indexOf(v.state));
      writePartitions(w, v.assigned);
      writePartitions(w, v.pendingRevocation);
      break;
    }
    case 'consumer-regex': {
      const v = record.value!;
      w.int64(v.resolvedAtMs).int32(v.topics.length);
      for (const t of v.topics) w.string(t, false);
      break;
    }
  }
  return w.toBuffer();
}

/** Decodes a record whose key type byte `type` was already read from `key`. */
export function decodeConsumerRecord(type: number, groupId: string, key: Reader, value: Buffer | null): ConsumerGroupRecord {
  const r = value === null ? null : new Reader(value);
  if (r !== null) {
    const version = r.int16();
    if (version !== VALUE_VERSION) throw new Error(`unsupported consumer group record value version ${version}`);
  }
  switch (type) {
    case KEY_TYPES['consumer-group']: {
      if (r === null) return { type: 'consumer-group', groupId, value: null };
      const groupEpoch = r.int32();
      const n = checkedCount(r, r.int32());
      const subscribedTopics: SubscribedTopicMetadata[] = [];
      for (let i = 0; i < n; i++) subscribedTopics.push({ topicId: r.uuid(), name: r.string(false), partitions: r.int32() });
      return { type: 'consumer-group', groupId, value: { groupEpoch, subscribedTopics } };
    }
    case KEY_TYPES['consumer-member']: {
      const memberId = key.string(false);
      return { type: 'consumer-member', groupId, memberId, value: r === null ? null : readMemberValue(r) };
    }
    case KEY_TYPES['consumer-target-member']: {
      const memberId = key.string(false);
      return { type: 'consumer-target-member', groupId, memberId, value: r === null ? null : { partitions: readPartitions(r) } };
    }
    case KEY_TYPES['consumer-target-epoch']:
      return { type: 'consumer-target-epoch', groupId, value: r === null ? null : { assignmentEpoch: r.int32() } };
    case KEY_TYPES['consumer-current']: {
      const memberId = key.string(false);
      if (r === null) return { type: 'consumer-current', groupId, memberId, value: null };
      const memberEpoch = r.int32();
      const previousMemberEpoch = r.int32();
      const state = STATES[r.int8()] ?? 'UNKNOWN';
      return { type: 'consumer-current', groupId, memberId, value: { memberEpoch, previousMemberEpoch, state, assigned: readPartitions(r), pendingRevocation: readPartitions(r) } };
    }
    case KEY_TYPES['consumer-regex']: {
      const regex = key.string(false);
      if (r === null) return { type: 'consumer-regex', groupId, regex, value: null };
      const resolvedAtMs = r.int64();
      const n = checkedCount(r, r.int32());
      const topics: string[] = [];
      for (let i = 0; i < n; i++) topics.push(r.string(false));
      return { type: 'consumer-regex', groupId, regex, value: { topics, resolvedAtMs } };
    }
  }
  throw new Error(`unknown consumer group record key type ${type}`);
}

function readMemberValue(r: Reader): ConsumerMemberValue {
  const instanceId = r.nullableString(false);
  const rackId = r.nullableString(false);
  const clientId = r.string(false);
  const clientHost = r.string(false);
  const n = checkedCount(r, r.int32());
  const subscribedTopicNames: string[] = [];
  for (let i = 0; i < n; i++) subscribedTopicNames.push(r.string(false));
  const subscribedTopicRegex = r.nullableString(false);
  const serverAssignor = r.nullableString(false);
  const rebalanceTimeoutMs = r.int32();
  let classic: ClassicMemberMetadata | null = null;
  if (r.bool()) {
    const sessionTimeoutMs = r.int32();
    const count = checkedCount(r, r.int32());
    const protocols: { name: string; metadata: Buffer }[] = [];
    for (let i = 0; i < count; i++) protocols.push({ name: r.string(false), metadata: Buffer.from(r.bytes(false)) });
    classic = { sessionTimeoutMs, protocols };
  }
  return { instanceId, rackId, clientId, clientHost, subscribedTopicNames, subscribedTopicRegex, serverAssignor, rebalanceTimeoutMs, classic };
}
