import type { ConsumerMemberAction, TopicIdPartition } from '../client/group/kip848/types.js';
import { ConsumerProtocolMember } from '../client/group/kip848/member.js';
import type { CoordinatorApi } from '../coordinator/index.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatRequestInit, ConsumerGroupHeartbeatResponse, OffsetCommitResponseInit, OffsetFetchResponseInit } from '../protocol/messages/index.js';
import type { OwnershipClaim, SimMember, SimMemberPort, SimPartition } from './member.js';

/** Topic ids of the simulated cluster: derived from the name, the same for the coordinator and members. */
export function simTopicId(name: string): string {
  const b = Buffer.alloc(16);
  Buffer.from(name, 'utf8').copy(b, 0, 0, 15);
  b[15] = name.length;
  return b.toString('base64url');
}

export interface ConsumerSimMemberOptions {
  name: string;
  groupId: string;
  memberId: string;
  instanceId: string | null;
  rebalanceTimeoutMs: number;
  serverAssignor: string | null;
  topics: readonly string[];
  requestTimeoutMs: number;
  retryBackoffMs: number;
  commitIntervalMs: number;
  /** How long a revocation takes (finishing in-flight records, committing): the window a member still owns them. */
  revokeDelayMs?: () => number;
}

interface InFlight {
  api: CoordinatorApi;
  deadlineMs: number;
  memberRequestId?: number;
}

/**
 * A consumer using the KIP-848 protocol in the simulator: Samsa's own member state machine
 * (src/client/group/kip848) wrapped as a SimMember. It "consumes" by advancing its positions,
 * commits them with its member epoch (OffsetCommit v9) every few seconds and before it gives a
 * partition up, and reads the committed offsets of partitions it is given.
 */
export class ConsumerSimMember implements SimMember {
  readonly name: string;
  private readonly member: ConsumerProtocolMember;
  private readonly inFlight = new Map<number, InFlight>();
  private readonly positions = new Map<string, number>();
  private readonly names = new Map<string, string>();
  private nextCommitMs: number | null = null;
  private lastClaim: OwnershipClaim | null = null;
  private stoppedFatal = false;
  /** Revocations whose listener is still running: token -> when it finishes. */
  private readonly revoking = new Map<number, number>();

  constructor(
    private readonly port: SimMemberPort,
    private readonly o: ConsumerSimMemberOptions,
  ) {
    this.name = o.name;
    for (const t of o.topics) this.names.set(simTopicId(t), t);
    this.member = new ConsumerProtocolMember({
      groupId: o.groupId,
      groupInstanceId: o.instanceId,
      rebalanceTimeoutMs: o.rebalanceTimeoutMs,
      serverAssignor: o.serverAssignor,
      retryBackoffMs: o.retryBackoffMs,
      memberId: o.memberId,
    });
  }

  get stopped(): boolean {
    return this.stoppedFatal || this.member.state === 'closed' || this.member.state === 'failed';
  }

  start(nowMs: number): void {
    this.apply(this.member.subscribe({ topics: this.o.topics }, nowMs), nowMs);
    this.nextCommitMs = nowMs + this.o.commitIntervalMs;
  }

  close(nowMs: number): void {
    this.apply(this.member.close(nowMs), nowMs);
  }

  claim(): OwnershipClaim | null {
    if (this.stopped) return null;
    const owned = this.member.ownedPartitions;
    const c = this.lastClaim;
    if (c !== null && c.memberId === this.member.memberId && c.generationId === this.member.memberEpoch && c.partitions.length === owned.length && c.partitions.every((p, i) => p.partition === owned[i]!.partition && p.topic === this.names.get(owned[i]!.topicId))) {
      return c;
    }
    this.lastClaim = { memberId: this.member.memberId, generationId: this.member.memberEpoch, partitions: owned.map((tp) => this.named(tp)) };
    return this.lastClaim;
  }

  nextWakeMs(): number | null {
    if (this.stopped) return null;
    let next = this.member.nextDeadlineMs();
    const consider = (t: number | null): void => {
      if (t !== null && (next === null || t < next)) next = t;
    };
    for (const f of this.inFlight.values()) consider(f.deadlineMs);
    consider(this.nextCommitMs);
    for (const at of this.revoking.values()) consider(at);
    return next;
  }

  wake(nowMs: number): void {
    if (this.stopped) return;
    for (const [id, f] of [...this.inFlight]) {
      if (f.deadlineMs <= nowMs) {
        this.port.trace(`${this.name} ${f.api} #${id} timed out`);
        this.fail(id, nowMs);
      }
    }
    for (const [token, at] of [...this.revoking]) {
      if (at > nowMs) continue;
      this.revoking.delete(token);
      this.apply(this.member.callbacksDone(token, nowMs), nowMs);
    }
    if (this.nextCommitMs !== null && this.nextCommitMs <= nowMs) {
      this.consume();
      this.commit(this.member.ownedPartitions, nowMs);
      this.nextCommitMs = nowMs + this.o.commitIntervalMs;
    }
    this.apply(this.member.tick(nowMs), nowMs);
  }

  resume(nowMs: number): void {
    this.consume();
    this.commit(this.member.ownedPartitions, nowMs);
  }

  fail(requestId: number, nowMs: number): void {
    const f = this.inFlight.get(requestId);
    if (f === undefined) return;
    this.inFlight.delete(requestId);
    if (f.memberRequestId !== undefined) this.apply(this.member.requestFailed(f.memberRequestId, nowMs), nowMs);
  }

  receive(requestId: number, response: unknown, nowMs: number): void {
    const f = this.inFlight.get(requestId);
    if (f === undefined || this.stopped) return;
    this.inFlight.delete(requestId);
    if (f.api === 'consumer-heartbeat') {
      const r = response as ConsumerGroupHeartbeatResponse;
      const full: ConsumerGroupHeartbeatResponse = { ...r, errorMessage: r.errorMessage ?? null, memberId: r.memberId ?? null, assignment: r.assignment ?? null };
      this.apply(this.member.receive(f.memberRequestId!, full, nowMs), nowMs);
    } else if (f.api === 'offset-fetch') {
      for (const g of (response as OffsetFetchResponseInit).groups ?? []) {
        for (const t of g.topics ?? []) for (const p of t.partitions ?? []) this.positions.set(`${t.name}-${p.partitionIndex}`, Math.max(0, p.committedOffset ?? 0));
      }
    } else if (f.api === 'offset-commit') {
      void (response as OffsetCommitResponseInit);
    }
  }

  // ---- the shell's side of the member's actions ----

  private apply(actions: ConsumerMemberAction[], nowMs: number): void {
    for (const a of actions) {
      switch (a.type) {
        case 'find-coordinator':
          // One broker: it is the coordinator (its requests fail while it is down).
          this.apply(this.member.coordinatorFound(0, nowMs), nowMs);
          break;
        case 'send': {
          const id = this.port.send('consumer-heartbeat', 1, heartbeatRequest(a.body));
          this.inFlight.set(id, { api: 'consumer-heartbeat', deadlineMs: nowMs + this.o.requestTimeoutMs, memberRequestId: a.requestId });
          break;
        }
        case 'revoke':
          // Commit-on-revoke: what was consumed is committed before the partitions go (not when lost).
          if (!a.lost) {
            this.consume();
            this.commit(a.partitions, nowMs);
          }
          for (const tp of a.partitions) this.positions.delete(key(this.named(tp)));
          this.port.trace(`${this.name} ${a.lost ? 'loses' : 'revokes'} ${a.partitions.map((tp) => key(this.named(tp))).join(',')}`);
          this.revoking.set(a.token, nowMs + (this.o.revokeDelayMs?.() ?? 0));
          break;
        case 'assign':
          this.port.trace(`${this.name} assigned ${a.added.map((tp) => key(this.named(tp))).join(',')} at epoch ${a.memberEpoch}`);
          this.fetchCommitted(a.added, nowMs);
          this.apply(this.member.callbacksDone(a.token, nowMs), nowMs);
          break;
        case 'fatal':
          this.port.trace(`${this.name} stops: ${a.message}`);
          this.stoppedFatal = true;
          break;
        case 'event':
          break;
      }
    }
  }

  /** Every owned partition with a known position moves on by one record. */
  private consume(): void {
    for (const tp of this.member.ownedPartitions) {
      const k = key(this.named(tp));
      const at = this.positions.get(k);
      if (at !== undefined) this.positions.set(k, at + 1);
    }
  }

  private commit(partitions: readonly TopicIdPartition[], nowMs: number): void {
    const identity = this.member.commitIdentity();
    const known = partitions.map((tp) => this.named(tp)).filter((p) => this.positions.has(key(p)));
    if (identity === null || known.length === 0) return;
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; commitTimestamp: number; committedMetadata: string | null }[]>();
    for (const p of known) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), { partitionIndex: p.partition, committedOffset: this.positions.get(key(p))!, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: '' }]);
    this.request('offset-commit', 9, {
      groupId: this.o.groupId,
      generationIdOrMemberEpoch: identity.memberEpoch,
      memberId: identity.memberId,
      groupInstanceId: this.o.instanceId,
      retentionTimeMs: -1,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    }, nowMs);
  }

  private fetchCommitted(partitions: readonly TopicIdPartition[], nowMs: number): void {
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions) {
      const p = this.named(tp);
      byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    }
    this.request('offset-fetch', 9, {
      groupId: '',
      topics: null,
      groups: [{ groupId: this.o.groupId, memberId: null, memberEpoch: -1, topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })) }],
      requireStable: true,
    }, nowMs);
  }

  private request(api: CoordinatorApi, version: number, body: object, nowMs: number): void {
    const id = this.port.send(api, version, body as never);
    this.inFlight.set(id, { api, deadlineMs: nowMs + this.o.requestTimeoutMs });
  }

  private named(tp: TopicIdPartition): SimPartition {
    return { topic: this.names.get(tp.topicId) ?? tp.topicId, partition: tp.partition };
  }
}

function key(p: SimPartition): string {
  return `${p.topic}-${p.partition}`;
}

/** The decoded request the coordinator sees: the encoder's optional fields filled as on the wire. */
function heartbeatRequest(init: ConsumerGroupHeartbeatRequestInit): ConsumerGroupHeartbeatRequest {
  return {
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: null,
    ...init,
  } as ConsumerGroupHeartbeatRequest;
}
