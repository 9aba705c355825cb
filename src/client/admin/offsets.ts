import { ErrorCode } from '../../protocol/errors.js';
import type { OffsetFetchResponse } from '../../protocol/messages/09-offset-fetch.js';
import { KafkaConfigError, KafkaError } from '../errors.js';
import type { Cluster } from '../net/cluster.js';
import { assertGroupInactive, coordinatorsOf, describeGroups, forgetCoordinators } from './groups.js';
import { groupBy, retryItems, type ItemOutcome } from './retry-items.js';
import type { CommittedOffset, OffsetSpec, PartitionLag, PartitionOffset } from './types.js';

/** ListOffsets' special timestamps. */
const SPEC_TIMESTAMPS = { latest: -1, earliest: -2, 'max-timestamp': -3 } as const;

function specTimestamp(spec: OffsetSpec): number {
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 0) throw new KafkaConfigError(`an offset timestamp must be a non-negative integer (ms), got ${spec}`);
    return spec;
  }
  const t = SPEC_TIMESTAMPS[spec];
  if (t === undefined) throw new KafkaConfigError(`offset spec must be 'earliest', 'latest', 'max-timestamp' or a timestamp, got ${JSON.stringify(spec)}`);
  return t;
}

interface TopicPartitionSpec {
  topic: string;
  partition: number;
  timestamp: number;
}

const tpKey = (x: { topic: string; partition: number }) => `${x.partition}:${x.topic}`;

/**
 * ListOffsets for many partitions: one request per partition leader, NOT_LEADER_OR_FOLLOWER and
 * friends answered by a metadata refresh and a retry of just those partitions.
 */
export async function listOffsetsFor(cluster: Cluster, specs: TopicPartitionSpec[]): Promise<Map<string, PartitionOffset>> {
  const topics = [...new Set(specs.map((s) => s.topic))];
  await cluster.metadata({ topics });
  const results = await retryItems<TopicPartitionSpec, PartitionOffset>(cluster, specs, tpKey, async (pending) => {
    const out = new Map<string, ItemOutcome<PartitionOffset>>();
    const leaders = await Promise.all(pending.map((s) => cluster.leaderFor(s.topic, s.partition)));
    const byLeader = groupBy(pending.map((s, i) => ({ ...s, leader: leaders[i]! })), (s) => s.leader);
    await Promise.all([...byLeader].map(async ([leader, list]) => {
      const byTopic = new Map<string, TopicPartitionSpec[]>();
      for (const s of list) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s]);
      const { response } = await cluster.request(leader, 2, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps.map((p) => ({ partitionIndex: p.partition, timestamp: p.timestamp })) })),
      }, { minVersion: specs.some((s) => s.timestamp === -3) ? 7 : undefined });
      for (const t of response.topics) {
        for (const p of t.partitions) {
          out.set(tpKey({ topic: t.name, partition: p.partitionIndex }), { code: p.errorCode, result: { partition: p.partitionIndex, offset: p.offset, timestamp: p.timestamp, leaderEpoch: p.leaderEpoch } });
        }
      }
    }));
    return out;
  }, (s) => ({ api: 'ListOffsets', topic: s.topic, partition: s.partition }), async (_codes, items) => {
    for (const t of new Set(items.map((i) => i.topic))) cluster.invalidateTopic(t);
    await cluster.refreshMetadata([...new Set(items.map((i) => i.topic))]);
  });
  return new Map(specs.map((s, i) => [tpKey(s), results[i]!]));
}

/** Offsets of a topic's partitions (all by default) at `spec`. */
export async function listOffsets(cluster: Cluster, o: { topic: string; partitions?: number[]; timestamp?: OffsetSpec }): Promise<PartitionOffset[]> {
  const timestamp = specTimestamp(o.timestamp ?? 'latest');
  const partitions = o.partitions ?? range(await cluster.partitionCount(o.topic));
  const map = await listOffsetsFor(cluster, partitions.map((partition) => ({ topic: o.topic, partition, timestamp })));
  return partitions.map((partition) => map.get(tpKey({ topic: o.topic, partition }))!);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Committed offsets of several groups (OffsetFetch to each group's coordinator; one request per
 * coordinator from v8, which batches groups). `topics` limits the answer; by default every topic
 * the group committed for.
 */
export async function fetchOffsetsForGroups(cluster: Cluster, groupIds: string[], topics?: Array<{ topic: string; partitions?: number[] }>): Promise<Map<string, CommittedOffset[]>> {
  const resolved = topics === undefined ? null : await Promise.all(topics.map(async (t) => ({
    name: t.topic, partitionIndexes: t.partitions ?? range(await cluster.partitionCount(t.topic)),
  })));
  const results = await retryItems<string, CommittedOffset[]>(cluster, groupIds, (g) => g, async (pending) => {
    const out = new Map<string, ItemOutcome<CommittedOffset[]>>();
    const byNode = await coordinatorsOf(cluster, pending);
    await Promise.all([...byNode].map(async ([nodeId, list]) => {
      const batched = (await cluster.versionFor(nodeId, 9)) >= 8;
      const requests = batched ? [list] : list.map((g) => [g]);
      await Promise.all(requests.map(async (groups) => {
        const { version, response } = await cluster.request(nodeId, 9, (v) => v >= 8
          ? { groups: groups.map((groupId) => ({ groupId, topics: resolved })), requireStable: true }
          : { groupId: groups[0]!, topics: resolved, requireStable: true },
        // A null topic list (every topic) needs v2+.
        { minVersion: resolved === null ? 2 : undefined });
        for (const [groupId, outcome] of readOffsetFetch(response, version, groups[0]!)) out.set(groupId, outcome);
      }));
    }));
    return out;
  }, (g) => ({ api: 'OffsetFetch', groupId: g }), forgetCoordinators(cluster));
  await fillPendingOffsets(cluster, groupIds, results);
  return new Map(groupIds.map((g, i) => [g, results[i]!]));
}

/** The stable committed offsets of partitions whose transactional offset is pending (RequireStable off). */
async function fillPendingOffsets(cluster: Cluster, groupIds: string[], results: CommittedOffset[][]): Promise<void> {
  await Promise.all(groupIds.map(async (groupId, i) => {
    const pending = results[i]!.filter((c) => c.pendingTransaction === true);
    if (pending.length === 0) return;
    const topics = [...new Set(pending.map((c) => c.topic))].map((name) => ({ name, partitionIndexes: pending.filter((c) => c.topic === name).map((c) => c.partition) }));
    const { version, response } = await cluster.request({ coordinator: groupId }, 9, (v) => v >= 8 ? { groups: [{ groupId, topics }], requireStable: false } : { groupId, topics, requireStable: false });
    const answer = version >= 8 ? response.groups[0]?.topics ?? [] : response.topics ?? [];
    for (const t of answer) for (const p of t.partitions) {
      const c = pending.find((x) => x.topic === t.name && x.partition === p.partitionIndex);
      if (c !== undefined && p.errorCode === ErrorCode.NONE) Object.assign(c, { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.metadata });
    }
  }));
}

function readOffsetFetch(res: OffsetFetchResponse, version: number, singleGroup: string): Array<[string, ItemOutcome<CommittedOffset[]>]> {
  const groups = version >= 8 ? res.groups : [{ groupId: singleGroup, errorCode: res.errorCode, topics: res.topics }];
  return groups.map((g) => {
    let code = g.errorCode;
    const offsets: CommittedOffset[] = [];
    for (const t of g.topics) {
      for (const p of t.partitions) {
        // UNSTABLE_OFFSET_COMMIT: a transaction's offset for the partition is pending (KIP-447).
        // Not an error here: the offset is marked, and its stable value read without RequireStable.
        const pending = p.errorCode === ErrorCode.UNSTABLE_OFFSET_COMMIT;
        if (p.errorCode !== ErrorCode.NONE && !pending && code === ErrorCode.NONE) code = p.errorCode;
        const offset: CommittedOffset = { topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.metadata };
        if (pending) offset.pendingTransaction = true;
        offsets.push(offset);
      }
    }
    offsets.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    return [g.groupId, { code, result: offsets }];
  });
}

export interface AlterOffsetsOptions {
  groupId: string;
  topic: string;
  partitions: Array<{ partition: number; offset: number; metadata?: string | null }>;
}

/**
 * Sets committed offsets of a group that has no members: OffsetCommit with generation -1 and an
 * empty member id, as kafka-consumer-groups --reset-offsets does. A group with members is refused.
 */
export async function alterOffsets(cluster: Cluster, o: AlterOffsetsOptions): Promise<void> {
  await assertGroupInactive(cluster, o.groupId);
  await retryItems<AlterOffsetsOptions['partitions'][number], null>(cluster, o.partitions, (p) => String(p.partition), async (pending) => {
    const nodeId = await cluster.coordinator(o.groupId);
    const { response } = await cluster.request(nodeId, 8, {
      groupId: o.groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [{ name: o.topic, partitions: pending.map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedMetadata: p.metadata ?? '' })) }],
    });
    const out = new Map<string, ItemOutcome<null>>();
    for (const t of response.topics) for (const p of t.partitions) out.set(String(p.partitionIndex), { code: p.errorCode, result: null });
    return out;
  }, (p) => ({ api: 'OffsetCommit', groupId: o.groupId, topic: o.topic, partition: p.partition }), () => cluster.invalidateCoordinator(o.groupId));
}

/** Moves an inactive group's offsets for a topic to earliest, latest or a timestamp. */
export async function resetOffsets(cluster: Cluster, o: { groupId: string; topic: string; partitions?: number[]; to: OffsetSpec }): Promise<PartitionOffset[]> {
  const offsets = await listOffsets(cluster, { topic: o.topic, partitions: o.partitions, timestamp: o.to });
  // A timestamp past the last record finds nothing (-1): such partitions go to the log end.
  const missing = offsets.filter((p) => p.offset < 0).map((p) => p.partition);
  const ends = missing.length > 0 ? await listOffsets(cluster, { topic: o.topic, partitions: missing, timestamp: 'latest' }) : [];
  const endOf = new Map(ends.map((e) => [e.partition, e.offset]));
  const target = offsets.map((p) => (p.offset < 0 ? { ...p, offset: endOf.get(p.partition)! } : p));
  await alterOffsets(cluster, { groupId: o.groupId, topic: o.topic, partitions: target.map((p) => ({ partition: p.partition, offset: p.offset })) });
  return target;
}

/** Deletes a group's committed offsets for a topic (OffsetDelete, KIP-496). */
export async function deleteOffsets(cluster: Cluster, o: { groupId: string; topic: string; partitions?: number[] }): Promise<void> {
  const partitions = o.partitions ?? range(await cluster.partitionCount(o.topic));
  await retryItems<number, null>(cluster, partitions, String, async (pending) => {
    const nodeId = await cluster.coordinator(o.groupId);
    const { response } = await cluster.request(nodeId, 47, { groupId: o.groupId, topics: [{ name: o.topic, partitions: pending.map((partitionIndex) => ({ partitionIndex })) }] });
    const out = new Map<string, ItemOutcome<null>>();
    for (const p of pending) out.set(String(p), { code: response.errorCode, result: null });
    if (response.errorCode === ErrorCode.NONE) {
      for (const t of response.topics) for (const p of t.partitions) out.set(String(p.partitionIndex), { code: p.errorCode, result: null });
    }
    return out;
  }, (p) => ({ api: 'OffsetDelete', groupId: o.groupId, topic: o.topic, partition: p }), () => cluster.invalidateCoordinator(o.groupId));
}

/**
 * Per partition of every topic the group committed for or is assigned (or of `topics` only):
 * committed offset, log start and end offsets, lag and current owner. Standard flows only (FindCoordinator ->
 * OffsetFetch and DescribeGroups; ListOffsets to the leaders), so it works against any Kafka.
 */
export async function lag(cluster: Cluster, groupId: string, o: { topics?: string[] } = {}): Promise<PartitionLag[]> {
  const only = o.topics?.map((topic) => ({ topic }));
  const [committed, description] = await Promise.all([
    fetchOffsetsForGroups(cluster, [groupId], only).then((m) => m.get(groupId)!.filter((c) => c.offset >= 0 || c.pendingTransaction === true || only !== undefined)),
    describeGroups(cluster, [groupId]).then((d) => d[0]!, (err) => {
      if (err instanceof KafkaError && err.code === ErrorCode.UNSUPPORTED_VERSION) return null; // owners unknown
      throw err;
    }),
  ]);
  const owners = new Map<string, PartitionLag['owner']>();
  for (const m of description?.members ?? []) {
    for (const tp of m.assignment ?? []) {
      for (const p of tp.partitions) owners.set(tpKey({ topic: tp.topic, partition: p }), { memberId: m.memberId, clientId: m.clientId, host: m.clientHost, groupInstanceId: m.groupInstanceId });
    }
  }
  const topics = new Set(o.topics ?? committed.map((c) => c.topic));
  if (o.topics === undefined) for (const m of description?.members ?? []) for (const tp of m.assignment ?? []) topics.add(tp.topic);
  const partitions: Array<{ topic: string; partition: number }> = [];
  for (const topic of [...topics].sort()) {
    const count = await cluster.partitionCount(topic);
    for (let p = 0; p < count; p++) partitions.push({ topic, partition: p });
  }
  const [starts, ends] = await Promise.all([
    listOffsetsFor(cluster, partitions.map((p) => ({ ...p, timestamp: SPEC_TIMESTAMPS.earliest }))),
    listOffsetsFor(cluster, partitions.map((p) => ({ ...p, timestamp: SPEC_TIMESTAMPS.latest }))),
  ]);
  const committedOf = new Map(committed.map((c) => [tpKey(c), c.offset]));
  const pendingOf = new Set(committed.filter((c) => c.pendingTransaction === true).map((c) => tpKey(c)));
  return partitions.map((p) => {
    const key = tpKey(p);
    const committedOffset = committedOf.get(key) ?? -1;
    const logEndOffset = ends.get(key)!.offset;
    return {
      topic: p.topic, partition: p.partition, committedOffset,
      logStartOffset: starts.get(key)!.offset, logEndOffset,
      lag: committedOffset < 0 ? null : Math.max(0, logEndOffset - committedOffset),
      owner: owners.get(key) ?? null,
      pendingTransaction: pendingOf.has(key),
    };
  });
}
