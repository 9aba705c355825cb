import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { HeartbeatResponse, JoinGroupResponse, LeaveGroupResponse, SyncGroupResponse } from '../../protocol/messages/index.js';
import { coordinatorFound, coordinatorLookupFailed, markCoordinatorUnknown, maybeLookupCoordinator } from './coordinator.js';
import { MemberCore } from './core.js';
import { checkMemberTimers, handleHeartbeatResponse, maybeSendHeartbeat } from './heartbeat.js';
import { handleJoinResponse, prepareJoin, sendJoinGroup } from './join.js';
import { leaveGroup } from './leave.js';
import { handleLeaderMetadata, handleSyncResponse } from './sync.js';
import type {
  CommitErrorKind,
  CommitIdentity,
  Generation,
  GroupAction,
  GroupMemberOptions,
  MemberStateName,
  RebalanceProtocol,
  TopicPartition,
} from './types.js';

export type GroupResponse = JoinGroupResponse | SyncGroupResponse | HeartbeatResponse | LeaveGroupResponse;

/**
 * A classic consumer-group member as a sans-I/O state machine. Every input takes `nowMs` and
 * returns the actions the shell must carry out (send a request, find the coordinator, run the
 * rebalance listener, publish an event). It never reads a clock or sets a timer: the shell calls
 * tick() at nextDeadlineMs(). The consumer drives it over sockets; the simulator drives it
 * against the coordinator core with virtual time.
 *
 * Behaviour follows the Java client's AbstractCoordinator/ConsumerCoordinator: MEMBER_ID_REQUIRED
 * two-step join (KIP-394), leader assignment with the protocol the coordinator chose, EAGER and
 * COOPERATIVE (KIP-429) rebalancing, static membership (KIP-345), background heartbeats with a
 * separate poll deadline (KIP-62), and the same reaction to every error code.
 */
export class GroupMember {
  private readonly core: MemberCore;

  constructor(options: GroupMemberOptions) {
    validateOptions(options);
    this.core = new MemberCore(options);
  }

  get state(): MemberStateName {
    return this.core.state;
  }
  get generation(): Generation {
    return this.core.generation;
  }
  get protocol(): RebalanceProtocol {
    return this.core.protocol;
  }
  get isLeader(): boolean {
    return this.core.isLeader;
  }
  get coordinator(): number | null {
    return this.core.coordinator;
  }
  /** Partitions the member owns in its generation (what it would send as ownedPartitions). */
  get ownedPartitions(): readonly TopicPartition[] {
    return this.core.owned;
  }
  get subscription(): readonly string[] {
    return this.core.subscription;
  }
  get rejoinNeeded(): boolean {
    return this.core.rejoinNeeded;
  }

  /** Topics whose partition counts the shell should watch: the whole group's for the leader. */
  metadataTopics(): string[] {
    if (this.core.isLeader && this.core.assignmentSnapshot !== null) return [...this.core.assignmentSnapshot.keys()];
    return [...this.core.subscription];
  }

  /** Sets the subscribed topics (a pattern is resolved by the shell); a change triggers a rejoin. */
  subscribe(topics: readonly string[], nowMs: number): GroupAction[] {
    const next = [...new Set(topics)].sort();
    const core = this.core;
    if (next.join('\n') !== core.subscription.join('\n')) {
      core.subscription = next;
      if (core.joinedSubscription !== null) core.requestRejoin('subscription changed');
    }
    return this.advance(nowMs);
  }

  coordinatorFound(nodeId: number, nowMs: number): GroupAction[] {
    coordinatorFound(this.core, nodeId, nowMs);
    return this.advance(nowMs);
  }

  coordinatorLookupFailed(errorCode: number, nowMs: number): GroupAction[] {
    coordinatorLookupFailed(this.core, errorCode, nowMs);
    return this.advance(nowMs);
  }

  /** The connection to the coordinator broke (the Java client's DisconnectException). */
  coordinatorDisconnected(nowMs: number): GroupAction[] {
    markCoordinatorUnknown(this.core, 'coordinator disconnected', nowMs);
    return this.advance(nowMs);
  }

  /** A response to a `send` action. Answers to requests the member has since forgotten are ignored. */
  receive(requestId: number, response: GroupResponse, nowMs: number): GroupAction[] {
    const core = this.core;
    const sent = core.pending.get(requestId);
    if (sent === undefined) return this.advance(nowMs);
    core.pending.delete(requestId);
    if (core.state === 'closed' || core.state === 'failed') return this.advance(nowMs);
    switch (sent.api) {
      case 'JoinGroup':
        if (requestId === core.joinRequestId) handleJoinResponse(core, sent, response as JoinGroupResponse, nowMs);
        break;
      case 'SyncGroup':
        if (requestId === core.syncRequestId) handleSyncResponse(core, sent, response as SyncGroupResponse, nowMs);
        break;
      case 'Heartbeat':
        if (requestId === core.heartbeatRequestId) handleHeartbeatResponse(core, sent, response as HeartbeatResponse, nowMs);
        break;
      case 'LeaveGroup':
        break; // best effort: nothing to do either way
      default:
        break;
    }
    return this.advance(nowMs);
  }

  /**
   * A `send` failed without an answer (NETWORK_EXCEPTION, REQUEST_TIMED_OUT). Like a disconnect in
   * the Java client, the coordinator is rediscovered and the join, if one was running, retried.
   */
  requestFailed(requestId: number, errorCode: number, nowMs: number): GroupAction[] {
    const core = this.core;
    const sent = core.pending.get(requestId);
    if (sent === undefined) return this.advance(nowMs);
    core.pending.delete(requestId);
    if (sent.api === 'Heartbeat' && requestId === core.heartbeatRequestId) {
      core.heartbeatRequestId = null;
      core.heartbeat.failed(nowMs);
      core.event({ name: 'heartbeat-failure', errorCode, generationId: sent.generation.generationId, memberId: sent.generation.memberId });
    }
    if (sent.api !== 'LeaveGroup') markCoordinatorUnknown(core, `${sent.api} failed: ${errorName(errorCode)}`, nowMs);
    return this.advance(nowMs);
  }

  /**
   * Leader: the partition counts asked for by a `need-metadata` action (missing topic = 0), and
   * optionally each partition's replica racks, which make the range and sticky assignors
   * rack-aware as Java's are (KIP-881).
   */
  leaderMetadata(requestId: number, partitionsPerTopic: ReadonlyMap<string, number>, nowMs: number, partitionRacks?: ReadonlyMap<string, readonly (readonly string[])[]>): GroupAction[] {
    const core = this.core;
    if (requestId === core.metadataRequestId && core.pending.delete(requestId) && core.state === 'assigning') {
      handleLeaderMetadata(core, partitionsPerTopic, nowMs, partitionRacks);
    }
    return this.advance(nowMs);
  }

  /**
   * Fresh metadata. The leader rejoins when a group-subscribed topic's partition count differs
   * from the one it assigned with (new partitions, a topic created or deleted), as Java's
   * ConsumerCoordinator does with its assignment snapshot.
   */
  metadataUpdated(partitionsPerTopic: ReadonlyMap<string, number>, nowMs: number): GroupAction[] {
    const snapshot = this.core.assignmentSnapshot;
    if (this.core.isLeader && snapshot !== null && this.core.state === 'stable') {
      for (const [topic, count] of snapshot) {
        const now = partitionsPerTopic.get(topic) ?? 0;
        if (now !== count) {
          this.core.requestRejoin(`partition count of ${topic} changed from ${count} to ${now}`);
          break;
        }
      }
    }
    return this.advance(nowMs);
  }

  /** The shell finished the callbacks of a `revoke` or `assign` action. */
  callbacksDone(token: number, nowMs: number): GroupAction[] {
    if (token === this.core.callbackToken) this.core.callbackToken = null;
    return this.advance(nowMs);
  }

  /**
   * The application made progress (Java's poll()): at `progressMs`, which defaults to now. A shell
   * whose handler is still running passes the time that handler started, so a stuck handler is
   * detected after maxPollIntervalMs without poll() being withheld.
   */
  poll(nowMs: number, progressMs = nowMs): GroupAction[] {
    this.core.heartbeat.poll(progressMs);
    if (progressMs === nowMs) this.core.pollTimedOut = false;
    return this.advance(nowMs);
  }

  /** close() was called (the member revokes, leaves and stops; it no longer looks for a coordinator). */
  get closing(): boolean {
    return this.core.closing !== null || this.core.state === 'closed';
  }

  /** True after a poll timeout made the member leave, until poll() is called again. */
  get awaitingPoll(): boolean {
    return this.core.pollTimedOut;
  }

  requestRejoin(reason: string, nowMs: number): GroupAction[] {
    this.core.requestRejoin(reason);
    return this.advance(nowMs);
  }

  /**
   * Leave for good. The owned partitions are revoked first (a `revoke` action, so the shell can
   * commit), then a dynamic member sends LeaveGroup; a static one only with `leaveGroup: true`.
   */
  close(nowMs: number, opts: { leaveGroup?: boolean; reason?: string } = {}): GroupAction[] {
    const core = this.core;
    if (core.state === 'closed' || core.state === 'failed' || core.closing !== null) return this.advance(nowMs);
    core.closing = { leaveGroup: opts.leaveGroup ?? false, reason: opts.reason ?? 'the consumer is being closed' };
    return this.advance(nowMs);
  }

  tick(nowMs: number): GroupAction[] {
    return this.advance(nowMs);
  }

  /** The next time tick() has something to do, or null when only an input can move the member. */
  nextDeadlineMs(): number | null {
    const core = this.core;
    if (core.state === 'failed' || core.state === 'closed') return null;
    const times: number[] = [];
    if (core.coordinator === null) {
      if (!core.findingCoordinator) times.push(core.coordinatorRetryAtMs);
    } else if (core.heartbeatEnabled()) {
      times.push(core.heartbeat.nextHeartbeatMs(), core.heartbeat.sessionDeadlineMs() + 1, core.heartbeat.pollDeadlineMs() + 1);
    }
    if (core.rejoinNeeded && core.state === 'joining' && core.joinRequestId === null && core.callbackToken === null) times.push(core.joinRetryAtMs);
    const finite = times.filter((t) => Number.isFinite(t));
    return finite.length === 0 ? null : Math.min(...finite);
  }

  /** Generation and ids an OffsetCommit must carry now, or null while no commit can succeed. */
  commitIdentity(): CommitIdentity | null {
    const core = this.core;
    if (!core.hasValidGeneration()) return null;
    // During the join phase the coordinator still accepts the current generation's commits; once
    // JoinGroup answered (assigning/syncing) it would answer REBALANCE_IN_PROGRESS.
    if (core.state !== 'stable' && core.state !== 'preparing' && core.state !== 'joining') return null;
    return { generationId: core.generation.generationId, memberId: core.generation.memberId, groupInstanceId: core.groupInstanceId };
  }

  /** Java's OffsetCommit error handling: what to do with the commit, and what it does to the member. */
  commitFailed(errorCode: number, sent: CommitIdentity, nowMs: number): { kind: CommitErrorKind; actions: GroupAction[] } {
    const kind = classifyCommitError(this.core, errorCode, sent, nowMs);
    return { kind, actions: this.advance(nowMs) };
  }

  private advance(nowMs: number): GroupAction[] {
    const core = this.core;
    if (core.state !== 'failed' && core.state !== 'closed') step(core, nowMs);
    const out = core.out;
    core.out = [];
    return out;
  }
}

function step(core: MemberCore, nowMs: number): void {
  checkMemberTimers(core, nowMs);
  if (core.state === 'failed') return;
  if (core.closing !== null) {
    stepClosing(core, nowMs);
    return;
  }
  maybeLookupCoordinator(core, nowMs);
  if (core.coordinator === null) return;
  maybeSendHeartbeat(core, nowMs);
  if (core.callbackToken !== null || core.subscription.length === 0) return;
  const idle = core.state === 'stable' || core.state === 'unjoined' || core.state === 'preparing' || (core.state === 'joining' && core.joinRequestId === null);
  if (!core.rejoinNeeded || !idle) return;
  if (core.needsJoinPrepare && prepareJoin(core, nowMs)) return;
  if (core.pollTimedOut || nowMs < core.joinRetryAtMs) {
    if (core.state !== 'unjoined') core.state = 'joining';
    return;
  }
  sendJoinGroup(core, nowMs);
  maybeSendHeartbeat(core, nowMs);
}

/** close(): revoke what is owned (the shell commits), then leave, then stop. */
function stepClosing(core: MemberCore, nowMs: number): void {
  if (core.callbackToken !== null) {
    maybeSendHeartbeat(core, nowMs);
    return;
  }
  if (core.owned.length > 0) {
    const lost = !core.hasValidGeneration();
    const partitions = core.owned;
    core.owned = [];
    const token = core.newCallbackToken();
    core.emit({ type: 'revoke', token, partitions, lost, reason: core.closing!.reason });
    return;
  }
  leaveGroup(core, core.closing!.reason, core.closing!.leaveGroup, nowMs);
  core.state = 'closed';
  core.rejoinNeeded = false;
}

function classifyCommitError(core: MemberCore, code: number, sent: CommitIdentity, nowMs: number): CommitErrorKind {
  const unchanged = sent.generationId === core.generation.generationId && sent.memberId === core.generation.memberId;
  switch (code) {
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      return 'retry';
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
    case ErrorCode.REQUEST_TIMED_OUT:
    case ErrorCode.NETWORK_EXCEPTION:
      markCoordinatorUnknown(core, `${errorName(code)} from OffsetCommit`, nowMs);
      return 'retry';
    case ErrorCode.REBALANCE_IN_PROGRESS:
      core.requestRejoin('offset commit failed since the group is rebalancing');
      return 'rebalance-in-progress';
    case ErrorCode.FENCED_INSTANCE_ID:
      if (unchanged) {
        core.fail(code, `instance id ${core.groupInstanceId} was fenced by another instance`);
        return 'fatal';
      }
      return core.state === 'joining' ? 'rebalance-in-progress' : 'commit-failed';
    case ErrorCode.UNKNOWN_MEMBER_ID:
    case ErrorCode.ILLEGAL_GENERATION:
      // Our generation already moved on within a rebalance: the commit can be redone later.
      if (!unchanged && core.state === 'joining') return 'rebalance-in-progress';
      if (unchanged) core.resetStateAndRejoin(`${errorName(code)} from OffsetCommit`, code === ErrorCode.UNKNOWN_MEMBER_ID);
      return 'commit-failed';
    default:
      return 'fatal';
  }
}

function validateOptions(o: GroupMemberOptions): void {
  if (typeof o.groupId !== 'string' || o.groupId === '') throw new RangeError('groupId must be a non-empty string');
  if (o.groupInstanceId !== undefined && o.groupInstanceId !== null && (typeof o.groupInstanceId !== 'string' || o.groupInstanceId === '')) {
    throw new RangeError('groupInstanceId must be a non-empty string when set');
  }
  for (const name of ['sessionTimeoutMs', 'rebalanceTimeoutMs', 'heartbeatIntervalMs', 'maxPollIntervalMs', 'retryBackoffMs'] as const) {
    if (!Number.isInteger(o[name]) || o[name] < 0) throw new RangeError(`${name} must be a non-negative integer`);
  }
  if (o.heartbeatIntervalMs >= o.sessionTimeoutMs) throw new RangeError('heartbeatIntervalMs must be lower than sessionTimeoutMs');
  if (o.assignors.length === 0) throw new RangeError('partitionAssignmentStrategy needs at least one assignor');
  const names = new Set(o.assignors.map((a) => a.name));
  if (names.size !== o.assignors.length) throw new RangeError('assignor names must be unique');
}

