import {
  assignmentRecord,
  buildTimelineEntry,
  type PendingRevocation,
  type TimelineCause,
  type TimelineCauseKind,
  type TimelineEntry,
  type TimelineMember,
} from '../../../common/timeline/index.js';
import type { CoordinatorEvent, CoordinatorRecord, GroupMetadataValue, MemberRemovalReason } from '../../../coordinator/index.js';
import { decodeAssignment } from '../../../protocol/consumer-protocol.js';
import { ConsumerRounds, type TopicNames } from './consumer-rounds.js';

/** What the group looked like after its last timeline entry. */
interface Settled {
  readonly generationId: number;
  readonly members: readonly TimelineMember[];
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly completedAtMs: number;
}

interface Track {
  settled: Settled | null;
  /** Causes seen since the last entry (a member joins before the rebalance it triggers starts). */
  causes: TimelineCause[];
  startedAtMs: number | null;
  joinCompletedAtMs: number | null;
  revocations: Map<string, PendingRevocation>;
}

/** A change of a topic's partitions, as the broker reports it. */
export interface TopicChange {
  readonly topic: string;
  readonly partitionsBefore: number;
  readonly partitionsAfter: number;
  readonly atMs: number;
}

const REMOVAL_CAUSES: Record<MemberRemovalReason, TimelineCauseKind | null> = {
  'leave-request': 'member-left',
  'session-timeout': 'session-timeout',
  'rebalance-timeout': 'max-poll-interval-exceeded',
  'sync-timeout': 'sync-timeout',
  'new-member-timeout': 'new-member-timeout',
  'group-max-size': 'group-max-size',
  // The static-member-replaced event says it better.
  'static-replacement': null,
};

/** Topic changes kept to explain later rebalances (a leader notices new partitions within a metadata refresh). */
const MAX_TOPIC_CHANGES = 256;

/**
 * Turns the group coordinator's facts into timeline entries, exactly: the reasons it reports
 * (member joined, left, timed out, metadata changed), the times of each phase, and the stored
 * assignment of every generation (the GroupMetadata record written when the leader's SyncGroup
 * arrives). Pure: fed by the shell after each coordinator call, with the records and events that
 * call produced, in order.
 */
export class TimelineBuilder {
  private readonly tracks = new Map<string, Track>();
  private readonly topicChanges: TopicChange[] = [];
  /** Consumer groups (KIP-848): reconciliation rounds instead of generations. */
  private readonly consumer: ConsumerRounds;

  constructor(topicNames?: TopicNames) {
    this.consumer = new ConsumerRounds(topicNames);
  }

  /** Restores what the group looked like after its last recorded entry (history replayed at start). */
  restore(entry: TimelineEntry): void {
    this.consumer.restore(entry);
    const t = this.track(entry.groupId);
    t.settled = {
      generationId: entry.generationId ?? 0,
      members: entry.membersAfter,
      protocolType: entry.protocolType,
      protocolName: entry.protocolName,
      completedAtMs: entry.completedAtMs,
    };
  }

  /** Forgets a deleted group. */
  forget(groupId: string): void {
    this.tracks.delete(groupId);
    this.consumer.forget(groupId);
  }

  topicChanged(change: TopicChange): void {
    this.topicChanges.push(change);
    if (this.topicChanges.length > MAX_TOPIC_CHANGES) this.topicChanges.splice(0, this.topicChanges.length - MAX_TOPIC_CHANGES);
  }

  /**
   * One coordinator call's output; returns the entries it completes, and the groups deleted.
   * `nowMs` dates a call whose records come without an event (none does today).
   */
  apply(records: readonly CoordinatorRecord[], events: readonly CoordinatorEvent[], nowMs = events[0]?.atMs ?? 0): { entries: TimelineEntry[]; deleted: string[] } {
    for (const e of events) if (e.type === 'group-converted') this.converted(e);
    const stored = new Map<string, GroupMetadataValue>();
    for (const r of records) if (r.type === 'group-metadata' && r.value !== null) stored.set(r.groupId, r.value);
    const entries: TimelineEntry[] = [];
    const deleted: string[] = [];
    for (const e of events) {
      const entry = this.onEvent(e, stored);
      if (entry !== null) entries.push(entry);
      if (e.type === 'group-deleted') {
        this.forget(e.groupId);
        deleted.push(e.groupId);
      }
    }
    entries.push(...this.consumer.apply(records, events, nowMs));
    return { entries, deleted };
  }

  /**
   * Online migration: a classic group becoming a consumer group keeps its members and their
   * partitions (the consumer rounds start from them), and back.
   */
  private converted(e: Extract<CoordinatorEvent, { type: 'group-converted' }>): void {
    const t = this.track(e.groupId);
    if (e.to === 'consumer') {
      if (t.settled !== null) this.consumer.seed(e.groupId, t.settled.members, t.settled.generationId);
      return;
    }
    const members = this.consumer.currentMembers(e.groupId);
    this.consumer.forget(e.groupId);
    t.settled = { generationId: t.settled?.generationId ?? 0, members, protocolType: 'consumer', protocolName: t.settled?.protocolName ?? null, completedAtMs: e.atMs };
  }

  private onEvent(e: CoordinatorEvent, stored: ReadonlyMap<string, GroupMetadataValue>): TimelineEntry | null {
    if (e.type === 'group-created' || e.type === 'group-deleted' || e.type === 'offsets-expired' || e.type === 'member-fenced') return null;
    const t = this.track(e.groupId);
    switch (e.type) {
      case 'member-joined':
        t.causes.push({ kind: 'member-joined', atMs: e.atMs, memberId: e.memberId, clientId: e.clientId, groupInstanceId: e.groupInstanceId });
        return null;
      case 'member-removed': {
        const kind = REMOVAL_CAUSES[e.reason];
        if (kind !== null) {
          const known = t.settled?.members.find((m) => m.memberId === e.memberId);
          t.causes.push({ kind, atMs: e.atMs, memberId: e.memberId, groupInstanceId: e.groupInstanceId, coordinatorReason: e.reason, ...(known ? { clientId: known.clientId } : {}) });
        }
        return null;
      }
      case 'static-member-replaced': {
        t.causes.push({ kind: 'static-replacement', atMs: e.atMs, memberId: e.newMemberId, groupInstanceId: e.groupInstanceId, coordinatorReason: 'static-member-rejoined' });
        const value = stored.get(e.groupId);
        if (e.rebalance || value === undefined || t.settled === null) return null;
        // KIP-345: the group stays Stable; the new incarnation inherits the assignment.
        return this.complete(t, e.groupId, 'member-replaced', e.atMs, e.atMs, value.generationId, value);
      }
      case 'rebalance-started':
        t.startedAtMs ??= e.atMs;
        this.noteStartReason(t, e.reason, e.memberId, e.atMs);
        return null;
      case 'join-completed':
        t.joinCompletedAtMs = e.atMs;
        return null;
      case 'rebalance-completed': {
        const value = stored.get(e.groupId);
        return this.complete(t, e.groupId, 'rebalance', e.atMs - e.durationMs, e.atMs, e.generationId, value ?? null, e);
      }
      case 'state-changed':
        if (e.to !== 'Empty' || e.from !== 'PreparingRebalance') return null;
        return this.complete(t, e.groupId, 'emptied', t.startedAtMs ?? e.atMs, e.atMs, e.generationId, null);
      default:
        // Consumer groups (KIP-848) have no generations to line up: their epochs are not in this timeline.
        return null;
    }
  }

  private noteStartReason(t: Track, reason: string, memberId: string | null, atMs: number): void {
    const member = t.settled?.members.find((m) => m.memberId === memberId);
    const who = { memberId, ...(member ? { clientId: member.clientId, groupInstanceId: member.groupInstanceId } : {}) };
    if ((reason === 'member-metadata-changed' || reason === 'leader-rejoined') && t.revocations.size > 0) {
      t.causes.push({ kind: 'cooperative-second-round', atMs, ...who, coordinatorReason: reason });
    } else if (reason === 'member-metadata-changed') {
      t.causes.push({ kind: 'subscription-changed', atMs, ...who, coordinatorReason: reason });
    } else if (reason === 'leader-rejoined') {
      t.causes.push({ kind: 'leader-rejoined', atMs, ...who, coordinatorReason: reason });
    } else if (reason === 'forced') {
      t.causes.push({ kind: 'forced', atMs, coordinatorReason: reason });
    } else if (reason === 'group-over-capacity') {
      t.causes.push({ kind: 'group-over-capacity', atMs, coordinatorReason: reason });
    } else if (reason === 'member-joined' && !t.causes.some((c) => c.kind === 'member-joined' && c.memberId === memberId)) {
      // A known member rejoining (after UNKNOWN_MEMBER_ID, or a restart with the same id).
      t.causes.push({ kind: 'member-joined', atMs, ...who, coordinatorReason: reason });
    }
  }

  private complete(
    t: Track,
    groupId: string,
    kind: TimelineEntry['kind'],
    startedAtMs: number,
    completedAtMs: number,
    generationId: number,
    value: GroupMetadataValue | null,
    completed?: Extract<CoordinatorEvent, { type: 'rebalance-completed' }>,
  ): TimelineEntry {
    const membersAfter = value === null ? [] : membersOf(value);
    const membersBefore = t.settled?.members ?? [];
    const protocolName = value?.protocolName ?? completed?.protocolName ?? t.settled?.protocolName ?? null;
    const protocolType = value === null ? (t.settled?.protocolType ?? null) : value.protocolType || null;
    const causes = [...t.causes, ...this.topicCausesFor(t, membersBefore, membersAfter, completedAtMs)].sort((a, b) => a.atMs - b.atMs);
    const { entry, pending } = buildTimelineEntry({
      groupId,
      kind,
      source: 'coordinator',
      generationId,
      previousGenerationId: t.settled?.generationId ?? null,
      startedAtMs,
      joinCompletedAtMs: kind === 'rebalance' ? t.joinCompletedAtMs : null,
      completedAtMs,
      protocolType,
      protocolName,
      leaderId: value?.leaderId ?? completed?.leaderId ?? null,
      causes,
      membersBefore,
      membersAfter,
    }, t.revocations);
    t.settled = { generationId, members: membersAfter, protocolType, protocolName, completedAtMs };
    t.causes = [];
    t.startedAtMs = null;
    t.joinCompletedAtMs = null;
    t.revocations = pending;
    return entry;
  }

  /** Partitions added to (or topics created for) what the group consumes, since its last entry. */
  private topicCausesFor(t: Track, before: readonly TimelineMember[], after: readonly TimelineMember[], nowMs: number): TimelineCause[] {
    const sinceMs = t.settled?.completedAtMs ?? -Infinity;
    const topicsBefore = new Set(before.flatMap((m) => Object.keys(m.assignment)));
    const topicsAfter = new Set(after.flatMap((m) => Object.keys(m.assignment)));
    const causes: TimelineCause[] = [];
    for (const c of this.topicChanges) {
      if (c.atMs < sinceMs || c.atMs > nowMs) continue;
      if (c.partitionsBefore > 0 && (topicsBefore.has(c.topic) || topicsAfter.has(c.topic))) {
        causes.push({ kind: 'partitions-added', atMs: c.atMs, topic: c.topic, partitionsBefore: c.partitionsBefore, partitionsAfter: c.partitionsAfter });
      } else if (c.partitionsBefore === 0 && topicsAfter.has(c.topic) && !topicsBefore.has(c.topic) && before.length > 0) {
        causes.push({ kind: 'topic-created', atMs: c.atMs, topic: c.topic, partitionsAfter: c.partitionsAfter });
      }
    }
    return causes;
  }

  private track(groupId: string): Track {
    let t = this.tracks.get(groupId);
    if (t === undefined) {
      t = { settled: null, causes: [], startedAtMs: null, joinCompletedAtMs: null, revocations: new Map() };
      this.tracks.set(groupId, t);
    }
    return t;
  }
}

/** The members of a stored generation with their decoded assignments. */
export function membersOf(value: GroupMetadataValue): TimelineMember[] {
  return value.members.map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    assignment: value.protocolType === 'consumer' ? decodedAssignment(m.assignment) : {},
  }));
}

function decodedAssignment(bytes: Buffer): Record<string, number[]> {
  if (bytes.length === 0) return {};
  try {
    return assignmentRecord(decodeAssignment(bytes).assignedPartitions.map((tp) => ({ topic: tp.topic, partitions: tp.partitions })));
  } catch {
    return {}; // not the consumer protocol's layout: ownership unknown
  }
}
