import { ErrorCode, errorName } from '../../../protocol/errors.js';
import type { ConsumerGroupHeartbeatRequestInit, ConsumerGroupHeartbeatResponse } from '../../../protocol/messages/index.js';
import type { ConsumerMemberAction, ConsumerMemberEvent, ConsumerMemberOptions, ConsumerMemberStateName, TopicIdPartition } from './types.js';

/** Errors after which the member cannot go on (the Java client's fatal heartbeat errors). */
const FATAL = new Set<number>([
  ErrorCode.FENCED_INSTANCE_ID,
  ErrorCode.UNRELEASED_INSTANCE_ID,
  ErrorCode.GROUP_MAX_SIZE_REACHED,
  ErrorCode.UNSUPPORTED_ASSIGNOR,
  ErrorCode.INVALID_REGULAR_EXPRESSION,
  ErrorCode.INVALID_REQUEST,
  ErrorCode.UNSUPPORTED_VERSION,
  ErrorCode.GROUP_AUTHORIZATION_FAILED,
  ErrorCode.TOPIC_AUTHORIZATION_FAILED,
]);
/** Errors after which the coordinator must be looked up again. */
const COORDINATOR_MOVED = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE]);

export type Subscription = { readonly topics: readonly string[] } | { readonly regex: string };

interface Reconciliation {
  token: number;
  step: 'revoke' | 'assign' | 'lost' | 'leave';
  revoked: TopicIdPartition[];
  added: TopicIdPartition[];
  assigned: TopicIdPartition[];
  startedMs: number;
}

const key = (tp: TopicIdPartition): string => `${tp.topicId}:${tp.partition}`;
const sorted = (list: Iterable<TopicIdPartition>): TopicIdPartition[] =>
  [...list].sort((a, b) => (a.topicId < b.topicId ? -1 : a.topicId > b.topicId ? 1 : a.partition - b.partition));

/**
 * A consumer group member speaking the KIP-848 protocol, as a sans-I/O state machine: one RPC
 * (ConsumerGroupHeartbeat) carries the subscription and what the member owns; the coordinator
 * answers with the partitions the member may own now. The member reconciles on its own, revoke
 * first (onPartitionsRevoked, then it reports the smaller set), then assign; nobody else waits.
 * Every input takes `nowMs` and returns the actions for the shell (send, find the coordinator,
 * run the listener); it never reads a clock. It follows the Java client's ConsumerMembershipManager.
 */
export class ConsumerProtocolMember {
  state: ConsumerMemberStateName = 'unjoined';
  memberId: string;
  memberEpoch = 0;
  private subscription: Subscription | null = null;
  /** The subscription the coordinator has acknowledged (null: send it next time). */
  private sentSubscription: string | null = null;
  private owned = new Map<string, TopicIdPartition>();
  private target: TopicIdPartition[] | null = null;
  private recon: Reconciliation | null = null;
  private fencePending = false;
  private closeRequested = false;
  private coordinator: number | null = null;
  private findingCoordinator = false;
  private inFlight: { requestId: number; leaving: boolean } | null = null;
  private heartbeatIntervalMs = 0;
  private nextHeartbeatAtMs = 0;
  private retryAtMs = 0;
  private sendFull = true;
  private nextRequestId = 1;
  private nextToken = 1;
  private out: ConsumerMemberAction[] = [];

  constructor(private readonly o: ConsumerMemberOptions) {
    if (o.rebalanceTimeoutMs <= 0) throw new RangeError('rebalanceTimeoutMs must be positive');
    this.memberId = o.memberId;
  }

  /** What the member owns now. */
  get ownedPartitions(): TopicIdPartition[] {
    return sorted(this.owned.values());
  }

  /** The member id and epoch an OffsetCommit/OffsetFetch v9 must carry; null before it joined. */
  commitIdentity(): { memberId: string; memberEpoch: number } | null {
    return this.memberEpoch > 0 && (this.state === 'stable' || this.state === 'reconciling' || this.state === 'leaving') ? { memberId: this.memberId, memberEpoch: this.memberEpoch } : null;
  }

  subscribe(subscription: Subscription, nowMs: number): ConsumerMemberAction[] {
    this.subscription = subscription;
    if (this.state === 'stable' || this.state === 'reconciling') this.nextHeartbeatAtMs = nowMs;
    return this.advance(nowMs);
  }

  coordinatorFound(nodeId: number, nowMs: number): ConsumerMemberAction[] {
    this.findingCoordinator = false;
    this.coordinator = nodeId;
    this.event({ name: 'coordinator', nodeId, reason: 'found' });
    return this.advance(nowMs);
  }

  coordinatorLookupFailed(_errorCode: number, nowMs: number): ConsumerMemberAction[] {
    this.findingCoordinator = false;
    this.retryAtMs = nowMs + this.o.retryBackoffMs;
    return this.advance(nowMs);
  }

  /** The connection to the coordinator broke, or the heartbeat timed out: look it up and resend in full. */
  requestFailed(requestId: number, nowMs: number): ConsumerMemberAction[] {
    if (this.inFlight?.requestId !== requestId) return this.advance(nowMs);
    const leaving = this.inFlight.leaving;
    this.inFlight = null;
    if (leaving) return this.finishLeaving(nowMs);
    this.lostCoordinator('request failed', nowMs);
    return this.advance(nowMs);
  }

  receive(requestId: number, response: ConsumerGroupHeartbeatResponse, nowMs: number): ConsumerMemberAction[] {
    if (this.inFlight?.requestId !== requestId) return this.advance(nowMs);
    const leaving = this.inFlight.leaving;
    this.inFlight = null;
    if (leaving) return this.finishLeaving(nowMs);
    if (response.errorCode !== ErrorCode.NONE) {
      this.onError(response.errorCode, response.errorMessage, nowMs);
      return this.advance(nowMs);
    }
    if (response.memberId !== null && response.memberId !== '') this.memberId = response.memberId;
    const joined = this.state === 'joining';
    this.memberEpoch = response.memberEpoch;
    this.heartbeatIntervalMs = response.heartbeatIntervalMs;
    this.nextHeartbeatAtMs = nowMs + Math.max(1, this.heartbeatIntervalMs);
    this.sendFull = false;
    this.sentSubscription = subscriptionKey(this.subscription);
    if (joined) {
      this.state = 'stable';
      this.event({ name: 'joined', memberId: this.memberId, memberEpoch: this.memberEpoch });
    }
    if (response.assignment !== null && this.state !== 'fenced' && this.state !== 'leaving') {
      this.target = sorted(response.assignment.topicPartitions.flatMap((t) => t.partitions.map((partition) => ({ topicId: t.topicId, partition }))));
      this.maybeReconcile(nowMs);
    }
    return this.advance(nowMs);
  }

  /** The shell finished the listener of a revoke or assign action. */
  callbacksDone(token: number, nowMs: number): ConsumerMemberAction[] {
    const r = this.recon;
    if (r === null || r.token !== token) return this.advance(nowMs);
    switch (r.step) {
      case 'revoke':
        for (const tp of r.revoked) this.owned.delete(key(tp));
        // The assign step follows every revocation, with nothing added too: the listener hears
        // onPartitionsAssigned after each reconciliation, as Java's consumer calls it.
        r.step = 'assign';
        r.token = this.nextToken++;
        this.out.push({ type: 'assign', token: r.token, memberId: this.memberId, memberEpoch: this.memberEpoch, added: r.added, assigned: r.assigned });
        return this.advance(nowMs);
      case 'assign':
        for (const tp of r.added) this.owned.set(key(tp), tp);
        return this.finishReconciliation(r, nowMs);
      case 'lost':
        this.recon = null;
        this.owned.clear();
        this.rejoin(nowMs);
        return this.advance(nowMs);
      case 'leave':
        this.recon = null;
        this.owned.clear();
        return this.advance(nowMs);
    }
  }

  /**
   * Leaves the group: revokes what it owns (the shell commits), then sends epoch -1, or -2 for a
   * static member (KIP-848: it keeps its partitions until its session times out, for a restart).
   */
  close(nowMs: number): ConsumerMemberAction[] {
    if (this.state === 'closed' || this.state === 'failed') return [];
    this.closeRequested = true;
    if (this.memberEpoch === 0 && this.owned.size === 0 && this.recon === null) {
      this.state = 'closed';
      return this.drain();
    }
    if (this.recon === null) this.startLeaving(nowMs);
    return this.advance(nowMs);
  }

  tick(nowMs: number): ConsumerMemberAction[] {
    return this.advance(nowMs);
  }

  nextDeadlineMs(): number | null {
    if (this.state === 'closed' || this.state === 'failed' || this.findingCoordinator || this.inFlight !== null) return null;
    if (this.coordinator === null || this.state === 'unjoined') return this.subscription === null && !this.closeRequested ? null : this.retryAtMs;
    if (this.state === 'stable' || this.state === 'reconciling') return this.nextHeartbeatAtMs;
    if (this.state === 'leaving' && this.recon === null) return this.retryAtMs;
    return null;
  }

  // ---- internals ----

  private advance(nowMs: number): ConsumerMemberAction[] {
    if (this.state === 'closed' || this.state === 'failed' || this.inFlight !== null) return this.drain();
    if (this.subscription === null && !this.closeRequested) return this.drain();
    if (this.coordinator === null) {
      if (!this.findingCoordinator && nowMs >= this.retryAtMs) {
        this.findingCoordinator = true;
        this.out.push({ type: 'find-coordinator', groupId: this.o.groupId });
      }
      return this.drain();
    }
    if (this.state === 'leaving') {
      if (this.recon === null && nowMs >= this.retryAtMs) this.send(this.leaveBody(), true);
    } else if (this.state === 'unjoined' && nowMs >= this.retryAtMs) {
      this.state = 'joining';
      this.memberEpoch = 0;
      this.sendFull = true;
      this.send(this.heartbeatBody(), false);
    } else if ((this.state === 'stable' || this.state === 'reconciling') && nowMs >= this.nextHeartbeatAtMs) {
      this.send(this.heartbeatBody(), false);
    }
    return this.drain();
  }

  private send(body: ConsumerGroupHeartbeatRequestInit, leaving: boolean): void {
    const requestId = this.nextRequestId++;
    this.inFlight = { requestId, leaving };
    this.out.push({ type: 'send', requestId, coordinator: this.coordinator!, body });
  }

  private heartbeatBody(): ConsumerGroupHeartbeatRequestInit {
    const full = this.sendFull || this.memberEpoch === 0;
    const sub = this.subscription;
    const changed = full || subscriptionKey(sub) !== this.sentSubscription;
    const byTopic = new Map<string, number[]>();
    for (const tp of this.ownedPartitions) byTopic.set(tp.topicId, [...(byTopic.get(tp.topicId) ?? []), tp.partition]);
    return {
      groupId: this.o.groupId,
      // v0: a joining member lets the coordinator choose its id.
      memberId: (this.o.heartbeatVersion ?? 1) === 0 && this.memberEpoch === 0 ? '' : this.memberId,
      memberEpoch: this.memberEpoch,
      instanceId: full ? (this.o.groupInstanceId ?? null) : null,
      rackId: full ? (this.o.rackId ?? null) : null,
      rebalanceTimeoutMs: full ? this.o.rebalanceTimeoutMs : -1,
      // Both or neither, as librdkafka sends them (its mock coordinator insists): "" means no regex.
      subscribedTopicNames: changed && sub !== null ? ('topics' in sub ? [...sub.topics] : []) : null,
      subscribedTopicRegex: changed && sub !== null ? ('regex' in sub ? sub.regex : '') : null,
      serverAssignor: full ? (this.o.serverAssignor ?? null) : null,
      topicPartitions: [...byTopic].map(([topicId, partitions]) => ({ topicId, partitions })),
    };
  }

  private leaveBody(): ConsumerGroupHeartbeatRequestInit {
    const isStatic = (this.o.groupInstanceId ?? null) !== null;
    return { groupId: this.o.groupId, memberId: this.memberId, memberEpoch: isStatic ? -2 : -1, instanceId: this.o.groupInstanceId ?? null };
  }

  private onError(errorCode: number, message: string | null, nowMs: number): void {
    this.event({ name: 'heartbeat-failure', errorCode, memberId: this.memberId, memberEpoch: this.memberEpoch });
    if (errorCode === ErrorCode.FENCED_MEMBER_EPOCH || errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.event({ name: 'fenced', memberId: this.memberId, memberEpoch: this.memberEpoch, errorCode });
      if (this.recon !== null) this.fencePending = true;
      else this.fence(nowMs);
      return;
    }
    if (FATAL.has(errorCode)) {
      this.state = 'failed';
      const why =
        errorCode === ErrorCode.UNSUPPORTED_VERSION
          ? 'the broker does not support the consumer group protocol (KIP-848, ConsumerGroupHeartbeat); use groupProtocol: "classic"'
          : `${errorName(errorCode)}${message ? `: ${message}` : ''}`;
      this.out.push({ type: 'fatal', errorCode, message: why });
      return;
    }
    if (COORDINATOR_MOVED.has(errorCode)) {
      this.lostCoordinator(errorName(errorCode), nowMs);
      return;
    }
    // Anything else (COORDINATOR_LOAD_IN_PROGRESS, UNKNOWN_SERVER_ERROR, ...): retry in full.
    this.sendFull = true;
    this.retryAtMs = nowMs + this.o.retryBackoffMs;
    this.nextHeartbeatAtMs = this.retryAtMs;
    if (this.state === 'joining') this.state = 'unjoined';
  }

  /** Fenced: the partitions are lost (no commit), then the member joins again with epoch 0. */
  private fence(nowMs: number): void {
    this.target = null;
    this.state = 'fenced';
    if (this.owned.size === 0) {
      this.rejoin(nowMs);
      return;
    }
    this.recon = { token: this.nextToken++, step: 'lost', revoked: this.ownedPartitions, added: [], assigned: [], startedMs: nowMs };
    this.out.push({ type: 'revoke', token: this.recon.token, partitions: this.recon.revoked, lost: true, reason: 'fenced by the coordinator' });
  }

  private rejoin(nowMs: number): void {
    this.memberEpoch = 0;
    this.state = this.closeRequested ? 'closed' : 'unjoined';
    this.retryAtMs = nowMs;
    this.sendFull = true;
  }

  private lostCoordinator(reason: string, nowMs: number): void {
    this.coordinator = null;
    this.sendFull = true;
    this.retryAtMs = nowMs + this.o.retryBackoffMs;
    this.nextHeartbeatAtMs = this.retryAtMs;
    if (this.state === 'joining') this.state = 'unjoined';
    this.event({ name: 'coordinator', nodeId: null, reason });
  }

  private maybeReconcile(nowMs: number): void {
    if (this.recon !== null || this.target === null || this.state === 'fenced' || this.state === 'leaving') return;
    const target = this.target;
    this.target = null;
    const wanted = new Set(target.map(key));
    const revoked = this.ownedPartitions.filter((tp) => !wanted.has(key(tp)));
    const added = target.filter((tp) => !this.owned.has(key(tp)));
    if (revoked.length === 0 && added.length === 0) return;
    this.state = 'reconciling';
    const token = this.nextToken++;
    this.recon = { token, step: revoked.length > 0 ? 'revoke' : 'assign', revoked, added, assigned: target, startedMs: nowMs };
    if (revoked.length > 0) this.out.push({ type: 'revoke', token, partitions: revoked, lost: false, reason: 'assignment changed' });
    else this.out.push({ type: 'assign', token, memberId: this.memberId, memberEpoch: this.memberEpoch, added, assigned: target });
  }

  private finishReconciliation(r: Reconciliation, nowMs: number): ConsumerMemberAction[] {
    this.recon = null;
    this.state = 'stable';
    this.event({ name: 'reconciled', memberId: this.memberId, memberEpoch: this.memberEpoch, assigned: this.ownedPartitions, added: r.added, revoked: r.revoked, durationMs: nowMs - r.startedMs });
    // Tell the coordinator at once: a revocation unblocks the members waiting for those partitions.
    this.nextHeartbeatAtMs = nowMs;
    if (this.fencePending) {
      this.fencePending = false;
      this.fence(nowMs);
    } else if (this.closeRequested) {
      this.startLeaving(nowMs);
    } else {
      this.maybeReconcile(nowMs);
    }
    return this.advance(nowMs);
  }

  private startLeaving(nowMs: number): void {
    this.state = 'leaving';
    this.target = null;
    this.retryAtMs = nowMs;
    if (this.owned.size > 0) {
      this.recon = { token: this.nextToken++, step: 'leave', revoked: this.ownedPartitions, added: [], assigned: [], startedMs: nowMs };
      this.out.push({ type: 'revoke', token: this.recon.token, partitions: this.recon.revoked, lost: false, reason: 'leaving the group' });
    }
  }

  private finishLeaving(nowMs: number): ConsumerMemberAction[] {
    this.event({ name: 'left', memberId: this.memberId, memberEpoch: this.memberEpoch });
    this.state = 'closed';
    this.memberEpoch = 0;
    return this.advance(nowMs);
  }

  private event(event: ConsumerMemberEvent): void {
    this.out.push({ type: 'event', event });
  }

  private drain(): ConsumerMemberAction[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

function subscriptionKey(s: Subscription | null): string | null {
  if (s === null) return null;
  return 'topics' in s ? `t:${[...s.topics].sort().join(',')}` : `r:${s.regex}`;
}
