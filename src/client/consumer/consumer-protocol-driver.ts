import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';
import type { ConsumerGroupHeartbeatResponse } from '../../protocol/messages/index.js';
import { KafkaError } from '../errors.js';
import { ConsumerProtocolMember } from '../group/kip848/member.js';
import type { ConsumerMemberAction, TopicIdPartition } from '../group/kip848/types.js';
import type { CommitErrorKind, CommitIdentity, TopicPartition } from '../group/types.js';
import type { Cluster } from '../net/cluster.js';
import type { DriverHooks, MembershipDriver } from './group-driver.js';
import { COORDINATOR_LANE } from './offsets.js';
import type { ResolvedConsumerOptions } from './options.js';

/** Kafka's Uuid.randomUuid().toString(): 16 random bytes, base64url (KIP-1082 member ids). */
function newMemberId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The I/O shell around the KIP-848 member state machine (groupProtocol 'consumer'): it sends the
 * heartbeats the member asks for, turns topic ids into names (from metadata) for the rebalance
 * listener, runs the listener (commit-on-revoke included) before the member reports the partitions
 * gone, and arms the member's one timer. Against a broker without ConsumerGroupHeartbeat the
 * member fails with an error that says so.
 */
export class ConsumerProtocolDriver implements MembershipDriver {
  readonly member: ConsumerProtocolMember;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private coordinator: number | null = null;
  private subscription: string[] = [];
  private coordinatorWaiters: Array<() => void> = [];
  private closedWaiters: Array<() => void> = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly options: ResolvedConsumerOptions,
    private readonly hooks: DriverHooks,
  ) {
    this.member = new ConsumerProtocolMember({
      groupId: options.groupId,
      groupInstanceId: options.groupInstanceId,
      rackId: options.clientRack,
      rebalanceTimeoutMs: options.maxPollIntervalMs,
      serverAssignor: options.groupRemoteAssignor,
      retryBackoffMs: options.client.retryBackoffMs,
      memberId: newMemberId(),
    });
  }

  get groupId(): string {
    return this.options.groupId;
  }
  get clientId(): string {
    return this.options.client.clientId;
  }
  /** The member epoch stands for the generation (commits carry it as OffsetCommit v9's MemberEpoch). */
  get generation(): { generationId: number; memberId: string } {
    return { generationId: this.member.memberEpoch > 0 ? this.member.memberEpoch : -1, memberId: this.member.memberId };
  }
  get stable(): boolean {
    return this.member.state === 'stable';
  }

  private now(): number {
    return this.options.client.clock.nowMs();
  }

  subscribe(topics: readonly string[]): void {
    this.subscription = [...new Set(topics)].sort();
    this.apply(this.member.subscribe({ topics: this.subscription }, this.now()));
  }

  /** The broker assigns from its own metadata: partition count changes need nothing here. */
  metadataUpdated(): void {}

  metadataTopics(): string[] {
    return [...this.subscription];
  }

  commitIdentity(): CommitIdentity | null {
    const id = this.member.commitIdentity();
    return id === null ? null : { generationId: id.memberEpoch, memberId: id.memberId, groupInstanceId: this.options.groupInstanceId };
  }

  rebalancing(): boolean {
    return this.member.state === 'joining' || this.member.state === 'reconciling' || this.member.state === 'fenced' || this.member.state === 'unjoined';
  }

  /** Java's KIP-848 commit handling: a stale epoch is retried with the next one, a lost membership is final. */
  commitFailed(errorCode: number): CommitErrorKind {
    switch (errorCode) {
      case ErrorCode.STALE_MEMBER_EPOCH:
      case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
      case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
        return 'retry';
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      case ErrorCode.NOT_COORDINATOR:
      case ErrorCode.REQUEST_TIMED_OUT:
      case ErrorCode.NETWORK_EXCEPTION:
        this.cluster.invalidateCoordinator(this.groupId);
        return 'retry';
      case ErrorCode.UNKNOWN_MEMBER_ID:
      case ErrorCode.ILLEGAL_GENERATION:
        return 'commit-failed';
      default:
        return 'fatal';
    }
  }

  async coordinatorNode(): Promise<number> {
    if (this.coordinator !== null) return this.coordinator;
    return this.cluster.coordinator(this.groupId);
  }

  /** No poll deadline here: the rebalance timeout sent to the broker bounds a stuck revocation. */
  progress(): void {
    this.tick();
  }

  tick(): void {
    if (this.stopped) return;
    this.apply(this.member.tick(this.now()));
  }

  async close(leaveGroup: boolean): Promise<void> {
    void leaveGroup; // a static member leaves with epoch -2 (keeps its partitions), a dynamic one with -1
    if (this.member.state === 'closed' || this.member.state === 'failed') {
      this.stop();
      return;
    }
    const closed = new Promise<void>((resolve) => this.closedWaiters.push(resolve));
    this.apply(this.member.close(this.now()));
    await closed;
    this.stop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.coordinatorWaiters.splice(0)) w();
    for (const w of this.closedWaiters.splice(0)) w();
  }

  private apply(actions: ConsumerMemberAction[]): void {
    for (const a of actions) this.execute(a);
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
      this.tick();
    }, Math.max(0, at - this.now()));
  }

  private execute(action: ConsumerMemberAction): void {
    switch (action.type) {
      case 'find-coordinator':
        this.coordinator = null;
        this.cluster.invalidateCoordinator(this.groupId);
        this.cluster.coordinator(this.groupId).then(
          (node) => {
            this.coordinator = node;
            this.apply(this.member.coordinatorFound(node, this.now()));
          },
          (err) => this.apply(this.member.coordinatorLookupFailed(err instanceof KafkaError ? err.code : ErrorCode.NETWORK_EXCEPTION, this.now())),
        );
        return;
      case 'send':
        this.send(action.requestId, action.coordinator, action.body);
        return;
      case 'revoke':
        this.callbacks(action.token, async () => this.hooks.onRevoke(await this.named(action.partitions), action.lost));
        return;
      case 'assign':
        this.callbacks(action.token, async () => {
          const [assigned, added] = await Promise.all([this.named(action.assigned), this.named(action.added)]);
          await this.hooks.onAssign(assigned, added, []);
        });
        return;
      case 'event':
        this.options.client.logger.debug(`group ${this.groupId}: ${action.event.name}`, { ...action.event });
        return;
      case 'fatal':
        this.hooks.onFatal(new KafkaError(action.errorCode, { groupId: this.groupId }, action.message));
        return;
    }
  }

  /** Topic names for the listener; unknown ids are looked up in fresh metadata first. */
  private async named(partitions: readonly TopicIdPartition[]): Promise<TopicPartition[]> {
    const byId = () => new Map([...this.cluster.cache.topics.values()].map((t) => [t.topicId, t.name]));
    let names = byId();
    if (partitions.some((p) => !names.has(p.topicId))) {
      await this.cluster.metadata({ topics: 'all', force: true }).catch(() => {});
      names = byId();
    }
    return partitions.flatMap((p) => {
      const topic = names.get(p.topicId);
      return topic === undefined ? [] : [{ topic, partition: p.partition }];
    });
  }

  private callbacks(token: number, run: () => Promise<void>): void {
    run()
      .catch((err) => this.options.client.logger.error('rebalance listener failed', { groupId: this.groupId, error: String(err) }))
      .finally(() => this.apply(this.member.callbacksDone(token, this.now())));
  }

  private send(requestId: number, coordinator: number, body: Parameters<Cluster['request']>[2]): void {
    const timeoutMs = this.options.client.requestTimeoutMs;
    this.cluster.request(coordinator, 68, body as never, { lane: COORDINATOR_LANE, timeoutMs, retries: 0 }).then(
      ({ response }) => this.apply(this.member.receive(requestId, response as ConsumerGroupHeartbeatResponse, this.now())),
      (err) => {
        if (err instanceof KafkaError && err.code === ErrorCode.UNSUPPORTED_VERSION) {
          // The broker has no ConsumerGroupHeartbeat: the member stops with a clear error.
          const refused: ConsumerGroupHeartbeatResponse = { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: err.message, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
          this.apply(this.member.receive(requestId, refused, this.now()));
          return;
        }
        this.options.client.logger.warn('ConsumerGroupHeartbeat failed', { groupId: this.groupId, error: String(err) });
        this.apply(this.member.requestFailed(requestId, this.now()));
      },
    );
  }
}
