import { ErrorCode, errorName } from '../../protocol/errors.js';
import { HeartbeatTimer } from './heartbeat-timer.js';
import { chooseRebalanceProtocol } from './leader.js';
import {
  NO_GENERATION,
  type Generation,
  type GroupAction,
  type GroupAssignor,
  type GroupEvent,
  type GroupMemberOptions,
  type GroupRequest,
  type MemberStateName,
  type MemberSubscription,
  type RebalanceProtocol,
  type TopicPartition,
} from './types.js';

/** A request the member sent and has not had answered, with the generation it was sent in. */
export interface PendingRequest {
  api: GroupRequest['api'] | 'Metadata';
  generation: Generation;
  sentAtMs: number;
}

/**
 * The member's whole state, shared by the transition modules (join.ts, sync.ts, heartbeat.ts,
 * leave.ts, coordinator.ts). Transitions append the actions they want to `out`; the public
 * GroupMember drains it after each input.
 */
export class MemberCore {
  readonly protocol: RebalanceProtocol;
  readonly groupInstanceId: string | null;
  readonly heartbeat: HeartbeatTimer;

  state: MemberStateName = 'unjoined';
  generation: Generation = NO_GENERATION;

  coordinator: number | null = null;
  findingCoordinator = false;
  coordinatorRetryAtMs = 0;

  rejoinNeeded = true;
  rejoinReason = 'initial join';
  /** Run the revoke step before the next JoinGroup (cleared once run, set again after a completed join or a reset). */
  needsJoinPrepare = true;
  joinRetryAtMs = 0;

  subscription: string[] = [];
  /** The subscription sent in the last JoinGroup: a difference means we must rejoin. */
  joinedSubscription: string[] | null = null;
  /** What the member owns in `generation` (sent as ownedPartitions on the next JoinGroup). */
  owned: TopicPartition[] = [];
  /** The last assignment received and its generation (sticky assignors' userData memory). */
  lastAssignment: TopicPartition[] = [];
  lastAssignmentGenerationId = -1;

  /** Token of the revoke/assign callbacks the shell is running; no JoinGroup until they finish. */
  callbackToken: number | null = null;
  private nextCallbackToken = 1;
  /** Left the group because poll() was late; rejoin only once poll() is called again. */
  pollTimedOut = false;
  closing: { leaveGroup: boolean; reason: string } | null = null;

  readonly pending = new Map<number, PendingRequest>();
  private nextRequestId = 1;
  joinRequestId: number | null = null;
  syncRequestId: number | null = null;
  heartbeatRequestId: number | null = null;
  metadataRequestId: number | null = null;

  isLeader = false;
  leaderMembers: MemberSubscription[] | null = null;
  /** Leader: partition counts the last assignment was computed from (metadata change detection). */
  assignmentSnapshot: Map<string, number> | null = null;
  pendingSnapshot: Map<string, number> | null = null;

  rebalanceStartMs: number | null = null;
  joinSentMs = 0;
  syncSentMs = 0;
  out: GroupAction[] = [];

  constructor(readonly options: GroupMemberOptions) {
    this.protocol = chooseRebalanceProtocol(options.assignors);
    this.groupInstanceId = options.groupInstanceId ?? null;
    this.heartbeat = new HeartbeatTimer(options.heartbeatIntervalMs, options.sessionTimeoutMs, options.maxPollIntervalMs, options.retryBackoffMs);
  }

  get groupId(): string {
    return this.options.groupId;
  }

  emit(action: GroupAction): void {
    this.out.push(action);
  }

  event(event: GroupEvent): void {
    this.out.push({ type: 'event', event });
  }

  newRequestId(api: PendingRequest['api'], nowMs: number): number {
    const id = this.nextRequestId++;
    this.pending.set(id, { api, generation: this.generation, sentAtMs: nowMs });
    return id;
  }

  newCallbackToken(): number {
    const token = this.nextCallbackToken++;
    this.callbackToken = token;
    return token;
  }

  send(request: GroupRequest, nowMs: number): number {
    const requestId = this.newRequestId(request.api, nowMs);
    this.emit({ type: 'send', requestId, coordinator: this.coordinator!, request });
    return requestId;
  }

  assignorNamed(name: string | null): GroupAssignor | undefined {
    return this.options.assignors.find((a) => a.name === name);
  }

  /** The generation a response was sent in is still ours (Java's generationUnchanged). */
  generationUnchanged(sent: Generation): boolean {
    return sent.generationId === this.generation.generationId && sent.memberId === this.generation.memberId && sent.protocolName === this.generation.protocolName;
  }

  hasValidGeneration(): boolean {
    return this.generation.generationId >= 0 && this.generation.memberId !== '';
  }

  /** Heartbeats run once JoinGroup has answered (syncing) and while stable or revoking before a rejoin. */
  heartbeatEnabled(): boolean {
    return (this.state === 'assigning' || this.state === 'syncing' || this.state === 'stable' || this.state === 'preparing') && this.hasValidGeneration();
  }

  requestRejoin(reason: string): void {
    this.rejoinNeeded = true;
    this.rejoinReason = reason;
  }

  /** Java's resetStateAndRejoin: out of the generation; the member id survives ILLEGAL_GENERATION. */
  resetStateAndRejoin(reason: string, resetMemberId: boolean): void {
    this.state = 'unjoined';
    this.generation = resetMemberId ? NO_GENERATION : { generationId: -1, memberId: this.generation.memberId, protocolName: null };
    this.isLeader = false;
    this.assignmentSnapshot = null;
    this.dropInFlight(['JoinGroup', 'SyncGroup', 'Metadata']);
    this.requestRejoin(reason);
    this.needsJoinPrepare = true;
  }

  /** Forgets in-flight requests of these APIs: their answers, if any come, are ignored. */
  dropInFlight(apis: ReadonlyArray<PendingRequest['api']>): void {
    for (const [id, p] of this.pending) if (apis.includes(p.api)) this.pending.delete(id);
    if (apis.includes('JoinGroup')) this.joinRequestId = null;
    if (apis.includes('SyncGroup')) this.syncRequestId = null;
    if (apis.includes('Metadata')) this.metadataRequestId = null;
    if (apis.includes('Heartbeat')) this.heartbeatRequestId = null;
  }

  fail(errorCode: number, message: string): void {
    this.state = 'failed';
    this.pending.clear();
    this.joinRequestId = this.syncRequestId = this.heartbeatRequestId = this.metadataRequestId = null;
    this.callbackToken = null;
    this.emit({ type: 'fatal', errorCode, message: `${errorName(errorCode)} (${errorCode}): ${message}` });
  }

  /** Any error the member cannot go on after (Java raises these from poll()). */
  static isFatalJoinError(code: number): boolean {
    return (
      code === ErrorCode.INCONSISTENT_GROUP_PROTOCOL ||
      code === ErrorCode.INVALID_SESSION_TIMEOUT ||
      code === ErrorCode.INVALID_GROUP_ID ||
      code === ErrorCode.GROUP_AUTHORIZATION_FAILED ||
      code === ErrorCode.GROUP_MAX_SIZE_REACHED ||
      code === ErrorCode.UNSUPPORTED_VERSION ||
      code === ErrorCode.FENCED_INSTANCE_ID
    );
  }
}
