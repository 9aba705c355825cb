import { ErrorCode } from '../../protocol/errors.js';
import type { ApiKey } from '../../protocol/messages/index.js';
import { KafkaError } from '../errors.js';
import { GroupMember, type GroupResponse } from '../group/member.js';
import type { CommitErrorKind, CommitIdentity, GroupAction, GroupRequest, TopicPartition } from '../group/types.js';
import type { Cluster } from '../net/cluster.js';
import { publishGroupEvent } from './events.js';
import { COORDINATOR_LANE, type GroupHandle } from './offsets.js';
import type { ResolvedConsumerOptions } from './options.js';

export interface DriverHooks {
  /** Give these partitions up (stop, wait, commit unless lost, run the listener). */
  onRevoke(partitions: TopicPartition[], lost: boolean): Promise<void>;
  /** A generation's assignment: revoke `revoked` (cooperative), then take `added`. */
  onAssign(assigned: TopicPartition[], added: TopicPartition[], revoked: TopicPartition[]): Promise<void>;
  onFatal(err: KafkaError): void;
  /** When the oldest handler still running started (poll progress), or null. */
  oldestActiveStartMs(): number | null;
}

/** What the consumer needs of its group membership, whichever protocol (classic or KIP-848) it speaks. */
export interface MembershipDriver extends GroupHandle {
  readonly generation: { generationId: number; memberId: string };
  /** In a settled assignment (no rebalance running): auto-commit runs only then. */
  readonly stable: boolean;
  subscribe(topics: readonly string[]): void;
  metadataUpdated(partitionsPerTopic: ReadonlyMap<string, number>): void;
  /** Topics whose partition counts the consumer should watch for the member. */
  metadataTopics(): string[];
  progress(): void;
  tick(): void;
  close(leaveGroup: boolean): Promise<void>;
  stop(): void;
}

const API_KEYS: Record<GroupRequest['api'], ApiKey> = { JoinGroup: 11, SyncGroup: 14, Heartbeat: 12, LeaveGroup: 13 };
/** JoinGroup and SyncGroup park at the coordinator, so they get a connection of their own. */
const JOIN_LANE = 'group';
/** Java's allowance on top of the rebalance timeout for a JoinGroup answer. */
const JOIN_TIMEOUT_EXTRA_MS = 5_000;

/**
 * The I/O shell around the pure GroupMember: it carries out the member's actions over the
 * connection layer, feeds answers and time back in, and arms the one timer the member asks for.
 * Heartbeats therefore run on the event loop whatever the handlers do (KIP-62), and the
 * listener callbacks run here, awaited before the member may rejoin.
 */
export class GroupDriver implements MembershipDriver {
  readonly member: GroupMember;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private coordinatorWaiters: Array<() => void> = [];
  private closedWaiters: Array<() => void> = [];
  private pendingLeave: Promise<unknown> | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: ResolvedConsumerOptions,
    private readonly hooks: DriverHooks,
  ) {
    this.member = new GroupMember({
      groupId: options.groupId,
      groupInstanceId: options.groupInstanceId,
      sessionTimeoutMs: options.sessionTimeoutMs,
      rebalanceTimeoutMs: options.maxPollIntervalMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      retryBackoffMs: options.client.retryBackoffMs,
      maxPollIntervalMs: options.maxPollIntervalMs,
      assignors: options.assignors,
      rackId: options.clientRack,
    });
  }

  get groupId(): string {
    return this.options.groupId;
  }
  get clientId(): string {
    return this.options.client.clientId;
  }
  get generation(): { generationId: number; memberId: string } {
    const g = this.member.generation;
    return { generationId: g.generationId, memberId: g.memberId };
  }
  get stable(): boolean {
    return this.member.state === 'stable';
  }

  metadataTopics(): string[] {
    return this.member.metadataTopics();
  }

  private now(): number {
    return this.options.client.clock.nowMs();
  }

  subscribe(topics: readonly string[]): void {
    this.apply(this.member.subscribe(topics, this.now()));
  }

  metadataUpdated(partitionsPerTopic: ReadonlyMap<string, number>): void {
    this.apply(this.member.metadataUpdated(partitionsPerTopic, this.now()));
  }

  commitIdentity(): CommitIdentity | null {
    return this.member.commitIdentity();
  }

  rebalancing(): boolean {
    const s = this.member.state;
    return s !== 'stable' && s !== 'closed' && s !== 'failed';
  }

  commitFailed(errorCode: number, sent: CommitIdentity): CommitErrorKind {
    const { kind, actions } = this.member.commitFailed(errorCode, sent, this.now());
    this.apply(actions);
    return kind;
  }

  async coordinatorNode(): Promise<number> {
    for (;;) {
      const node = this.member.coordinator;
      if (node !== null) return node;
      // A consumer that is not (or no longer) a member asks the connection layer directly.
      if (this.stopped || this.member.closing || this.member.subscription.length === 0 || this.member.state === 'failed') {
        return this.cluster.coordinator(this.groupId);
      }
      await new Promise<void>((resolve) => {
        this.coordinatorWaiters.push(resolve);
        this.tick();
      });
    }
  }

  /** The application made progress: tell the member (see Processor.oldestActiveStartMs). */
  progress(): void {
    const oldest = this.hooks.oldestActiveStartMs();
    const now = this.now();
    // With a handler running, progress dates from when it started (and does not end a poll
    // timeout: the member rejoins only once that handler returned).
    this.apply(this.member.poll(now, oldest ?? now));
  }

  tick(): void {
    if (this.stopped) return;
    this.apply(this.member.tick(this.now()));
  }

  /** Revokes (with the listener), leaves unless static, and stops. */
  async close(leaveGroup: boolean): Promise<void> {
    if (this.member.state === 'closed' || this.member.state === 'failed') {
      this.stop();
      return;
    }
    const closed = new Promise<void>((resolve) => this.closedWaiters.push(resolve));
    this.apply(this.member.close(this.now(), { leaveGroup }));
    await closed;
    if (this.pendingLeave !== null) await this.pendingLeave.catch(() => {});
    this.stop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.coordinatorWaiters.splice(0)) w();
    for (const w of this.closedWaiters.splice(0)) w();
  }

  apply(actions: GroupAction[]): void {
    for (const action of actions) this.execute(action);
    if (this.member.coordinator !== null) for (const w of this.coordinatorWaiters.splice(0)) w();
    if (this.member.state === 'closed' || this.member.state === 'failed') for (const w of this.closedWaiters.splice(0)) w();
    this.arm();
  }

  private arm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    const at = this.member.nextDeadlineMs();
    if (at === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.progress();
    }, Math.max(0, at - this.now()));
  }

  private execute(action: GroupAction): void {
    switch (action.type) {
      case 'find-coordinator':
        this.cluster.invalidateCoordinator(this.groupId);
        this.cluster.coordinator(this.groupId).then(
          (node) => this.apply(this.member.coordinatorFound(node, this.now())),
          (err) => this.apply(this.member.coordinatorLookupFailed(err instanceof KafkaError ? err.code : ErrorCode.NETWORK_EXCEPTION, this.now())),
        );
        return;
      case 'send':
        this.send(action.requestId, action.coordinator, action.request);
        return;
      case 'need-metadata': {
        const answer = () => {
          const cache = this.cluster.cache;
          this.apply(this.member.leaderMetadata(action.requestId, new Map(action.topics.map((t) => [t, cache.partitionCount(t)])), this.now(), this.partitionRacks(action.topics)));
        };
        this.cluster.metadata({ topics: action.topics, force: true }).then(answer, answer);
        return;
      }
      case 'revoke':
        this.callbacks(action.token, () => this.hooks.onRevoke(action.partitions, action.lost));
        return;
      case 'assign':
        this.callbacks(action.token, () => this.hooks.onAssign(action.assigned, action.added, action.revoked));
        return;
      case 'event':
        publishGroupEvent(this.clientId, this.groupId, this.options.groupInstanceId, action.event);
        this.options.client.logger.debug(`group ${this.groupId}: ${action.event.name}`, { ...action.event });
        return;
      case 'fatal':
        this.hooks.onFatal(new KafkaError(action.errorCode, { groupId: this.groupId }, action.message));
        return;
    }
  }

  /** Racks of each partition's replicas (KIP-881), or undefined when no broker has a rack. */
  private partitionRacks(topics: readonly string[]): Map<string, string[][]> | undefined {
    const cache = this.cluster.cache;
    if (![...cache.brokers.values()].some((b) => b.rack !== null)) return undefined;
    const out = new Map<string, string[][]>();
    for (const t of topics) {
      const info = cache.topics.get(t);
      if (info === undefined) continue;
      out.set(t, info.partitions.map((p) => (p?.replicas ?? []).map((id) => cache.brokers.get(id)?.rack ?? null).filter((r): r is string => r !== null)));
    }
    return out;
  }

  private callbacks(token: number, run: () => Promise<void>): void {
    run().catch((err) => {
      this.options.client.logger.error('rebalance listener failed', { groupId: this.groupId, error: String(err) });
    }).finally(() => this.apply(this.member.callbacksDone(token, this.now())));
  }

  private send(requestId: number, coordinator: number, request: GroupRequest): void {
    const joinLike = request.api === 'JoinGroup' || request.api === 'SyncGroup';
    const timeoutMs = joinLike
      ? Math.max(this.options.client.requestTimeoutMs, this.options.maxPollIntervalMs + JOIN_TIMEOUT_EXTRA_MS)
      : Math.min(this.options.client.requestTimeoutMs, this.options.sessionTimeoutMs);
    const sent = this.cluster.request(coordinator, API_KEYS[request.api], request.body as never, { lane: joinLike ? JOIN_LANE : COORDINATOR_LANE, timeoutMs, retries: 0 });
    if (request.api === 'LeaveGroup') this.pendingLeave = sent;
    sent.then(
      ({ response }) => this.apply(this.member.receive(requestId, response as GroupResponse, this.now())),
      (err) => {
        this.options.client.logger.warn(`${request.api} to the group coordinator failed`, { groupId: this.groupId, error: String(err) });
        this.apply(this.member.requestFailed(requestId, err instanceof KafkaError ? err.code : ErrorCode.NETWORK_EXCEPTION, this.now()));
      },
    );
  }
}
