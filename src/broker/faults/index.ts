import type { Logger } from '../../common/logger.js';
import { errorName } from '../../protocol/errors.js';
import type { BrokerConfig } from '../config.js';
import { BROKER_EVENTS, subscribeBrokerEvent } from '../events.js';
import type { LogStore } from '../../storage/types.js';
import type { GroupCoordinatorShell } from '../groups/shell.js';
import { NO_RESPONSE, type AnyApiHandler, type RequestContext } from '../handler.js';
import { FetchPauses } from './fetch-pauses.js';
import { GroupClock } from './group-clock.js';
import { HeartbeatFaults, type HeartbeatRule } from './heartbeat-faults.js';
import { groupSnapshot, type GroupSnapshot } from './group-snapshot.js';
import { describeSelector, selects, type MemberSelector } from './member-selector.js';
import { RequestFailures } from './request-failures.js';
import { MEMBER_APIS, memberOfRequest, memberOfResponse, SeenMembers } from './seen-members.js';

export { GroupClock } from './group-clock.js';
export type { MemberSelector } from './member-selector.js';
export type { AssignedPartitions, GroupMemberSnapshot, GroupSnapshot } from './group-snapshot.js';

/** What the seam works with; `startBroker` builds it. */
export interface FaultSeamDeps {
  readonly groupClock: GroupClock;
  readonly groups: GroupCoordinatorShell;
  readonly config: BrokerConfig;
  readonly log: Logger;
  readonly store: LogStore;
  readonly handlers: ReadonlyMap<number, AnyApiHandler>;
}

/** Lifts the fault it was returned by. */
export interface FaultHandle {
  lift(): void;
}

/**
 * The broker's fault-injection seam, for tests (`samsa/testing`): made only by
 * `startBroker({ faults: true })`, reachable only in-process through `broker.faults`, never from
 * the wire. Without it the broker pays one null check per request and per fetched partition.
 *
 * Every fault is something that happens to real clusters: a rebalance, a member evicted by its
 * session or rebalance timer, heartbeats lost or late on the network, a partition whose fetches
 * stall, requests failing with a Kafka error code, and time passing. Group time is a
 * `GroupClock`: real time that `advanceTime` moves forward, so the coordinator's session,
 * rebalance and join deadlines come due without a test waiting for them.
 */
export class BrokerFaults {
  readonly groupClock: GroupClock;
  private readonly heartbeats: HeartbeatFaults;
  private readonly failures = new RequestFailures();
  private readonly pauses = new FetchPauses();
  private readonly seen = new SeenMembers();
  private readonly stopWatching: () => void;

  private readonly groups: GroupCoordinatorShell;
  private readonly config: BrokerConfig;
  private readonly log: Logger;

  constructor(private readonly deps: FaultSeamDeps) {
    this.groupClock = deps.groupClock;
    this.groups = deps.groups;
    this.config = deps.config;
    this.log = deps.log;
    const groupClock = deps.groupClock;
    this.heartbeats = new HeartbeatFaults(groupClock);
    this.stopWatching = subscribeBrokerEvent(BROKER_EVENTS.connectionClosed, (e) => {
      if (e.nodeId === this.config.nodeId && e.port === this.config.port) this.seen.connectionClosed(e.connectionId);
    });
  }

  // ---- time ----

  /**
   * Moves group time forward by `ms` and runs every coordinator deadline that comes due: session
   * timeouts, rebalance (max.poll.interval.ms) and join timeouts, the initial rebalance delay.
   * Members are assumed to have kept heartbeating through the skipped time unless their
   * heartbeats are dropped or delayed here, or the connection they last spoke on has closed
   * (a killed client): those expire as they would have. Delayed heartbeats that come due within
   * the skip are handled first.
   */
  async advanceTime(ms: number): Promise<void> {
    this.groupClock.advance(ms);
    this.log.info('fault injection: group time advanced', { ms, groupTimeMs: this.groupClock.nowMs() });
    this.heartbeats.clockMoved();
    await this.groups.inject((core, nowMs) => {
      core.extendSessions(nowMs, (groupId, memberId) => this.keptAlive(groupId, memberId));
      return core.tick(nowMs);
    });
  }

  // ---- groups ----

  /** Starts a rebalance of the group now (classic: PreparingRebalance; consumer group: a new group epoch). */
  async forceRebalance(groupId: string): Promise<boolean> {
    const started = await this.groups.inject((core, nowMs) => core.forceRebalance(groupId, nowMs));
    this.log.info('fault injection: rebalance forced', { groupId, started });
    return started;
  }

  /** Removes the selected members now, as a session timeout does; returns their member ids. */
  expireMember(groupId: string, selector: MemberSelector): Promise<string[]> {
    return this.removeMembers(groupId, selector, 'session-timeout');
  }

  /**
   * Fences the selected members now, as the coordinator does with a member that missed its
   * rebalance timeout (max.poll.interval.ms): out of the group, its partitions reassigned; its
   * next heartbeat or commit fails (UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH, ILLEGAL_GENERATION)
   * and it rejoins. Returns their member ids.
   */
  fenceMember(groupId: string, selector: MemberSelector): Promise<string[]> {
    return this.removeMembers(groupId, selector, 'rebalance-timeout');
  }

  /** The group as the coordinator holds it now (members, their assignment, state, epoch), or null. */
  group(groupId: string): GroupSnapshot | null {
    return groupSnapshot(this.groups.coordinator, groupId);
  }

  // ---- heartbeats ----

  /** Heartbeats of the selected members go unanswered (lost) until lifted; then they are handled. */
  dropHeartbeats(selector: MemberSelector): FaultHandle {
    return this.heartbeatFault(selector, { kind: 'drop' });
  }

  /** Heartbeats of the selected members reach the coordinator `delayMs` of group time late. */
  delayHeartbeats(selector: MemberSelector, delayMs: number): FaultHandle {
    return this.heartbeatFault(selector, { kind: 'delay', delayMs });
  }

  /** Lifts every heartbeat fault (or those whose selector `selector` covers); held heartbeats go through now. */
  restoreHeartbeats(selector?: MemberSelector): void {
    this.heartbeats.remove(selector === undefined ? undefined : (r) => sameSelector(r.selector, selector));
  }

  // ---- fetches ----

  /** Fetches of the partition (every partition of the topic when omitted) return no records until resumed. */
  pauseFetches(topic: string, partition?: number): void {
    if (partition === undefined) {
      const t = this.deps.store.listTopics().find((x) => x.name === topic);
      if (t === undefined) throw new RangeError(`no topic named '${topic}'`);
      for (let p = 0; p < t.partitions; p++) this.pauses.pause(topic, p);
    } else this.pauses.pause(topic, partition);
    this.log.info('fault injection: fetches paused', { topic, partition: partition ?? 'all' });
  }

  resumeFetches(topic?: string, partition?: number): void {
    this.pauses.resume(topic, partition);
  }

  // ---- requests ----

  /**
   * The next `count` requests of the API (from `clientId` only, when given) are answered with
   * `errorCode` for everything they ask, without being handled: the handler's own error
   * response, as when it fails. A Produce with acks=0 gets no answer, as always.
   */
  failNextRequests(apiKey: number, options: { count?: number; errorCode: number; clientId?: string }): void {
    if (!this.deps.handlers.has(apiKey)) throw new RangeError(`no handler for api key ${apiKey}`);
    this.failures.add({ apiKey, errorCode: options.errorCode, remaining: options.count ?? 1, ...(options.clientId !== undefined ? { clientId: options.clientId } : {}) });
  }

  /** Injected request failures not yet used (for one API, or all). */
  pendingFailures(apiKey?: number): number {
    return this.failures.pending(apiKey);
  }

  /** Lifts every fault: heartbeats flow (held ones are handled), fetches resume, no failures pending. */
  clear(): void {
    this.heartbeats.remove();
    this.pauses.resume();
    this.failures.clear();
  }

  /** The broker is closing: held heartbeats are let go so their connections can end. */
  close(): void {
    this.stopWatching();
    this.heartbeats.releaseAll();
  }

  // ---- the hooks the broker calls (connection dispatch, Fetch) ----

  /** Runs one request through the faults: it may fail at once, wait, or go on to its handler. */
  intercept(rctx: RequestContext, handler: AnyApiHandler, request: unknown): unknown {
    const apiKey = rctx.header.apiKey;
    const clientId = rctx.header.clientId ?? '';
    const member = memberOfRequest(apiKey, request, clientId);
    if (member !== null) this.seen.saw(member, rctx.connection.id);
    const failWith = this.failures.take(apiKey, clientId);
    if (failWith !== null) {
      this.log.info('fault injection: request failed', { apiKey, clientId, error: errorName(failWith) });
      if (apiKey === 0 && (request as { acks: number }).acks === 0) return NO_RESPONSE;
      return handler.errorResponse(request, failWith, rctx.version);
    }
    const proceed = (): unknown => this.handle(rctx, handler, request, apiKey, clientId);
    if (member !== null && (apiKey === MEMBER_APIS.heartbeat || apiKey === MEMBER_APIS.consumerGroupHeartbeat)) {
      const rule = this.heartbeats.match(member);
      // A heartbeat held past its client's end is not handled: a dead client's heartbeat must not keep its session.
      if (rule !== null) return this.heartbeats.hold(rule, () => (this.seen.isClosed(rctx.connection.id) ? NO_RESPONSE : proceed()));
    }
    return proceed();
  }

  fetchPaused(topic: string, partition: number): boolean {
    return this.pauses.isPaused(topic, partition);
  }

  onceFetchesResumed(wake: () => void): () => void {
    return this.pauses.onceResumed(wake);
  }

  // ---- internals ----

  private handle(rctx: RequestContext, handler: AnyApiHandler, request: unknown, apiKey: number, clientId: string): unknown {
    const result: unknown = handler.handle(rctx, request);
    if (apiKey !== MEMBER_APIS.joinGroup && apiKey !== MEMBER_APIS.consumerGroupHeartbeat) return result;
    const note = (response: unknown): unknown => {
      const m = memberOfResponse(apiKey, request, response, clientId);
      if (m !== null) this.seen.saw(m, rctx.connection.id);
      return response;
    };
    return result instanceof Promise ? result.then(note) : note(result);
  }

  private heartbeatFault(selector: MemberSelector, fault: { kind: 'drop' } | { kind: 'delay'; delayMs: number }): FaultHandle {
    const rule = this.heartbeats.add(selector, fault);
    this.log.info(`fault injection: heartbeats ${fault.kind === 'drop' ? 'dropped' : `delayed ${fault.delayMs} ms`}`, { members: describeSelector(selector) });
    return { lift: () => void this.heartbeats.remove((r) => r.id === rule.id) };
  }

  /** Whether `advanceTime` may assume the member heartbeated through the skipped time. */
  private keptAlive(groupId: string, memberId: string): boolean {
    const m = this.seen.get(groupId, memberId);
    if (m === undefined || !this.seen.connected(groupId, memberId)) return false;
    return this.heartbeats.match(m) === null;
  }

  private async removeMembers(groupId: string, selector: MemberSelector, reason: 'session-timeout' | 'rebalance-timeout'): Promise<string[]> {
    const targets = (this.group(groupId)?.members ?? []).filter((m) => selects(selector, { ...m, groupId }));
    const removed: string[] = [];
    for (const t of targets) {
      if (await this.groups.inject((core, nowMs) => core.removeMember(groupId, t.memberId, reason, nowMs))) removed.push(t.memberId);
    }
    this.log.info(`fault injection: members ${reason === 'session-timeout' ? 'expired' : 'fenced'}`, { groupId, members: describeSelector(selector), removed: removed.length });
    return removed;
  }
}

function sameSelector(rule: MemberSelector, asked: MemberSelector): boolean {
  return (Object.keys(asked) as (keyof MemberSelector)[]).every((k) => asked[k] === undefined || rule[k] === asked[k]);
}

export type { HeartbeatRule };
