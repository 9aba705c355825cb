import type { Admin } from '../../client/admin/index.js';
import type { GroupDescription } from '../../client/admin/types.js';
import { assignmentRecord, type TimelineEntry } from '../../common/timeline/index.js';
import { describeGroupsIfSupported, groupLag } from '../lag/cluster-reads.js';
import { recordsAt, recordTimestamps } from '../lag/records-at.js';
import type { ClusterSnapshot } from '../snapshot-types.js';
import { InferredTimeline } from '../timeline/inferred.js';
import { hotShare } from './skew.js';
import type { DoctorInput, DoctorSample, MemberSample, PartitionEndFacts } from './types.js';

export interface WatchGroupOptions {
  readonly admin: Admin;
  readonly groupId: string;
  readonly windowMs: number;
  readonly intervalMs: number;
  /** The clock and the wait between samples (injectable for tests). */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * The group's exact rebalance history, from a Samsa broker (its HTTP API or, in process, its
   * timeline): read once at the end of the window. Without it the timeline is inferred from the
   * samples (DescribeGroups), which sees neither generations nor why members left.
   */
  readonly exactTimeline?: () => Promise<readonly TimelineEntry[]>;
  /** How far back the exact history is considered (default one hour). */
  readonly historyMs?: number;
  /** Called with the first sample's raw answers; may throw to stop (an unknown group). */
  readonly onFirstSample?: (description: GroupDescription | null, committedPartitions: number) => void;
  /** Called after each sample (progress). */
  readonly onSample?: (taken: number, expected: number) => void;
}

export const DEFAULT_HISTORY_MS = 3_600_000;

/**
 * Watches a group for a window through the admin client only (DescribeGroups or
 * ConsumerGroupDescribe, OffsetFetch, ListOffsets earliest/latest, Metadata), so it works against
 * any Kafka-compatible cluster; then, once, reads what the analysis needs about the end of the
 * window: topic retention (DescribeConfigs), the offset retention reaches (ListOffsets by
 * timestamp), the age of the oldest unconsumed record and the keys of a hot partition (Fetch).
 */
export async function watchGroup(o: WatchGroupOptions): Promise<DoctorInput> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const expected = Math.max(2, Math.floor(o.windowMs / o.intervalMs) + 1);
  const notes: string[] = [];
  const samples: DoctorSample[] = [];
  const inferred = new InferredTimeline();
  const startMs = now();
  let describeSupported = true;
  for (let i = 0; i < expected; i++) {
    // Aim at fixed times from the start, so a slow sample does not stretch the window.
    if (i > 0) await sleep(Math.max(0, startMs + i * o.intervalMs - now()));
    const description = describeSupported ? ((await describeGroupsIfSupported(o.admin, [o.groupId]))?.get(o.groupId) ?? null) : null;
    if (i === 0 && description === null) {
      describeSupported = false;
      notes.push('the cluster does not implement DescribeGroups (API 15): members, owners and the rebalance timeline are unknown');
    }
    const lags = await groupLag(o.admin, o.groupId, describeSupported);
    if (i === 0) o.onFirstSample?.(description, lags.filter((p) => p.committedOffset >= 0).length);
    const sample = toSample(now(), description, lags);
    samples.push(sample);
    if (description !== null) inferred.observe(snapshotForTimeline(o.groupId, sample, description));
    o.onSample?.(i + 1, expected);
  }
  const endMs = samples[samples.length - 1]!.atMs;
  let timeline: DoctorInput['timeline'] = describeSupported ? { source: 'inferred', entries: inferred.history(o.groupId), sinceMs: startMs } : null;
  if (o.exactTimeline !== undefined) {
    try {
      const entries = await o.exactTimeline();
      // Judge rates over the history there is: the group (or what the broker kept of it) may be younger than --history.
      const knownFromMs = Math.min(startMs, entries[0]?.startedAtMs ?? startMs);
      timeline = { source: 'coordinator', entries, sinceMs: Math.max(endMs - (o.historyMs ?? DEFAULT_HISTORY_MS), knownFromMs) };
    } catch (err) {
      notes.push(`the broker's exact rebalance history could not be read (${(err as Error).message}); the timeline is inferred from the window`);
    }
  }
  const topics = await retentionOf(o.admin, [...new Set(samples.flatMap((s) => s.partitions.map((p) => p.topic)))], notes);
  const endFacts = await readEndFacts(o.admin, samples, topics, endMs, notes);
  return { groupId: o.groupId, samples, nowMs: endMs, sampleIntervalMs: o.intervalMs, timeline, topics, endFacts, notes };
}

function toSample(atMs: number, description: GroupDescription | null, lags: Awaited<ReturnType<typeof groupLag>>): DoctorSample {
  const members: MemberSample[] | null = description === null ? null : description.members.map((m) => ({
    memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, groupInstanceId: m.groupInstanceId, assignment: assignmentRecord(m.assignment),
  }));
  return {
    atMs,
    state: description?.state ?? null,
    protocol: description === null || description.protocol === '' ? null : description.protocol,
    members,
    partitions: lags.map((p) => ({
      topic: p.topic, partition: p.partition, logStartOffset: p.logStartOffset, logEndOffset: p.logEndOffset,
      committedOffset: p.committedOffset < 0 ? null : p.committedOffset, owner: p.owner?.memberId ?? null,
    })),
  };
}

/** The little of a cluster snapshot the inferred timeline reads: the group's members and its topics' partition counts. */
function snapshotForTimeline(groupId: string, sample: DoctorSample, d: GroupDescription): ClusterSnapshot {
  const counts = new Map<string, number>();
  for (const p of sample.partitions) counts.set(p.topic, Math.max(counts.get(p.topic) ?? 0, p.partition + 1));
  return {
    atMs: sample.atMs, pollMs: 0, clusterId: null, controllerId: -1, brokers: [], notes: [], timelineSource: 'inferred',
    topics: [...counts].map(([name, n]) => ({ name, isInternal: false, replicationFactor: 0, cleanupPolicy: null, partitions: Array.from({ length: n }, (_, partition) => ({ partition, leader: -1, logStartOffset: 0, logEndOffset: 0, sizeBytes: null, produceRate: null })) })),
    groups: [{
      groupId, state: d.state, protocolType: d.protocolType, type: d.type ?? null, protocol: d.protocol || null, coordinatorId: null, generationId: null,
      members: d.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost, assignment: assignmentRecord(m.assignment), subscription: m.subscription })),
      partitions: [], totalLag: 0, maxLagSeconds: null, status: 'OK',
    }],
  };
}

/** retention.ms per topic (null: -1, infinite, or not readable). */
async function retentionOf(admin: Admin, topics: string[], notes: string[]): Promise<DoctorInput['topics']> {
  const out: Record<string, { retentionMs: number | null }> = Object.fromEntries(topics.map((t) => [t, { retentionMs: null }]));
  if (topics.length === 0) return out;
  try {
    for (const r of await admin.describeConfigs({ resources: topics.map((name) => ({ type: 'topic' as const, name })) })) {
      const v = Number(r.configs.find((c) => c.name === 'retention.ms')?.value ?? NaN);
      out[r.name] = { retentionMs: Number.isFinite(v) && v > 0 ? v : null };
    }
  } catch (err) {
    notes.push(`topic retention could not be read (DescribeConfigs: ${(err as Error).message}): only records already deleted are judged`);
  }
  return out;
}

async function readEndFacts(admin: Admin, samples: readonly DoctorSample[], topics: DoctorInput['topics'], endMs: number, notes: string[]): Promise<PartitionEndFacts[]> {
  const last = samples[samples.length - 1]!;
  const lagging = last.partitions.filter((p) => p.committedOffset !== null && p.logEndOffset > p.committedOffset);
  const oldest = await recordTimestamps(admin.cluster, lagging.map((p) => ({ topic: p.topic, partition: p.partition, offset: Math.max(p.committedOffset!, p.logStartOffset) })));
  const horizons = new Map<string, number>();
  for (const [topic, { retentionMs }] of Object.entries(topics)) {
    if (retentionMs === null) continue;
    try {
      for (const p of await admin.listOffsets({ topic, timestamp: endMs - retentionMs })) horizons.set(`${topic}:${p.partition}`, p.offset < 0 ? Number.MAX_SAFE_INTEGER : p.offset);
    } catch (err) {
      notes.push(`ListOffsets by timestamp failed for ${topic} (${(err as Error).message})`);
    }
  }
  const keys = await hotPartitionKeys(admin, samples);
  return last.partitions.map((p) => {
    const k = `${p.topic}:${p.partition}`;
    const horizon = horizons.get(k);
    return {
      topic: p.topic,
      partition: p.partition,
      oldestUnconsumedTimestampMs: oldest.get(k) ?? null,
      // A timestamp past every record (-1) means every record is older than retention: the whole log.
      retentionHorizonOffset: horizon === undefined ? null : Math.min(horizon, p.logEndOffset),
      ...(keys.has(k) ? { recentKeys: keys.get(k)! } : {}),
    };
  });
}

/** How many records from the end of a hot partition are read to count keys. */
const KEY_SAMPLE_RECORDS = 200;

/** The most frequent keys near the end of each partition that takes a hot share of its topic's production. */
async function hotPartitionKeys(admin: Admin, samples: readonly DoctorSample[]): Promise<Map<string, Array<{ key: string; count: number }>>> {
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const byTopic = new Map<string, Array<{ partition: number; produced: number; end: number; start: number }>>();
  for (const p of last.partitions) {
    const before = first.partitions.find((x) => x.topic === p.topic && x.partition === p.partition);
    const list = byTopic.get(p.topic) ?? [];
    list.push({ partition: p.partition, produced: p.logEndOffset - (before?.logEndOffset ?? p.logEndOffset), end: p.logEndOffset, start: p.logStartOffset });
    byTopic.set(p.topic, list);
  }
  const positions: Array<{ topic: string; partition: number; offset: number }> = [];
  for (const [topic, list] of byTopic) {
    const total = list.reduce((n, p) => n + p.produced, 0);
    if (list.length < 2 || total === 0) continue;
    for (const p of list) {
      if (p.produced / total >= hotShare(list.length)) positions.push({ topic, partition: p.partition, offset: Math.max(p.start, p.end - KEY_SAMPLE_RECORDS) });
    }
  }
  const out = new Map<string, Array<{ key: string; count: number }>>();
  if (positions.length === 0) return out;
  const records = await recordsAt(admin.cluster, positions);
  for (const [k, list] of records) {
    const counts = new Map<string, number>();
    for (const r of list) {
      const key = r.key === null ? '(null)' : r.key.toString('utf8');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    out.set(k, [...counts].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1)).slice(0, 10));
  }
  return out;
}
