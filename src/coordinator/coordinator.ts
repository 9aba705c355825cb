import { ErrorCode } from '../protocol/errors.js';
import { handleDeleteGroups, handleDescribeGroups, handleListGroups } from './admin.js';
import { resolveCoordinatorConfig, type CoordinatorConfig } from './config.js';
import { onClassicDeadline } from './consumer/classic-members.js';
import { handleConsumerGroupDescribe } from './consumer/describe.js';
import { expireConsumerOffsets } from './consumer/expiry.js';
import { handleConsumerGroupHeartbeat } from './consumer/heartbeat.js';
import { onConsumerRebalanceExpired, onConsumerSessionExpired } from './consumer/leave.js';
import { refreshConsumerGroups } from './consumer/metadata.js';
import { CLASSIC, routeToConsumerGroup } from './consumer/routing.js';
import { ConsumerStateTracker } from './consumer/state-events.js';
import { scheduleRebalanceTimeout, scheduleSessionTimeout } from './consumer/timers.js';
import { EMPTY_TOPICS_IMAGE, TopicsImage, type TopicImage } from './consumer/topics.js';
import { consumerGroupView, type ConsumerGroupView } from './consumer/view.js';
import { joinError, Output, syncError, type Ctx } from './context.js';
import { DurableState } from './durable-state.js';
import { expireOffsets } from './expiry.js';
import { extendSessions, forceRebalance, removeMemberNow, type ForcedRemoval } from './faults.js';
import type { ClassicGroup } from './group.js';
import { handleHeartbeat } from './heartbeat.js';
import { handleJoinGroup } from './join.js';
import { handleLeaveGroup } from './leave.js';
import { loadGroups } from './load.js';
import { handleOffsetCommit } from './offset-commit.js';
import { dropOffsetsOfDeletedTopics, handleOffsetDelete } from './offset-delete.js';
import { handleOffsetFetch } from './offset-fetch.js';
import {
  onInitialDelayExpired,
  onNewMemberExpired,
  onPendingMemberExpired,
  onSessionExpired,
  onSyncExpired,
  completeJoin,
} from './rebalance.js';
import { isClassicRecord, type CoordinatorRecord, type GroupMetadataValue } from './records.js';
import { handleSyncGroup } from './sync.js';
import { completeTransactionalOffsets, handleTxnOffsetCommit } from './txn-offset-commit.js';
import { CoordinatorTimers, type TimerTarget } from './timers.js';
import {
  PARKED,
  type Completion,
  type CoordinatorApi,
  type CoordinatorApis,
  type CoordinatorEvent,
  type CoordinatorRequest,
  type CoordinatorResult,
  type GroupState,
} from './types.js';

export interface GroupCoordinatorOptions {
  config?: Partial<CoordinatorConfig>;
  /** Source of member-id UUIDs: `crypto.randomUUID` in the broker, a seeded PRNG in the simulator. */
  newUuid: () => string;
}

/** A read-only picture of one group, for tests, the simulator and tools embedded in the broker. */
export interface GroupView {
  readonly groupId: string;
  readonly state: GroupState;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leaderId: string | null;
  readonly members: readonly MemberView[];
  readonly pendingMemberIds: readonly string[];
  readonly pendingSyncMemberIds: readonly string[];
}

export interface MemberView {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly assignment: Buffer;
  /** The member's metadata for the group's selected protocol (empty while none is selected). */
  readonly metadata: Buffer;
  readonly awaitingJoin: boolean;
  readonly awaitingSync: boolean;
  readonly isNew: boolean;
}

/**
 * Kafka's classic group coordinator as a pure state machine: no I/O, no clock, no timers.
 * Lifecycle: `replay` every record of the internal log, then `load(nowMs)`, then `handle`
 * requests and `tick` at `nextDeadlineMs()`. Each call returns records that the shell must
 * append to the log and then `replay`, before it sends the call's responses.
 *
 * Two layers of state, as in Kafka. The durable state (each group's latest GroupMetadata
 * snapshot and the committed offsets) changes only through `replay`, in normal operation and
 * at restart alike; OffsetFetch reads it. The live groups (members, the join phase in
 * progress, parked requests, pending members, timers) are in memory like Kafka's ClassicGroup:
 * Kafka persists a group only when a generation's assignment is stored, when it becomes Empty
 * and when a static member is replaced, and so do these transitions, by returning a record.
 * `load` rebuilds the live groups from the durable state, as Kafka loads a coordinator
 * partition; the simulator checks after every step that a Stable or Empty live group matches its
 * durable snapshot.
 */
export class GroupCoordinator {
  readonly config: CoordinatorConfig;
  private readonly groups = new Map<string, ClassicGroup>();
  private readonly timers = new CoordinatorTimers();
  private readonly durable = new DurableState();
  private readonly newUuid: () => string;
  private loaded = false;
  /** The topics that exist (consumer groups assign from them); set by `onTopicsChanged`. */
  private topics: TopicsImage = EMPTY_TOPICS_IMAGE;
  private readonly consumerStates = new ConsumerStateTracker();

  constructor(options: GroupCoordinatorOptions) {
    this.config = resolveCoordinatorConfig(options.config);
    this.newUuid = options.newUuid;
  }

  /** Applies one durable record: the only way group metadata and offsets change. */
  replay(record: CoordinatorRecord): void {
    this.durable.apply(record);
    if (!isClassicRecord(record)) this.consumerStates.touched(record.groupId);
  }

  /**
   * Facts that are known only once a call's records are replayed (consumer group state changes:
   * the state follows from the records). The shell calls it after replaying each call's records.
   */
  afterReplay(nowMs: number): CoordinatorEvent[] {
    if (!this.loaded) return [];
    return this.consumerStates.drain(this.durable.consumerGroups, nowMs);
  }

  /**
   * The topics changed. Consumer groups subscribed to a changed topic, by name or by regex, move
   * to a new group epoch. The shell reports the topics once before `load` (nothing is refreshed
   * then) and again after, which catches what changed while the coordinator was down.
   */
  onTopicsChanged(topics: readonly TopicImage[], nowMs: number): CoordinatorResult<void> {
    this.topics = new TopicsImage(topics);
    if (!this.loaded) return { records: [], response: undefined, completions: [], events: [] };
    return this.run(nowMs, (ctx) => refreshConsumerGroups(ctx));
  }

  /** Builds the live groups from what was replayed; requests are served from then on. */
  load(nowMs: number): CoordinatorResult<void> {
    if (this.loaded) throw new Error('the group coordinator is already loaded');
    this.loaded = true;
    this.consumerStates.reset(this.durable.consumerGroups, nowMs);
    return this.run(nowMs, (ctx) => {
      loadGroups(ctx);
      // Kafka's onLoaded for consumer groups: every member gets a session, and a member asked to
      // revoke gets its rebalance timeout again.
      for (const group of this.durable.consumerGroups.values()) {
        for (const m of group.members.values()) {
          scheduleSessionTimeout(ctx, group.groupId, m.memberId, m.classic?.sessionTimeoutMs);
          if (m.state === 'UNREVOKED_PARTITIONS') scheduleRebalanceTimeout(ctx, group.groupId, m);
        }
      }
      ctx.timers.set({ kind: 'offsets-retention' }, nowMs + this.config.offsetsRetentionCheckIntervalMs);
    });
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  handle<A extends CoordinatorApi>(request: CoordinatorRequest<A>, nowMs: number): CoordinatorResult<CoordinatorApis[A]['response']> {
    if (!this.loaded) throw new Error('the group coordinator must be loaded before it handles requests');
    let response: unknown;
    const result = this.run(nowMs, (ctx) => {
      const outcome = dispatch(ctx, request as CoordinatorRequest);
      if (outcome !== 'parked') {
        response = outcome;
        return;
      }
      // A request may be answered within the call that parked it (the leader's SyncGroup, a
      // JoinGroup that completes the join phase): that completion is its response.
      const own = ctx.out.takeCompletion(request.requestId);
      response = own === undefined ? PARKED : own.response;
    });
    return { ...result, response: response as CoordinatorApis[A]['response'] | typeof PARKED };
  }

  /** Runs every deadline due at `nowMs`. */
  tick(nowMs: number): CoordinatorResult<void> {
    if (!this.loaded) return { records: [], response: undefined, completions: [], events: [] };
    return this.run(nowMs, (ctx) => {
      for (let target = ctx.timers.popExpired(nowMs); target !== null; target = ctx.timers.popExpired(nowMs)) {
        this.fire(ctx, target);
        // A consumer group transition reads the group as replayed: the next one due waits until
        // the shell has applied this one's records (it calls tick again at once).
        if (target.kind.startsWith('consumer-') && ctx.out.records.length > 0) break;
      }
    });
  }

  nextDeadlineMs(): number | null {
    return this.timers.nextDeadlineMs();
  }

  // ---- fault injection (the broker's test seam; no request reaches these) ----

  /** Starts a rebalance of the group now (see faults.ts); the response says whether one started. */
  forceRebalance(groupId: string, nowMs: number): CoordinatorResult<boolean> {
    let started = false;
    const result = this.run(nowMs, (ctx) => {
      started = forceRebalance(ctx, groupId);
    });
    return { ...result, response: started };
  }

  /** Removes a member now, as its session or rebalance timer would; the response says whether it was in. */
  removeMember(groupId: string, memberId: string, reason: ForcedRemoval, nowMs: number): CoordinatorResult<boolean> {
    let removed = false;
    const result = this.run(nowMs, (ctx) => {
      removed = removeMemberNow(ctx, groupId, memberId, reason);
    });
    return { ...result, response: removed };
  }

  /** Restarts at `nowMs` the session of every member `alive` vouches for (time was moved forward). */
  extendSessions(nowMs: number, alive: (groupId: string, memberId: string) => boolean): void {
    if (!this.loaded) return;
    this.run(nowMs, (ctx) => extendSessions(ctx, alive));
  }

  /** Topics were deleted: tombstones for their committed offsets in every group. */
  onTopicsDeleted(topics: readonly string[], nowMs: number): CoordinatorResult<void> {
    if (!this.loaded) throw new Error('the group coordinator must be loaded first');
    return this.run(nowMs, (ctx) => dropOffsetsOfDeletedTopics(ctx, topics));
  }

  /** A producer's transaction ended: its pending offsets in the group are committed or dropped. */
  onTransactionCompleted(groupId: string, producerId: number, committed: boolean, nowMs: number): CoordinatorResult<void> {
    if (!this.loaded) throw new Error('the group coordinator must be loaded first');
    return this.run(nowMs, (ctx) => completeTransactionalOffsets(ctx, groupId, producerId, committed));
  }

  /** Whether a transaction's offsets for the partition are pending (OffsetFetch RequireStable). */
  hasPendingTransactionalOffset(groupId: string, topic: string, partition: number): boolean {
    return this.durable.pendingTxnOffsets.has(groupId, topic, partition);
  }

  /**
   * The coordinator stops (broker shutdown, or storage failed and it is rebuilt from the log):
   * every parked request is answered NOT_COORDINATOR, so clients look for the coordinator again
   * and rejoin, as when Kafka unloads a coordinator partition.
   */
  unload(): Completion[] {
    const completions: Completion[] = [];
    for (const group of this.groups.values()) {
      for (const m of group.members.values()) {
        const join = group.setParkedJoin(m, null);
        if (join !== null) completions.push({ requestId: join.requestId, api: 'join', response: joinError(ErrorCode.NOT_COORDINATOR, m.memberId) });
        if (m.awaitingSync !== null) {
          completions.push({ requestId: m.awaitingSync.requestId, api: 'sync', response: syncError(ErrorCode.NOT_COORDINATOR) });
          m.awaitingSync = null;
        }
      }
    }
    this.groups.clear();
    this.loaded = false;
    return completions;
  }

  // ---- inspection ----

  groupIds(): string[] {
    return [...new Set([...this.groups.keys(), ...this.durable.consumerGroups.ids()])].sort();
  }

  /** A read-only picture of a consumer group (KIP-848), if `groupId` is one. */
  consumerGroup(groupId: string): ConsumerGroupView | undefined {
    const g = this.durable.consumerGroups.get(groupId);
    return g === undefined ? undefined : consumerGroupView(g, this.topics, this.config.consumerAssignors[0]!);
  }

  group(groupId: string): GroupView | undefined {
    const g = this.groups.get(groupId);
    if (g === undefined) return undefined;
    return {
      groupId: g.groupId,
      state: g.state,
      generationId: g.generationId,
      protocolType: g.protocolType,
      protocolName: g.protocolName,
      leaderId: g.leaderId,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        sessionTimeoutMs: m.sessionTimeoutMs,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        assignment: m.assignment,
        metadata: g.protocolName !== null && m.protocols.some((p) => p.name === g.protocolName) ? m.metadata(g.protocolName) : Buffer.alloc(0),
        awaitingJoin: m.awaitingJoin !== null,
        awaitingSync: m.awaitingSync !== null,
        isNew: m.isNew,
      })),
      pendingMemberIds: [...g.pendingJoinMembers],
      pendingSyncMemberIds: [...g.pendingSyncMembers],
    };
  }

  /** The durable state as the records that rebuild it (the snapshot a log compaction writes). */
  snapshotRecords(): CoordinatorRecord[] {
    return this.durable.snapshotRecords();
  }

  /** The group's latest durable snapshot (what a restart would load), if any. */
  durableGroup(groupId: string): GroupMetadataValue | undefined {
    return this.durable.groupMetadata(groupId);
  }

  durableFingerprint(): string {
    return this.durable.fingerprint();
  }

  /** The committed offset of one partition, as OffsetFetch would return it (-1 when none). */
  committedOffset(groupId: string, topic: string, partition: number): number {
    return this.durable.offset(groupId, topic, partition)?.offset ?? -1;
  }

  private run(nowMs: number, body: (ctx: Ctx) => void): CoordinatorResult<void> {
    const out = new Output();
    const ctx: Ctx = { config: this.config, groups: this.groups, timers: this.timers, durable: this.durable, out, nowMs, newUuid: this.newUuid, topics: this.topics };
    body(ctx);
    return { records: out.records, response: undefined, completions: out.completions, events: out.events };
  }

  private fire(ctx: Ctx, target: TimerTarget): void {
    if (target.kind === 'offsets-retention') {
      expireOffsets(ctx);
      expireConsumerOffsets(ctx);
      ctx.timers.set(target, ctx.nowMs + this.config.offsetsRetentionCheckIntervalMs);
      return;
    }
    if (target.kind === 'consumer-session') return onConsumerSessionExpired(ctx, target.groupId, target.memberId);
    if (target.kind === 'consumer-rebalance') return onConsumerRebalanceExpired(ctx, target.groupId, target.memberId, target.memberEpoch);
    if (target.kind === 'consumer-join' || target.kind === 'consumer-sync') return onClassicDeadline(ctx, target.groupId, target.memberId);
    const group = this.groups.get(target.groupId);
    if (group === undefined) return;
    switch (target.kind) {
      case 'session':
        return onSessionExpired(ctx, group, target.memberId);
      case 'new-member':
        return onNewMemberExpired(ctx, group, target.memberId);
      case 'pending':
        return onPendingMemberExpired(ctx, group, target.memberId);
      case 'join':
        return completeJoin(ctx, group);
      case 'initial-delay':
        return onInitialDelayExpired(ctx, group, target.delayMs, target.remainingMs);
      case 'sync':
        return onSyncExpired(ctx, group, target.generationId);
    }
  }
}

function dispatch(ctx: Ctx, request: CoordinatorRequest): unknown {
  const routed = routeToConsumerGroup(ctx, request);
  if (routed !== CLASSIC) return routed;
  switch (request.api) {
    case 'consumer-heartbeat':
      return handleConsumerGroupHeartbeat(ctx, request as CoordinatorRequest<'consumer-heartbeat'>);
    case 'consumer-describe':
      return handleConsumerGroupDescribe(ctx, request as CoordinatorRequest<'consumer-describe'>);
    case 'join':
      return handleJoinGroup(ctx, request as CoordinatorRequest<'join'>);
    case 'sync':
      return handleSyncGroup(ctx, request as CoordinatorRequest<'sync'>);
    case 'heartbeat':
      return handleHeartbeat(ctx, request as CoordinatorRequest<'heartbeat'>);
    case 'leave':
      return handleLeaveGroup(ctx, request as CoordinatorRequest<'leave'>);
    case 'offset-commit':
      return handleOffsetCommit(ctx, request as CoordinatorRequest<'offset-commit'>);
    case 'offset-fetch':
      return handleOffsetFetch(ctx, request as CoordinatorRequest<'offset-fetch'>);
    case 'offset-delete':
      return handleOffsetDelete(ctx, request as CoordinatorRequest<'offset-delete'>);
    case 'describe-groups':
      return handleDescribeGroups(ctx, request as CoordinatorRequest<'describe-groups'>);
    case 'list-groups':
      return handleListGroups(ctx, request as CoordinatorRequest<'list-groups'>);
    case 'delete-groups':
      return handleDeleteGroups(ctx, request as CoordinatorRequest<'delete-groups'>);
    case 'txn-offset-commit':
      return handleTxnOffsetCommit(ctx, request as CoordinatorRequest<'txn-offset-commit'>);
  }
}
