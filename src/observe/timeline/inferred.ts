import {
  buildTimelineEntry,
  TIMELINE_MAX_ENTRIES_PER_GROUP,
  type PendingRevocation,
  type TimelineCause,
  type TimelineEntry,
  type TimelineMember,
} from '../../common/timeline/index.js';
import type { ClusterSnapshot, GroupView } from '../snapshot-types.js';
import type { TimelineSource } from './source.js';

interface Settled {
  readonly members: readonly TimelineMember[];
  readonly fingerprint: string;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  /** The last poll that still saw this state: the rebalance that ends it began after. */
  lastSeenAtMs: number;
}

interface Track {
  settled: Settled;
  sawRebalancing: boolean;
  revocations: Map<string, PendingRevocation>;
  entries: TimelineEntry[];
}

const REBALANCING = new Set(['PreparingRebalance', 'CompletingRebalance', 'AssigningRebalance', 'Reconciling']);

/**
 * A rebalance timeline for any cluster, inferred from successive DescribeGroups snapshots: each
 * time a group settles (Stable or Empty) with other members or another assignment than before,
 * or after it was seen rebalancing, an entry records what changed. What cannot be seen from
 * outside the coordinator stays unknown: generation ids (DescribeGroups does not report them),
 * how members left (LeaveGroup or a timeout: `member-gone`), rebalances that completed between
 * two polls without changing anything. Times are those of the polls, so a pause is an upper
 * bound, off by up to one poll interval on each side. Entries say `source: 'inferred'`.
 */
export class InferredTimeline implements TimelineSource {
  readonly kind = 'inferred' as const;
  private readonly tracks = new Map<string, Track>();
  private readonly listeners = new Set<(entry: TimelineEntry) => void>();
  private partitionCounts = new Map<string, number>();

  constructor(private readonly maxEntries = TIMELINE_MAX_ENTRIES_PER_GROUP) {}

  history(groupId: string): readonly TimelineEntry[] {
    return this.tracks.get(groupId)?.entries ?? [];
  }

  onEntry(listener: (entry: TimelineEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
  }

  /** Feeds one poll; returns the entries it completed. */
  observe(snapshot: ClusterSnapshot): TimelineEntry[] {
    const counts = new Map(snapshot.topics.map((t) => [t.name, t.partitions.length]));
    const out: TimelineEntry[] = [];
    for (const group of snapshot.groups) {
      if (group.state === null) continue; // no DescribeGroups: nothing to infer from
      const entry = this.observeGroup(group, snapshot.atMs, counts);
      if (entry !== null) out.push(entry);
    }
    this.partitionCounts = counts;
    for (const entry of out) for (const l of this.listeners) l(entry);
    return out;
  }

  private observeGroup(group: GroupView, atMs: number, counts: ReadonlyMap<string, number>): TimelineEntry | null {
    const members: TimelineMember[] = group.members.map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost, assignment: m.assignment,
    }));
    const fingerprint = JSON.stringify(members.map((m) => [m.memberId, m.assignment]));
    const track = this.tracks.get(group.groupId);
    if (track === undefined) {
      // What happened before we watched is unknown: start from what we see.
      this.tracks.set(group.groupId, {
        settled: { members, fingerprint, protocolType: group.protocolType, protocolName: group.protocol, lastSeenAtMs: atMs },
        sawRebalancing: REBALANCING.has(group.state!),
        revocations: new Map(),
        entries: [],
      });
      return null;
    }
    if (REBALANCING.has(group.state!)) {
      track.sawRebalancing = true;
      return null;
    }
    if (fingerprint === track.settled.fingerprint && !track.sawRebalancing) {
      track.settled.lastSeenAtMs = atMs;
      return null;
    }
    const before = track.settled;
    const { entry, pending } = buildTimelineEntry({
      groupId: group.groupId,
      kind: members.length === 0 ? 'emptied' : 'rebalance',
      source: 'inferred',
      generationId: null,
      previousGenerationId: null,
      startedAtMs: before.lastSeenAtMs,
      joinCompletedAtMs: null,
      completedAtMs: atMs,
      protocolType: group.protocolType ?? before.protocolType,
      protocolName: group.protocol ?? before.protocolName,
      ...(group.type === 'consumer' ? { rebalanceProtocol: 'consumer' as const } : {}),
      leaderId: null,
      causes: this.inferCauses(before.members, members, atMs, counts),
      membersBefore: before.members,
      membersAfter: members,
    }, track.revocations);
    track.revocations = pending;
    track.settled = { members, fingerprint, protocolType: group.protocolType, protocolName: group.protocol, lastSeenAtMs: atMs };
    track.sawRebalancing = false;
    track.entries.push(entry);
    if (track.entries.length > this.maxEntries) track.entries.splice(0, track.entries.length - this.maxEntries);
    return entry;
  }

  private inferCauses(before: readonly TimelineMember[], after: readonly TimelineMember[], atMs: number, counts: ReadonlyMap<string, number>): TimelineCause[] {
    const causes: TimelineCause[] = [];
    const beforeIds = new Map(before.map((m) => [m.memberId, m]));
    const afterIds = new Map(after.map((m) => [m.memberId, m]));
    const replacedInstances = new Set<string>();
    for (const m of after) {
      if (beforeIds.has(m.memberId)) continue;
      const old = m.groupInstanceId === null ? undefined : before.find((b) => b.groupInstanceId === m.groupInstanceId && !afterIds.has(b.memberId));
      if (old !== undefined) {
        replacedInstances.add(old.memberId);
        causes.push({ kind: 'static-replacement', atMs, memberId: m.memberId, clientId: m.clientId, groupInstanceId: m.groupInstanceId });
      } else {
        causes.push({ kind: 'member-joined', atMs, memberId: m.memberId, clientId: m.clientId, groupInstanceId: m.groupInstanceId });
      }
    }
    for (const m of before) {
      if (afterIds.has(m.memberId) || replacedInstances.has(m.memberId)) continue;
      causes.push({ kind: 'member-gone', atMs, memberId: m.memberId, clientId: m.clientId, groupInstanceId: m.groupInstanceId });
    }
    const topics = new Set([...before, ...after].flatMap((m) => Object.keys(m.assignment)));
    for (const topic of [...topics].sort()) {
      const was = this.partitionCounts.get(topic);
      const now = counts.get(topic);
      if (was !== undefined && now !== undefined && now > was) causes.push({ kind: 'partitions-added', atMs, topic, partitionsBefore: was, partitionsAfter: now });
      const assignedBefore = before.some((m) => topic in m.assignment);
      if (was === undefined && now !== undefined && !assignedBefore && before.length > 0) causes.push({ kind: 'topic-created', atMs, topic, partitionsAfter: now });
    }
    if (causes.length === 0) causes.push({ kind: 'unknown', atMs });
    return causes;
  }
}
