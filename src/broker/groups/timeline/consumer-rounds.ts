import { partitionKey, type TimelineCause, type TimelineEntry, type TimelineMember, type TopicPartitionRef } from '../../../common/timeline/index.js';
import type { CoordinatorEvent, CoordinatorRecord } from '../../../coordinator/index.js';
import { buildRoundEntry, type PartitionTrack, type Round, type RoundMember } from './consumer-entry.js';

type Event = CoordinatorEvent;
type ConsumerRecord = Extract<CoordinatorRecord, { type: `consumer-${string}` }>;
type TopicEntries = readonly { readonly topicId: string; readonly partitions: readonly number[] }[];

/** KIP-848's epoch of a static member that left for now (ConsumerGroupHeartbeat with -2). */
const STATIC_LEFT_EPOCH = -2;

interface Member {
  readonly memberId: string;
  instanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Joined with JoinGroup (a classic member of a consumer group): it acknowledges nothing by heartbeat. */
  classic: boolean;
  /** Partitions it may own now (its current assignment), and those it was asked to revoke. */
  assigned: Map<string, TopicPartitionRef>;
  pending: Map<string, TopicPartitionRef>;
  /** When it left with epoch -2 (a static member away for now): its partitions stopped then. */
  staticLeftAtMs: number | null;
}

interface Group {
  readonly groupId: string;
  readonly members: Map<string, Member>;
  epoch: number | null;
  assignor: string | null;
  /** The group's state as the coordinator last reported it; 'Stable' until told otherwise. */
  state: string;
  /** Subscribed topic name -> partitions, from the group's last metadata record (null: not seen since a restart). */
  subscribed: Map<string, number> | null;
  regexTopics: Map<string, ReadonlySet<string>>;
  round: Round | null;
}

/** Topics by id as the broker knows them (names of deleted topics are kept from the records). */
export type TopicNames = (topicId: string) => string | undefined;

/**
 * The rebalance timeline of consumer groups (KIP-848), exactly, from the coordinator's records
 * and events. A consumer group has no generations: each member moves on its own towards the
 * target assignment (revoke first, then assign). So an entry is a reconciliation round, from the
 * first group epoch bump after the group was Stable (or Empty) to the group Stable again with
 * every moved partition acknowledged by its new owner (or Empty); bumps during a round fold into
 * it with their causes. Per partition it keeps when the coordinator asked the old owner to revoke
 * it (or took it from a member that left or failed), when it was released, assigned, and
 * acknowledged: a move pauses only that partition, from the first to the last. Pure: the shell
 * feeds it each coordinator call's records and events, in order.
 */
export class ConsumerRounds {
  private readonly groups = new Map<string, Group>();
  private readonly knownTopics = new Map<string, string>();

  constructor(private readonly topicNames: TopicNames = () => undefined) {}

  /** Restores a group after a restart from its last entry: members and what they own when it was Stable. */
  restore(entry: TimelineEntry): void {
    if (entry.rebalanceProtocol !== 'consumer') return;
    this.seed(entry.groupId, entry.membersAfter, entry.generationId);
    this.group(entry.groupId).assignor = entry.protocolName;
  }

  /** Starts a group's state from known members (a restart, or a classic group converted). */
  seed(groupId: string, members: readonly TimelineMember[], epoch: number | null): void {
    const g = this.group(groupId);
    g.epoch = epoch;
    g.members.clear();
    for (const m of members) {
      const member = newMember(m.memberId);
      member.instanceId = m.groupInstanceId;
      member.clientId = m.clientId;
      member.clientHost = m.clientHost;
      for (const [topic, partitions] of Object.entries(m.assignment)) for (const partition of partitions) member.assigned.set(partitionKey(topic, partition), { topic, partition });
      g.members.set(m.memberId, member);
    }
  }

  forget(groupId: string): void {
    this.groups.delete(groupId);
  }

  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  /** The members and what they own now (for a group going back to the classic protocol). */
  currentMembers(groupId: string): TimelineMember[] {
    const g = this.groups.get(groupId);
    return g === undefined ? [] : snapshot(g);
  }

  /** One coordinator call's consumer-group records and events; returns the rounds it completes. */
  apply(records: readonly CoordinatorRecord[], events: readonly Event[], nowMs: number): TimelineEntry[] {
    const byGroup = new Map<string, { records: ConsumerRecord[]; events: Event[] }>();
    const slot = (groupId: string) => {
      let s = byGroup.get(groupId);
      if (s === undefined) byGroup.set(groupId, (s = { records: [], events: [] }));
      return s;
    };
    for (const r of records) if (r.type.startsWith('consumer-')) slot(r.groupId).records.push(r as ConsumerRecord);
    for (const e of events) if (e.type.startsWith('consumer-')) slot(e.groupId).events.push(e);
    const entries: TimelineEntry[] = [];
    for (const [groupId, call] of byGroup) entries.push(...this.applyToGroup(this.group(groupId), call.records, call.events, call.events[0]?.atMs ?? nowMs));
    return entries;
  }

  private applyToGroup(g: Group, records: readonly ConsumerRecord[], events: readonly Event[], atMs: number): TimelineEntry[] {
    const entries: TimelineEntry[] = [];
    const opensRound = events.some((e) => e.type === 'consumer-epoch-bumped' || e.type === 'consumer-static-member-replaced' || (e.type === 'consumer-member-joined' && e.rejoined));
    const bumps = events.some((e) => e.type === 'consumer-epoch-bumped');
    // A bump while the round waits only for acknowledgements starts a new round.
    if (bumps && g.round !== null && g.round.stableAtMs !== null) entries.push(this.close(g, atMs));
    if (g.round === null && (opensRound || records.some((r) => r.type === 'consumer-current'))) g.round = this.open(g, atMs);
    const subscribedBefore = g.subscribed;
    const regexBefore = new Map(g.regexTopics);
    for (const r of records) this.onRecord(g, r, atMs);
    for (const e of events) {
      const closed = this.onEvent(g, e, subscribedBefore, regexBefore);
      if (closed !== null) entries.push(closed);
    }
    if (g.round !== null && g.state === 'Stable') {
      g.round.stableAtMs ??= atMs;
      if (awaitingAcknowledgement(g).length === 0) {
        const entry = this.close(g, atMs);
        if (isWorthRecording(entry)) entries.push(entry);
      }
    }
    return entries;
  }

  private open(g: Group, atMs: number): Round {
    return { startedAtMs: atMs, previousEpoch: g.epoch, membersBefore: snapshot(g), causes: [], tracks: new Map(), bumped: false, stableAtMs: null, targetAssignedAtMs: null };
  }

  private close(g: Group, atMs: number): TimelineEntry {
    const round = g.round!;
    g.round = null;
    const pending = awaitingAcknowledgement(g);
    const lastAck = Math.max(round.stableAtMs ?? atMs, ...[...round.tracks.values()].map((t) => t.acknowledgedAtMs ?? -Infinity));
    const completedAtMs = pending.length > 0 ? atMs : Math.min(atMs, lastAck);
    return buildRoundEntry({
      groupId: g.groupId,
      round,
      epoch: g.epoch,
      assignor: g.assignor,
      completedAtMs,
      membersAfter: snapshot(g),
    });
  }

  private onRecord(g: Group, r: ConsumerRecord, atMs: number): void {
    switch (r.type) {
      case 'consumer-group':
        if (r.value === null) return;
        g.epoch = r.value.groupEpoch;
        for (const t of r.value.subscribedTopics) this.knownTopics.set(t.topicId, t.name);
        g.subscribed = new Map(r.value.subscribedTopics.map((t) => [t.name, t.partitions]));
        return;
      case 'consumer-member': {
        if (r.value === null) return; // the consumer-current tombstone before it took the member out
        const m = g.members.get(r.memberId) ?? newMember(r.memberId);
        m.instanceId = r.value.instanceId;
        m.clientId = r.value.clientId;
        m.clientHost = r.value.clientHost;
        m.classic = r.value.classic !== null;
        g.members.set(r.memberId, m);
        return;
      }
      case 'consumer-current':
        this.onCurrentAssignment(g, r.memberId, r.value, atMs);
        return;
      case 'consumer-regex':
        if (r.value === null) g.regexTopics.delete(r.regex);
        else g.regexTopics.set(r.regex, new Set(r.value.topics));
        return;
      default:
        return; // target assignments: the current ones say what happened
    }
  }

  /** A member's current assignment changed: what it was asked to revoke, let go, or was given. */
  private onCurrentAssignment(g: Group, memberId: string, value: Extract<ConsumerRecord, { type: 'consumer-current' }>['value'], atMs: number): void {
    const m = g.members.get(memberId) ?? newMember(memberId);
    g.members.set(memberId, m);
    const assigned = value === null ? new Map<string, TopicPartitionRef>() : this.refs(value.assigned);
    const pending = value === null ? new Map<string, TopicPartitionRef>() : this.refs(value.pendingRevocation);
    const track = (key: string, ref: TopicPartitionRef): PartitionTrack | null => trackOf(g, key, ref);
    for (const [key, ref] of [...m.assigned, ...m.pending]) {
      if (assigned.has(key)) continue;
      const t = track(key, ref);
      if (t === null) continue;
      t.from ??= memberId;
      if (t.to === memberId) t.to = null;
      if (pending.has(key)) {
        if (!m.pending.has(key)) {
          t.revokeRequestedAtMs = atMs;
          t.pausedAtMs ??= atMs;
        }
      } else {
        // Let go after a revocation, or taken away (left, failed, fenced, replaced).
        t.pausedAtMs ??= m.staticLeftAtMs ?? atMs;
        t.releasedAtMs = atMs;
      }
    }
    for (const [key, ref] of assigned) {
      if (m.assigned.has(key)) continue;
      const t = track(key, ref);
      if (t === null) continue;
      t.to = memberId;
      t.assignedAtMs = atMs;
      t.acknowledgedAtMs = m.classic ? atMs : null;
    }
    if (value === null) {
      g.members.delete(memberId);
      return;
    }
    m.assigned = assigned;
    m.pending = pending;
    m.staticLeftAtMs = value.memberEpoch === STATIC_LEFT_EPOCH ? (m.staticLeftAtMs ?? atMs) : null;
  }

  private onEvent(g: Group, e: Event, subscribedBefore: Map<string, number> | null, regexBefore: ReadonlyMap<string, ReadonlySet<string>>): TimelineEntry | null {
    const round = g.round;
    const cause = (c: Omit<TimelineCause, 'atMs'>): void => void round?.causes.push({ ...c, atMs: e.atMs });
    switch (e.type) {
      case 'consumer-epoch-bumped':
        if (round !== null) round.bumped = true;
        if (e.reason === 'member-joined' || e.reason === 'subscription-changed') cause({ kind: e.reason, ...who(g, e.memberId), coordinatorReason: e.reason });
        else if (e.reason === 'forced') cause({ kind: 'forced', coordinatorReason: e.reason });
        else if (e.reason === 'metadata-changed') for (const c of topicCauses(subscribedBefore, g.subscribed, regexBefore, g.regexTopics)) cause(c);
        // member-left and member-removed: the consumer-member-removed event before it says why.
        return null;
      case 'consumer-member-removed': {
        const kind = e.reason === 'leave-request' ? 'member-left' : e.reason === 'static-replacement' ? null : e.reason;
        if (kind !== null) cause({ kind, memberId: e.memberId, groupInstanceId: e.instanceId, coordinatorReason: e.reason, ...clientOf(round, e.memberId) });
        return null;
      }
      case 'consumer-member-joined': {
        if (!e.rejoined) return null;
        cause({ kind: 'member-joined', ...who(g, e.memberId), coordinatorReason: 'member-rejoined' });
        // It joined again with epoch 0 having dropped its partitions (it was fenced on its side):
        // those given back to it paused until it acknowledges them.
        for (const [key, ref] of g.members.get(e.memberId)?.assigned ?? []) {
          const t = trackOf(g, key, ref);
          if (t === null) continue;
          t.from ??= e.memberId;
          t.pausedAtMs ??= e.atMs;
          t.releasedAtMs ??= e.atMs;
          t.to = e.memberId;
          t.assignedAtMs = e.atMs;
          t.acknowledgedAtMs = null;
        }
        return null;
      }
      case 'consumer-static-member-replaced':
        cause({ kind: 'static-replacement', memberId: e.newMemberId, groupInstanceId: e.instanceId, coordinatorReason: 'static-member-rejoined', ...clientOf(round, e.oldMemberId) });
        return null;
      case 'consumer-target-assigned':
        g.assignor = e.assignor;
        if (round !== null) round.targetAssignedAtMs = e.atMs;
        return null;
      case 'consumer-owned-reported':
        this.acknowledge(g, e.memberId, e.partitions, e.atMs);
        return null;
      case 'consumer-state-changed':
        g.state = e.to;
        if (round !== null && e.to !== 'Stable') round.stableAtMs = null;
        if (e.to === 'Empty' && round !== null) return this.close(g, e.atMs);
        if (e.to === 'Dead') this.groups.delete(g.groupId);
        return null;
      default:
        return null;
    }
  }

  /** Partitions the member lists as owned, given to it in this round and not yet acknowledged, are now. */
  private acknowledge(g: Group, memberId: string, owned: TopicEntries, atMs: number): void {
    const round = g.round;
    if (round === null) return;
    for (const key of this.refs(owned).keys()) {
      const t = round.tracks.get(key);
      if (t !== undefined && t.to === memberId && t.assignedAtMs !== null && t.acknowledgedAtMs === null) t.acknowledgedAtMs = atMs;
    }
  }

  private refs(entries: TopicEntries): Map<string, TopicPartitionRef> {
    const out = new Map<string, TopicPartitionRef>();
    for (const e of entries) {
      const topic = this.topicName(e.topicId);
      for (const partition of e.partitions) out.set(partitionKey(topic, partition), { topic, partition });
    }
    return out;
  }

  /** A topic id's name; ids are never reused (a topic created again gets a new one), so names are cached. */
  private topicName(topicId: string): string {
    let name = this.knownTopics.get(topicId);
    if (name === undefined) {
      name = this.topicNames(topicId);
      if (name === undefined) return topicId;
      this.knownTopics.set(topicId, name);
    }
    return name;
  }

  private group(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (g === undefined) {
      g = { groupId, members: new Map(), epoch: null, assignor: null, state: 'Stable', subscribed: null, regexTopics: new Map(), round: null };
      this.groups.set(groupId, g);
    }
    return g;
  }
}

function trackOf(g: Group, key: string, ref: TopicPartitionRef): PartitionTrack | null {
  const round = g.round;
  if (round === null) return null;
  let t = round.tracks.get(key);
  if (t === undefined) round.tracks.set(key, (t = { ref, from: null, pausedAtMs: null, revokeRequestedAtMs: null, releasedAtMs: null, to: null, assignedAtMs: null, acknowledgedAtMs: null }));
  return t;
}

function newMember(memberId: string): Member {
  return { memberId, instanceId: null, clientId: '', clientHost: '', classic: false, assigned: new Map(), pending: new Map(), staticLeftAtMs: null };
}

/** Partitions handed to a member in the open round that it has not acknowledged yet (and still has). */
function awaitingAcknowledgement(g: Group): PartitionTrack[] {
  if (g.round === null) return [];
  return [...g.round.tracks.values()].filter((t) => t.to !== null && t.acknowledgedAtMs === null && g.members.get(t.to)?.assigned.has(partitionKey(t.ref.topic, t.ref.partition)) === true);
}

/** A round that changed nothing (a static member stepping out with -2, say) is not a rebalance. */
function isWorthRecording(entry: TimelineEntry): boolean {
  const p = entry.partitions;
  return entry.causes.length > 0 || p.moved.length + p.revoked.length + p.assigned.length > 0 || entry.joined.length + entry.left.length > 0;
}

function snapshot(g: Group): RoundMember[] {
  return [...g.members.values()].map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.instanceId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    assignment: assignmentOf(m.assigned),
  }));
}

function assignmentOf(owned: ReadonlyMap<string, TopicPartitionRef>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const { topic, partition } of owned.values()) (out[topic] ??= []).push(partition);
  const sorted: Record<string, number[]> = {};
  for (const topic of Object.keys(out).sort()) sorted[topic] = out[topic]!.sort((a, b) => a - b);
  return sorted;
}

function who(g: Group, memberId: string | null): Pick<TimelineCause, 'memberId' | 'clientId' | 'groupInstanceId'> {
  const m = memberId === null ? undefined : g.members.get(memberId);
  return { memberId, ...(m !== undefined ? { clientId: m.clientId, groupInstanceId: m.instanceId } : {}) };
}

/** The client id of a member that may be gone already: from the round's members before. */
function clientOf(round: Round | null, memberId: string): Pick<TimelineCause, 'clientId'> {
  const m = round?.membersBefore.find((b) => b.memberId === memberId);
  return m !== undefined ? { clientId: m.clientId } : {};
}

/** What a metadata bump changed in the subscribed topics: topics created (matching a regex), grown, deleted. */
function topicCauses(
  before: ReadonlyMap<string, number> | null,
  after: ReadonlyMap<string, number> | null,
  regexBefore: ReadonlyMap<string, ReadonlySet<string>>,
  regexAfter: ReadonlyMap<string, ReadonlySet<string>>,
): Array<Omit<TimelineCause, 'atMs'>> {
  if (before === null || after === null) return [{ kind: 'metadata-changed', coordinatorReason: 'metadata-changed' }];
  const causes: Array<Omit<TimelineCause, 'atMs'>> = [];
  for (const [topic, partitions] of [...after].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const was = before.get(topic);
    if (was === undefined) {
      const regex = [...regexAfter].find(([re, topics]) => topics.has(topic) && regexBefore.get(re)?.has(topic) !== true)?.[0];
      causes.push({ kind: 'topic-created', topic, partitionsAfter: partitions, coordinatorReason: 'metadata-changed', ...(regex !== undefined ? { regex } : {}) });
    } else if (partitions > was) {
      causes.push({ kind: 'partitions-added', topic, partitionsBefore: was, partitionsAfter: partitions, coordinatorReason: 'metadata-changed' });
    }
  }
  for (const topic of [...before.keys()].sort()) if (!after.has(topic)) causes.push({ kind: 'topic-deleted', topic, coordinatorReason: 'metadata-changed' });
  return causes.length > 0 ? causes : [{ kind: 'metadata-changed', coordinatorReason: 'metadata-changed' }];
}
