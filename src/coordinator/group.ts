import { ErrorCode } from '../protocol/errors.js';
import type { JoinGroupResponseMemberInit } from '../protocol/messages/index.js';
import { ClassicGroupMember, type MemberProtocol, type ParkedRequest } from './member.js';
import type { GroupMetadataValue } from './records.js';
import { CONSUMER_PROTOCOL_TYPE, subscribedTopicsOf } from './subscription.js';
import type { GroupState } from './types.js';

/** Kafka's legal transitions: target state <- states it may be entered from. */
const VALID_PREVIOUS_STATES: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

/**
 * A classic group's live state (Kafka's ClassicGroup): members, generation, protocol, and the
 * transient bookkeeping of a rebalance (parked requests, pending members, pending syncs). The
 * durable part is snapshotted into GroupMetadata records by the transitions that Kafka persists.
 */
export class ClassicGroup {
  state: GroupState;
  previousState: GroupState;
  generationId: number;
  /** null for a group that never had a member (a simple, commit-only group). */
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  /** When the group entered its current state (null: never changed since loaded without one). */
  currentStateTimestampMs: number | null;
  /** Insertion order matters: a leader that leaves is replaced by the first remaining member. */
  readonly members = new Map<string, ClassicGroupMember>();
  /** group.instance.id -> member id */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED and not yet used to join (KIP-394). */
  readonly pendingJoinMembers = new Set<string>();
  /** Members whose JoinGroup returned but who have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  /** protocol name -> how many members support it */
  private readonly supportedProtocols = new Map<string, number>();
  private awaitingJoinCount = 0;
  /** Topics the members subscribe to (consumer groups); null when unknown. */
  subscribedTopics: ReadonlySet<string> | null = null;
  /** The initial delayed join may be extended when a member joined during the delay (KIP-134). */
  newMemberAdded = false;
  /** When the rebalance now in progress started (for the pause reported at Stable). */
  rebalanceStartedAtMs: number | null = null;

  constructor(
    readonly groupId: string,
    state: GroupState = 'Empty',
    generationId = 0,
    protocolType: string | null = null,
    protocolName: string | null = null,
    leaderId: string | null = null,
    currentStateTimestampMs: number | null = null,
  ) {
    this.state = state;
    this.previousState = state;
    this.generationId = generationId;
    this.protocolType = protocolType;
    this.protocolName = protocolName;
    this.leaderId = leaderId;
    this.currentStateTimestampMs = currentStateTimestampMs;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  /** Stable, CompletingRebalance and Empty groups may start a rebalance. */
  canRebalance(): boolean {
    return VALID_PREVIOUS_STATES.PreparingRebalance.includes(this.state);
  }

  transitionTo(target: GroupState, nowMs: number): void {
    if (!VALID_PREVIOUS_STATES[target].includes(this.state)) {
      throw new Error(`group ${this.groupId} cannot move from ${this.state} to ${target}`);
    }
    this.previousState = this.state;
    this.state = target;
    this.currentStateTimestampMs = nowMs;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  member(memberId: string): ClassicGroupMember | undefined {
    return this.members.get(memberId);
  }

  get size(): number {
    return this.members.size;
  }

  get numAwaitingJoin(): number {
    return this.awaitingJoinCount;
  }

  /** A group with neither members nor a protocol type: it only holds offsets. */
  isSimple(): boolean {
    return this.protocolType === null && this.members.size === 0 && this.pendingJoinMembers.size === 0;
  }

  usesConsumerProtocol(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  add(member: ClassicGroupMember, parkedJoin: ParkedRequest | null): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) {
        throw new Error(`static member ${member.groupInstanceId} is already in group ${this.groupId}`);
      }
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.countProtocols(member, 1);
    this.setParkedJoin(member, parkedJoin);
    this.pendingJoinMembers.delete(member.memberId);
  }

  remove(memberId: string): void {
    const removed = this.members.get(memberId);
    if (removed !== undefined) {
      this.setParkedJoin(removed, null);
      this.members.delete(memberId);
      this.countProtocols(removed, -1);
      if (removed.groupInstanceId !== null) this.staticMembers.delete(removed.groupInstanceId);
    }
    if (this.leaderId === memberId) {
      const next = this.members.keys().next();
      this.leaderId = next.done ? null : next.value;
    }
    this.pendingJoinMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  /** Parks (or, with null, clears) the member's JoinGroup; returns the one it replaces. */
  setParkedJoin(member: ClassicGroupMember, parked: ParkedRequest | null): ParkedRequest | null {
    const previous = member.awaitingJoin;
    if (previous === null && parked !== null) this.awaitingJoinCount++;
    if (previous !== null && parked === null) this.awaitingJoinCount--;
    member.awaitingJoin = parked;
    return previous;
  }

  /** Replaces protocols and timeouts of a rejoining member; returns a superseded parked JoinGroup. */
  updateMember(
    member: ClassicGroupMember,
    protocols: readonly MemberProtocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    parkedJoin: ParkedRequest | null,
  ): ParkedRequest | null {
    this.countProtocols(member, -1);
    member.protocols = protocols;
    this.countProtocols(member, 1);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    return this.setParkedJoin(member, parkedJoin);
  }

  /**
   * A static member restarted: a new member id takes over the old one's place, protocols and
   * assignment. The caller fences the old incarnation's parked requests first.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicGroupMember {
    const old = this.members.get(oldMemberId);
    if (old === undefined) throw new Error(`cannot replace unknown member ${oldMemberId}`);
    this.setParkedJoin(old, null);
    old.awaitingSync = null;
    this.members.delete(oldMemberId);
    const replacement = new ClassicGroupMember(
      newMemberId,
      old.groupInstanceId,
      old.clientId,
      old.clientHost,
      old.rebalanceTimeoutMs,
      old.sessionTimeoutMs,
      old.protocolType,
      old.protocols,
      old.assignment,
    );
    this.members.set(newMemberId, replacement);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    return replacement;
  }

  /**
   * At the end of a join phase, a leader that did not rejoin hands over to a member that did.
   * False when nobody rejoined (or the group has no leader).
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader !== undefined && leader.awaitingJoin !== null) return true;
    for (const m of this.members.values()) {
      if (m.awaitingJoin !== null) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.awaitingJoinCount && this.pendingJoinMembers.size === 0;
  }

  notYetRejoinedMembers(): ClassicGroupMember[] {
    return [...this.members.values()].filter((m) => m.awaitingJoin === null);
  }

  /** The group's rebalance timeout: the largest of its members'. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /**
   * UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID or NONE (Kafka's validateMember): an instance id must
   * map to this very member id, and the member id must be in the group.
   */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const existing = this.staticMembers.get(groupInstanceId);
      if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (existing !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /**
   * An Empty group accepts any non-empty protocol type with at least one protocol; otherwise the
   * type must match and one of the protocols must be supported by every current member.
   */
  supportsProtocols(protocolType: string, protocolNames: readonly string[]): boolean {
    if (this.state === 'Empty') return protocolType !== '' && protocolNames.length > 0;
    if (this.protocolType !== protocolType) return false;
    return protocolNames.some((name) => (this.supportedProtocols.get(name) ?? 0) === this.members.size);
  }

  /**
   * Each member votes for its most preferred protocol among those every member supports; most
   * votes wins. Kafka leaves ties to hash order; we break them by name so runs are repeatable.
   */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error(`cannot select a protocol for empty group ${this.groupId}`);
    const candidates = new Set<string>();
    for (const [name, count] of this.supportedProtocols) if (count === this.members.size) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.vote(candidates);
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best: string | null = null;
    let bestVotes = -1;
    for (const [name, count] of [...votes].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      if (count > bestVotes) {
        best = name;
        bestVotes = count;
      }
    }
    return best!;
  }

  /** generationId + 1, then CompletingRebalance with a selected protocol, or Empty. */
  initNextGeneration(nowMs: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance', nowMs);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('Empty', nowMs);
    }
    this.pendingSyncMembers.clear();
  }

  /** Subscribed topics of a consumer group, from each member's subscription (v0 prefix). */
  computeSubscribedTopics(): ReadonlySet<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const parsed = subscribedTopicsOf(m.metadata(this.protocolName));
      if (parsed === null) return null;
      for (const t of parsed) topics.add(t);
    }
    return topics;
  }

  /** Unknown subscriptions count as "subscribed" for consumer groups, to stay on the safe side. */
  isSubscribedToTopic(topic: string): boolean {
    if (this.subscribedTopics !== null) return this.subscribedTopics.has(topic);
    return this.usesConsumerProtocol();
  }

  /** The JoinGroup response member list (sent to the leader only). */
  joinResponseMembers(): JoinGroupResponseMemberInit[] {
    const protocol = this.protocolName;
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: protocol === null ? Buffer.alloc(0) : m.metadata(protocol),
    }));
  }

  /** The durable snapshot of this group, with the given assignment per member. */
  toMetadataValue(assignments: ReadonlyMap<string, Buffer>, nowMs: number): GroupMetadataValue {
    const protocol = this.protocolName;
    return {
      protocolType: this.protocolType ?? '',
      generationId: this.generationId,
      protocolName: protocol,
      leaderId: this.leaderId,
      currentStateTimestampMs: this.currentStateTimestampMs ?? nowMs,
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        subscription: protocol === null ? Buffer.alloc(0) : m.metadata(protocol),
        assignment: assignments.get(m.memberId) ?? m.assignment,
      })),
    };
  }

  private countProtocols(member: ClassicGroupMember, delta: number): void {
    for (const p of member.protocols) this.supportedProtocols.set(p.name, (this.supportedProtocols.get(p.name) ?? 0) + delta);
  }
}
