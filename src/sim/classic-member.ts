import type { Assignor } from '../assignors/types.js';
import type { Prng } from '../common/prng.js';
import type { CoordinatorApi } from '../coordinator/index.js';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../protocol/consumer-protocol.js';
import { ErrorCode, errorName } from '../protocol/errors.js';
import type {
  HeartbeatResponseInit,
  JoinGroupResponseInit,
  OffsetCommitResponseInit,
  OffsetFetchResponseInit,
  SyncGroupResponseInit,
} from '../protocol/messages/index.js';
import type { OwnershipClaim, SimMember, SimMemberPort, SimPartition } from './member.js';

export interface ClassicSimMemberOptions {
  name: string;
  groupId: string;
  clientId: string;
  /** group.instance.id: a static member (KIP-345) when set. */
  instanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  commitIntervalMs: number;
  topics: readonly string[];
  partitionsPerTopic: ReadonlyMap<string, number>;
  assignor: Assignor;
  /** JoinGroup version: below 4 there is no MEMBER_ID_REQUIRED step; 9 brings SkipAssignment. */
  joinVersion: number;
  /** OffsetCommit version (2-9). */
  commitVersion: number;
  /** Send commits on a connection of their own (they may then arrive after a later JoinGroup). */
  commitConnection?: boolean;
  prng: Prng;
}

type Phase = 'idle' | 'joining' | 'syncing' | 'fetching' | 'stable' | 'stopped';

interface InFlight {
  readonly api: CoordinatorApi;
  readonly deadlineMs: number;
}

/** Errors after which the Java consumer gives up for good. */
const FATAL_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.FENCED_INSTANCE_ID,
  ErrorCode.GROUP_MAX_SIZE_REACHED,
  ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  ErrorCode.INVALID_SESSION_TIMEOUT,
]);

const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);

/**
 * A consumer following the classic protocol with eager rebalancing, like the Java client with
 * the range or roundrobin assignor: join (MEMBER_ID_REQUIRED rejoin on v4+), sync (the leader
 * assigns), fetch committed offsets, then heartbeat and commit while "consuming". It commits
 * its positions and gives up every partition before it rejoins.
 */
export class ClassicSimMember implements SimMember {
  readonly name: string;
  private phase: Phase = 'idle';
  private memberId = '';
  private generationId = -1;
  private owned: SimPartition[] = [];
  private ownedGeneration = -1;
  private readonly positions = new Map<string, number>();
  private readonly inFlight = new Map<number, InFlight>();
  private rejoinAtMs: number | null = null;
  private nextHeartbeatMs: number | null = null;
  private nextCommitMs: number | null = null;
  private lastClaim: OwnershipClaim | null = null;

  constructor(
    private readonly port: SimMemberPort,
    private readonly o: ClassicSimMemberOptions,
  ) {
    this.name = o.name;
  }

  get stopped(): boolean {
    return this.phase === 'stopped';
  }

  /** Member id and generation as the member knows them (for traces and scenario tests). */
  get identity(): { memberId: string; generationId: number; phase: string } {
    return { memberId: this.memberId, generationId: this.generationId, phase: this.phase };
  }

  start(nowMs: number): void {
    this.phase = 'idle';
    this.memberId = '';
    this.generationId = -1;
    this.dropOwnership();
    this.inFlight.clear();
    this.rejoinAtMs = nowMs;
    this.nextHeartbeatMs = null;
    this.nextCommitMs = null;
  }

  /** The same object until ownership changes, so the simulator can tell cheaply that nothing moved. */
  claim(): OwnershipClaim | null {
    if (this.phase !== 'stable' && this.phase !== 'fetching') return null;
    const c = this.lastClaim;
    if (c !== null && c.partitions === this.owned && c.memberId === this.memberId && c.generationId === this.ownedGeneration) return c;
    this.lastClaim = { memberId: this.memberId, generationId: this.ownedGeneration, partitions: this.owned };
    return this.lastClaim;
  }

  nextWakeMs(): number | null {
    if (this.phase === 'stopped') return null;
    let next: number | null = null;
    const consider = (t: number | null): void => {
      if (t !== null && (next === null || t < next)) next = t;
    };
    for (const f of this.inFlight.values()) consider(f.deadlineMs);
    if (this.phase === 'idle') consider(this.rejoinAtMs);
    if (this.hasGeneration()) consider(this.nextHeartbeatMs);
    if (this.phase === 'stable') consider(this.nextCommitMs);
    return next;
  }

  wake(nowMs: number): void {
    if (this.phase === 'stopped') return;
    for (const [id, f] of [...this.inFlight]) {
      if (f.deadlineMs <= nowMs) {
        this.port.trace(`${this.name} ${f.api} #${id} timed out`);
        this.fail(id, nowMs);
      }
    }
    if (this.phase === 'idle' && this.rejoinAtMs !== null && this.rejoinAtMs <= nowMs) this.sendJoin(nowMs);
    if (this.hasGeneration() && this.nextHeartbeatMs !== null && this.nextHeartbeatMs <= nowMs) {
      if (!this.hasInFlight('heartbeat')) this.sendHeartbeat(nowMs);
      this.nextHeartbeatMs = nowMs + this.o.heartbeatIntervalMs;
    }
    if (this.phase === 'stable' && this.nextCommitMs !== null && this.nextCommitMs <= nowMs) {
      this.consume();
      if (!this.hasInFlight('offset-commit')) this.sendCommit(nowMs);
      this.nextCommitMs = nowMs + this.o.commitIntervalMs;
    }
  }

  resume(nowMs: number): void {
    if (this.phase !== 'stable') return;
    this.consume();
    this.port.trace(`${this.name} resumes and commits generation ${this.ownedGeneration}`);
    this.sendCommit(nowMs);
  }

  fail(requestId: number, nowMs: number): void {
    const f = this.inFlight.get(requestId);
    if (f === undefined) return;
    this.inFlight.delete(requestId);
    // A lost JoinGroup/SyncGroup/OffsetFetch: start the join again, keeping the member id.
    if (f.api === 'join' || f.api === 'sync' || f.api === 'offset-fetch') this.rejoinLater(nowMs, this.o.retryBackoffMs);
  }

  receive(requestId: number, response: unknown, nowMs: number): void {
    const f = this.inFlight.get(requestId);
    if (f === undefined || this.phase === 'stopped') return; // timed out already, or a stale answer
    this.inFlight.delete(requestId);
    switch (f.api) {
      case 'join':
        return this.onJoin(response as JoinGroupResponseInit, nowMs);
      case 'sync':
        return this.onSync(response as SyncGroupResponseInit, nowMs);
      case 'offset-fetch':
        return this.onFetch(response as OffsetFetchResponseInit, nowMs);
      case 'heartbeat':
        return this.onGroupError((response as HeartbeatResponseInit).errorCode, 'heartbeat', nowMs);
      case 'offset-commit': {
        const codes = (response as OffsetCommitResponseInit).topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
        const bad = codes.find((c) => c !== ErrorCode.NONE && c !== ErrorCode.REBALANCE_IN_PROGRESS);
        if (bad !== undefined) this.onGroupError(bad, 'offset-commit', nowMs);
        return;
      }
      default:
        return;
    }
  }

  // ---- requests ----

  private send(api: CoordinatorApi, version: number, body: object, timeoutMs: number, nowMs: number): number {
    const connection = api === 'offset-commit' && this.o.commitConnection === true ? 'commits' : 'main';
    const id = this.port.send(api, version, body as never, { connection });
    this.inFlight.set(id, { api, deadlineMs: nowMs + timeoutMs });
    return id;
  }

  private sendJoin(nowMs: number): void {
    this.forgetMembershipRequests();
    this.rejoinAtMs = null;
    this.phase = 'joining';
    this.nextHeartbeatMs = null;
    this.nextCommitMs = null;
    const metadata = encodeSubscription({ topics: [...this.o.topics] }, 0);
    this.send(
      'join',
      this.o.joinVersion,
      {
        groupId: this.o.groupId,
        sessionTimeoutMs: this.o.sessionTimeoutMs,
        rebalanceTimeoutMs: this.o.rebalanceTimeoutMs,
        memberId: this.memberId,
        groupInstanceId: this.o.instanceId,
        protocolType: 'consumer',
        protocols: [{ name: this.o.assignor.name, metadata }],
        reason: null,
      },
      // The Java client waits for a JoinGroup up to the rebalance timeout plus 5 s.
      this.o.rebalanceTimeoutMs + 5000,
      nowMs,
    );
  }

  private sendSync(nowMs: number, assignments: { memberId: string; assignment: Buffer }[]): void {
    this.phase = 'syncing';
    this.nextHeartbeatMs = nowMs + this.o.heartbeatIntervalMs;
    this.send(
      'sync',
      3,
      { groupId: this.o.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.o.instanceId, protocolType: null, protocolName: null, assignments },
      this.o.requestTimeoutMs,
      nowMs,
    );
  }

  private sendHeartbeat(nowMs: number): void {
    this.send(
      'heartbeat',
      3,
      { groupId: this.o.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.o.instanceId },
      this.o.requestTimeoutMs,
      nowMs,
    );
  }

  private sendCommit(nowMs: number): void {
    if (this.owned.length === 0) return;
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; commitTimestamp: number; committedMetadata: string | null }[]>();
    for (const p of this.owned) {
      if (!byTopic.has(p.topic)) byTopic.set(p.topic, []);
      byTopic.get(p.topic)!.push({ partitionIndex: p.partition, committedOffset: this.positions.get(key(p)) ?? 0, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: '' });
    }
    this.send(
      'offset-commit',
      this.o.commitVersion,
      {
        groupId: this.o.groupId,
        generationIdOrMemberEpoch: this.ownedGeneration,
        memberId: this.memberId,
        groupInstanceId: this.o.commitVersion >= 7 ? this.o.instanceId : null,
        retentionTimeMs: -1,
        topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
      },
      this.o.requestTimeoutMs,
      nowMs,
    );
  }

  // ---- responses ----

  private onJoin(r: JoinGroupResponseInit, nowMs: number): void {
    if (this.phase !== 'joining') return;
    if (r.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberId = r.memberId;
      this.sendJoin(nowMs);
      return;
    }
    if (r.errorCode !== ErrorCode.NONE) {
      this.port.trace(`${this.name} join failed: ${errorName(r.errorCode)}`);
      if (FATAL_ERRORS.has(r.errorCode)) return this.stop(r.errorCode);
      if (r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
      this.rejoinLater(nowMs, this.o.retryBackoffMs);
      return;
    }
    this.memberId = r.memberId;
    this.generationId = r.generationId ?? -1;
    const isLeader = r.leader === r.memberId && r.skipAssignment !== true;
    this.sendSync(nowMs, isLeader ? this.assign(r) : []);
  }

  /** The leader's job: run the assignor over the members' subscriptions. */
  private assign(r: JoinGroupResponseInit): { memberId: string; assignment: Buffer }[] {
    const members = r.members.map((m) => {
      const sub = decodeSubscription(Buffer.from(m.metadata));
      return { memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, topics: sub.topics, ownedPartitions: [], generationId: -1, rackId: null, userData: null };
    });
    const result = this.o.assignor.assign({ members, partitionsPerTopic: this.o.partitionsPerTopic });
    return [...result].map(([memberId, a]) => ({
      memberId,
      assignment: encodeAssignment({ assignedPartitions: a.partitions.map((p) => ({ topic: p.topic, partitions: p.partitions })), userData: null }, 0),
    }));
  }

  private onSync(r: SyncGroupResponseInit, nowMs: number): void {
    if (this.phase !== 'syncing') return;
    if (r.errorCode !== ErrorCode.NONE) {
      this.port.trace(`${this.name} sync failed: ${errorName(r.errorCode)}`);
      return this.onGroupError(r.errorCode, 'sync', nowMs);
    }
    const decoded = decodeAssignment(Buffer.from(r.assignment));
    this.owned = decoded.assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
    this.ownedGeneration = this.generationId;
    this.phase = 'fetching';
    this.send(
      'offset-fetch',
      7,
      { groupId: this.o.groupId, topics: topicsOf(this.owned), groups: [], requireStable: true },
      this.o.requestTimeoutMs,
      nowMs,
    );
  }

  private onFetch(r: OffsetFetchResponseInit, nowMs: number): void {
    if (this.phase !== 'fetching') return;
    for (const t of r.topics ?? []) {
      for (const p of t.partitions ?? []) {
        const committed = p.committedOffset ?? -1;
        this.positions.set(`${t.name}-${p.partitionIndex}`, committed < 0 ? 0 : committed);
      }
    }
    this.phase = 'stable';
    this.nextCommitMs = nowMs + this.o.commitIntervalMs;
  }

  /** Heartbeat, sync and commit errors, handled as the Java consumer does. */
  private onGroupError(errorCode: number, api: string, nowMs: number): void {
    if (errorCode === ErrorCode.NONE) return;
    if (FATAL_ERRORS.has(errorCode)) return this.stop(errorCode);
    if (COORDINATOR_ERRORS.has(errorCode)) {
      if (api === 'sync') this.rejoinLater(nowMs, this.o.retryBackoffMs);
      return;
    }
    if (!this.hasGeneration() && this.phase !== 'joining') return;
    if (this.phase === 'joining') return; // already rejoining
    this.port.trace(`${this.name} ${api}: ${errorName(errorCode)} -> rejoin`);
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
    // REBALANCE_IN_PROGRESS: commit what was consumed (eager), then rejoin at once.
    if (errorCode === ErrorCode.REBALANCE_IN_PROGRESS && this.phase === 'stable') this.sendCommit(nowMs);
    this.dropOwnership();
    this.sendJoin(nowMs);
  }

  // ---- helpers ----

  private rejoinLater(nowMs: number, delayMs: number): void {
    if (this.phase === 'stopped') return;
    this.forgetMembershipRequests();
    this.dropOwnership();
    this.phase = 'idle';
    this.rejoinAtMs = nowMs + delayMs;
    this.nextHeartbeatMs = null;
    this.nextCommitMs = null;
  }

  private stop(errorCode: number): void {
    this.port.trace(`${this.name} stops: ${errorName(errorCode)}`);
    this.phase = 'stopped';
    this.dropOwnership();
    this.inFlight.clear();
  }

  private dropOwnership(): void {
    this.owned = [];
    this.ownedGeneration = -1;
    this.positions.clear();
  }

  /** Answers to an abandoned join attempt are ignored. */
  private forgetMembershipRequests(): void {
    for (const [id, f] of [...this.inFlight]) {
      if (f.api === 'join' || f.api === 'sync' || f.api === 'offset-fetch') this.inFlight.delete(id);
    }
  }

  private hasGeneration(): boolean {
    return this.phase === 'syncing' || this.phase === 'fetching' || this.phase === 'stable';
  }

  private hasInFlight(api: CoordinatorApi): boolean {
    for (const f of this.inFlight.values()) if (f.api === api) return true;
    return false;
  }

  /** "Processing records": positions move forward by a random amount. */
  private consume(): void {
    for (const p of this.owned) {
      const k = key(p);
      this.positions.set(k, (this.positions.get(k) ?? 0) + this.o.prng.int(0, 20));
    }
  }
}

function key(p: SimPartition): string {
  return `${p.topic}-${p.partition}`;
}

function topicsOf(partitions: readonly SimPartition[]): { name: string; partitionIndexes: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const p of partitions) {
    if (!byTopic.has(p.topic)) byTopic.set(p.topic, []);
    byTopic.get(p.topic)!.push(p.partition);
  }
  return [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
}
