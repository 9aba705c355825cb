import { builtInAssignors } from '../assignors/index.js';
import type { Assignor } from '../assignors/types.js';
import { Prng } from '../common/prng.js';
import type { Completion, CoordinatorApi, CoordinatorApis, CoordinatorEvent, GroupView } from '../coordinator/index.js';
import { ClassicSimMember, type ClassicSimMemberOptions } from './classic-member.js';
import { InvariantViolation, SimCoordinatorHost } from './coordinator-host.js';
import { EventQueue } from './event-queue.js';
import { ConsumerSimMember, simTopicId } from './consumer-member.js';
import { checkConsumerGroup, checkConsumerOwnership, checkConsumerSettled } from './consumer-invariants.js';
import { checkDurableProjection, checkExclusiveOwnership, checkStableAssignment } from './invariants.js';
import type { OwnershipClaim, SimMember, SimMemberPort } from './member.js';
import { randomConsumerScenario, randomScenario, type Fault, type MemberPlan, type Scenario } from './scenario.js';

export const SIM_GROUP_ID = 'sim-group';

/** Everything a member driver needs to be built for one process of one planned member. */
export interface MemberContext {
  readonly name: string;
  readonly groupId: string;
  readonly plan: MemberPlan;
  readonly partitionsPerTopic: ReadonlyMap<string, number>;
  readonly assignor: Assignor;
  readonly prng: Prng;
  /** Consumer groups: the server-side assignor the scenario's members ask for. */
  readonly serverAssignor?: string | null;
}

export type MemberFactory = (port: SimMemberPort, context: MemberContext) => SimMember;

export interface SimOptions {
  /** The group protocol the members speak: classic (JoinGroup/SyncGroup, default) or consumer (KIP-848). */
  protocol?: 'classic' | 'consumer';
  /** Builds member drivers; the default follows the classic protocol (ClassicSimMember). */
  memberFactory?: MemberFactory;
  /** Builds the scenario from the run's PRNG; the default is randomScenario. */
  scenario?: (prng: Prng) => Scenario;
  /** Lines of trace kept for the failure report. */
  traceLines?: number;
}

export interface SimResult {
  readonly seed: number;
  /** null when every invariant held. */
  readonly failure: string | null;
  /** The last lines of the run's trace. */
  readonly trace: readonly string[];
  readonly steps: number;
  readonly stats: { rebalances: number; coordinatorRestarts: number; compactions: number; requests: number; logRecords: number };
  readonly events: readonly CoordinatorEvent[];
}

/**
 * Classic (JoinGroup/SyncGroup) members built from each member's plan; `overrides` sets what a
 * caller models differently (the lab: a client's request timeout, its auto-commit interval).
 */
export const classicMemberFactory = (overrides: Partial<Pick<ClassicSimMemberOptions, 'requestTimeoutMs' | 'commitIntervalMs' | 'commitConnection'>> = {}): MemberFactory => (port, c) =>
  new ClassicSimMember(port, {
    name: c.name,
    groupId: c.groupId,
    clientId: c.name,
    instanceId: c.plan.instanceId,
    sessionTimeoutMs: c.plan.sessionTimeoutMs,
    rebalanceTimeoutMs: c.plan.rebalanceTimeoutMs,
    heartbeatIntervalMs: c.plan.heartbeatIntervalMs,
    requestTimeoutMs: Math.min(5000, c.plan.sessionTimeoutMs),
    retryBackoffMs: 100,
    commitIntervalMs: 2500,
    topics: c.plan.topics,
    partitionsPerTopic: c.partitionsPerTopic,
    assignor: c.assignor,
    joinVersion: c.plan.joinVersion,
    commitVersion: c.plan.commitVersion,
    commitConnection: c.plan.commitConnection,
    prng: c.prng,
    ...overrides,
  });

export const defaultMemberFactory: MemberFactory = classicMemberFactory();

/** KIP-848 members: Samsa's client state machine (src/client/group/kip848). */
export const consumerMemberFactory: MemberFactory = (port, c) =>
  new ConsumerSimMember(port, {
    name: c.name,
    groupId: c.groupId,
    memberId: c.prng.uuid(),
    instanceId: c.plan.instanceId,
    rebalanceTimeoutMs: c.plan.rebalanceTimeoutMs,
    serverAssignor: c.serverAssignor ?? null,
    topics: c.plan.topics,
    requestTimeoutMs: Math.min(5000, c.plan.sessionTimeoutMs),
    retryBackoffMs: 100,
    commitIntervalMs: 2500,
    revokeDelayMs: () => c.prng.int(0, 2500),
  });

/** One process of a planned member; a restart is a new process. */
interface Process {
  readonly name: string;
  readonly planIndex: number;
  readonly member: SimMember;
  alive: boolean;
  pausedUntilMs: number;
  readonly outstanding: Set<number>;
  readonly wakeAt: Set<number>;
  /** Per connection: when the last message each way is delivered (each connection is FIFO). */
  readonly connections: Map<string, { upMs: number; downMs: number }>;
}

/**
 * Runs one seeded simulation: members against the coordinator core over a simulated network,
 * with the scenario's faults, checking the invariants after every step.
 */
export function runSimulation(seed: number, options: SimOptions = {}): SimResult {
  return new SimulationRun(seed, options).run();
}

class SimulationRun {
  private readonly prng: Prng;
  private readonly net: Prng;
  private readonly scenario: Scenario;
  private readonly queue = new EventQueue();
  private readonly host: SimCoordinatorHost;
  private readonly processes: Process[] = [];
  private readonly owner = new Map<number, Process>();
  private readonly connectionOf = new Map<number, string>();
  private readonly tickAt = new Set<number>();
  private readonly traceLines: string[] = [];
  private readonly traceLimit: number;
  private readonly factory: MemberFactory;
  private readonly assignor: Assignor;
  private nowMs = 0;
  private requestCounter = 0;
  private connectionEpoch = 0;
  private steps = 0;
  /** Invariants are rechecked when the coordinator reported a change or a member acted. */
  private checkedChanges = -1;
  private membersTouched = true;
  private lastClaims: readonly (OwnershipClaim | null)[] = [];
  private groupView: GroupView | undefined;
  private readonly restarts = new Map<number, number>();
  private readonly consumer: boolean;

  constructor(readonly seed: number, options: SimOptions) {
    this.consumer = options.protocol === 'consumer';
    this.prng = new Prng(seed);
    this.scenario = (options.scenario ?? (this.consumer ? randomConsumerScenario : randomScenario))(this.prng);
    this.net = new Prng((seed ^ 0x5bd1e995) >>> 0);
    const ids = new Prng((seed ^ 0x2545f491) >>> 0);
    const topics = [...this.scenario.partitionsPerTopic].map(([name, partitions]) => ({ id: simTopicId(name), name, partitions }));
    this.host = new SimCoordinatorHost(this.scenario.coordinator, () => ids.uuid(), 0, topics);
    this.traceLimit = options.traceLines ?? 60;
    this.factory = options.memberFactory ?? (this.consumer ? consumerMemberFactory : defaultMemberFactory);
    this.assignor = builtInAssignors.get(this.scenario.assignor)!;
  }

  run(): SimResult {
    let failure: string | null = null;
    try {
      this.trace(`scenario ${describeScenario(this.scenario)}`);
      this.scenario.members.forEach((plan, i) => this.queue.schedule(plan.startAtMs, 'start', () => this.startProcess(i)));
      for (const f of this.scenario.faults) this.queue.schedule(f.atMs, f.kind, () => this.applyFault(f));
      this.afterCoordinator();
      for (let e = this.queue.pop(); e !== null && e.atMs <= this.scenario.durationMs; e = this.queue.pop()) {
        this.nowMs = Math.max(this.nowMs, e.atMs);
        e.run();
        this.steps++;
        this.checkInvariants();
      }
      this.nowMs = this.scenario.durationMs;
      this.host.checkReplayMatches();
      this.checkSettled();
    } catch (err) {
      failure = err instanceof InvariantViolation ? err.message : `unexpected error: ${(err as Error).stack ?? String(err)}`;
    }
    return {
      seed: this.seed,
      failure,
      trace: [...this.traceLines],
      steps: this.steps,
      stats: {
        rebalances: this.host.events.filter((e) => e.type === 'rebalance-completed' || (e.type === 'consumer-state-changed' && e.to === 'Stable')).length,
        coordinatorRestarts: this.host.restarts,
        compactions: this.host.compactions,
        requests: this.requestCounter,
        logRecords: this.host.log.length,
      },
      events: this.host.events,
    };
  }

  // ---- processes ----

  private startProcess(planIndex: number): Process {
    const count = (this.restarts.get(planIndex) ?? 0) + 1;
    this.restarts.set(planIndex, count);
    const name = count === 1 ? `m${planIndex}` : `m${planIndex}#${count}`;
    const plan = this.scenario.members[planIndex]!;
    const proc: Process = {
      name,
      planIndex,
      member: undefined as unknown as SimMember,
      alive: true,
      pausedUntilMs: 0,
      outstanding: new Set(),
      wakeAt: new Set(),
      connections: new Map(),
    };
    const port: SimMemberPort = {
      send: (api, apiVersion, body, options) => this.sendRequest(proc, api, apiVersion, body, options?.connection ?? 'main'),
      trace: (line) => this.trace(line),
    };
    const context: MemberContext = {
      name,
      groupId: SIM_GROUP_ID,
      plan,
      partitionsPerTopic: this.scenario.partitionsPerTopic,
      assignor: this.assignor,
      prng: new Prng((this.seed * 31 + planIndex * 7919 + count) >>> 0),
      serverAssignor: this.scenario.serverAssignor ?? null,
    };
    (proc as { member: SimMember }).member = this.factory(port, context);
    this.processes.push(proc);
    this.trace(`${name} starts${plan.instanceId !== null ? ` (instance ${plan.instanceId})` : ''}`);
    proc.member.start(this.nowMs);
    this.afterMember(proc);
    return proc;
  }

  private applyFault(f: Fault): void {
    if (f.kind === 'coordinator-restart') {
      this.trace(`FAULT coordinator crashes (down ${f.downMs} ms, compact=${f.compact})`);
      this.crashCoordinator();
      this.queue.schedule(this.nowMs + f.downMs, 'recover', () => {
        this.host.recover(this.nowMs, f.compact);
        this.trace(`coordinator recovered from ${this.host.log.length} records`);
        this.afterCoordinator();
      });
      return;
    }
    const proc = this.current(f.member);
    if (proc === undefined || !proc.alive || proc.member.stopped) return;
    switch (f.kind) {
      case 'crash':
        this.trace(`FAULT ${proc.name} crashes${f.restartAfterMs === null ? '' : `, restarts in ${f.restartAfterMs} ms`}`);
        proc.alive = false;
        if (f.restartAfterMs !== null) this.queue.schedule(this.nowMs + f.restartAfterMs, 'restart', () => this.startProcess(f.member));
        return;
      case 'pause':
        this.trace(`FAULT ${proc.name} stalls for ${f.durationMs} ms`);
        proc.pausedUntilMs = Math.max(proc.pausedUntilMs, this.nowMs + f.durationMs);
        // Scheduled now, so it runs before anything deferred during the stall.
        this.queue.schedule(proc.pausedUntilMs, 'resume', () => {
          if (this.nowMs >= proc.pausedUntilMs) this.toMember(proc, null, (m) => m.resume?.(this.nowMs));
        });
        return;
      case 'bounce':
        this.trace(`FAULT ${proc.name} closes and restarts in ${f.restartAfterMs} ms`);
        this.closeProcess(proc);
        this.queue.schedule(this.nowMs + f.restartAfterMs, 'restart', () => this.startProcess(f.member));
        return;
      case 'duplicate-instance':
        if (this.scenario.members[f.member]!.instanceId === null) return;
        this.trace(`FAULT a second process starts with ${proc.name}'s instance id`);
        this.startProcess(f.member);
        return;
    }
  }

  /** A clean shutdown: dynamic members leave the group; static ones do not (as the Java client). */
  private closeProcess(proc: Process): void {
    if (proc.member.close !== undefined) {
      // The member leaves by itself (KIP-848: epoch -1, or -2 for a static member); the process
      // lives until its leave heartbeat is sent.
      proc.member.close(this.nowMs);
      this.afterMember(proc);
      this.queue.schedule(this.nowMs + 1, 'exit', () => (proc.alive = false));
      return;
    }
    const plan = this.scenario.members[proc.planIndex]!;
    const claim = proc.member.claim();
    if (plan.instanceId === null && claim !== null) {
      this.sendRequest(proc, 'leave', 3, { groupId: SIM_GROUP_ID, memberId: '', members: [{ memberId: claim.memberId, groupInstanceId: null, reason: 'bounce' }] });
    }
    proc.alive = false;
  }

  /** The latest process of a planned member. */
  private current(planIndex: number): Process | undefined {
    for (let i = this.processes.length - 1; i >= 0; i--) if (this.processes[i]!.planIndex === planIndex) return this.processes[i];
    return undefined;
  }

  // ---- network ----

  private latency(): number {
    const base = this.net.int(0, this.scenario.maxLatencyMs);
    const troubled = this.nowMs < this.scenario.faultWindowEndMs;
    return troubled && this.net.next() < this.scenario.delayProbability ? base + this.net.int(100, 3000) : base;
  }

  private lost(): boolean {
    return this.nowMs < this.scenario.faultWindowEndMs && this.net.next() < this.scenario.lossProbability;
  }

  /** Each direction of each connection delivers in order. */
  private fifo(proc: Process, connection: string, direction: 'up' | 'down'): number {
    let c = proc.connections.get(connection);
    if (c === undefined) proc.connections.set(connection, (c = { upMs: 0, downMs: 0 }));
    const key = direction === 'up' ? 'upMs' : 'downMs';
    const at = Math.max(this.nowMs + this.latency(), c[key]);
    c[key] = at;
    return at;
  }

  private sendRequest<A extends CoordinatorApi>(proc: Process, api: A, apiVersion: number, body: CoordinatorApis[A]['request'], connection = 'main'): number {
    const id = ++this.requestCounter;
    this.owner.set(id, proc);
    this.connectionOf.set(id, connection);
    proc.outstanding.add(id);
    if (api !== 'heartbeat' && api !== 'offset-commit') this.trace(`${proc.name} -> ${api} #${id}${'memberId' in body ? ` member=${String(body.memberId)}` : ''}`);
    if (this.lost()) {
      this.trace(`net drops ${api} #${id} from ${proc.name}`);
      return id;
    }
    const epoch = this.connectionEpoch;
    this.queue.schedule(this.fifo(proc, connection, 'up'), 'request', () => {
      if (epoch !== this.connectionEpoch) return; // the connection broke meanwhile
      if (!this.host.up) {
        this.queue.schedule(this.nowMs + this.latency(), 'refused', () => this.toMember(proc, id, (m) => m.fail(id, this.nowMs)));
        return;
      }
      const before = this.host.events.length;
      const { response, completions } = this.host.handle({ api, requestId: id, apiVersion, clientId: proc.name, clientHost: '/10.0.0.1', body } as never, this.nowMs);
      for (const e of this.host.events.slice(before)) this.traceEvent(e);
      if (response !== undefined) this.sendResponse(id, response);
      this.route(completions);
      this.afterCoordinator();
    });
    return id;
  }

  private route(completions: readonly Completion[]): void {
    for (const c of completions) this.sendResponse(c.requestId, c.response);
  }

  private sendResponse(requestId: number, response: unknown): void {
    const proc = this.owner.get(requestId);
    if (proc === undefined || !proc.alive) return;
    if (this.lost()) {
      this.trace(`net drops the answer to #${requestId} for ${proc.name}`);
      return;
    }
    const epoch = this.connectionEpoch;
    this.queue.schedule(this.fifo(proc, this.connectionOf.get(requestId) ?? 'main', 'down'), 'response', () => {
      if (epoch !== this.connectionEpoch) return;
      this.toMember(proc, requestId, (m) => m.receive(requestId, response, this.nowMs));
    });
  }

  /** Delivers to a member process, holding everything back while it is stalled. */
  private toMember(proc: Process, requestId: number | null, action: (m: SimMember) => void): void {
    if (!proc.alive) return;
    if (this.nowMs < proc.pausedUntilMs) {
      this.queue.schedule(proc.pausedUntilMs, 'deferred', () => this.toMember(proc, requestId, action));
      return;
    }
    if (requestId !== null) {
      proc.outstanding.delete(requestId);
      this.owner.delete(requestId);
      this.connectionOf.delete(requestId);
    }
    action(proc.member);
    this.membersTouched = true;
    this.afterMember(proc);
  }

  private crashCoordinator(): void {
    this.host.crash();
    this.connectionEpoch++;
    // Every connection to the coordinator breaks: each outstanding request fails.
    for (const proc of this.processes) {
      if (!proc.alive) continue;
      for (const id of [...proc.outstanding]) {
        this.queue.schedule(this.nowMs + this.latency(), 'disconnect', () => this.toMember(proc, id, (m) => m.fail(id, this.nowMs)));
      }
      proc.connections.clear();
    }
  }

  // ---- timers ----

  private afterMember(proc: Process): void {
    const t = proc.member.nextWakeMs();
    if (t === null || proc.wakeAt.has(t)) return;
    proc.wakeAt.add(t);
    this.queue.schedule(Math.max(t, this.nowMs), 'wake', () => {
      proc.wakeAt.delete(t);
      this.toMember(proc, null, (m) => {
        const due = m.nextWakeMs();
        if (due !== null && due <= this.nowMs) m.wake(this.nowMs);
      });
    });
  }

  private afterCoordinator(): void {
    const t = this.host.nextDeadlineMs();
    if (t === null || this.tickAt.has(t)) return;
    this.tickAt.add(t);
    this.queue.schedule(Math.max(t, this.nowMs), 'tick', () => {
      this.tickAt.delete(t);
      if (!this.host.up) return;
      const before = this.host.events.length;
      this.route(this.host.tick(this.nowMs));
      for (const e of this.host.events.slice(before)) this.traceEvent(e);
      this.afterCoordinator();
    });
  }

  // ---- checks ----

  private checkInvariants(): void {
    if (!this.host.up) return;
    if (this.consumer) return this.checkConsumerInvariants();
    const coordinatorChanged = this.host.changes !== this.checkedChanges;
    if (coordinatorChanged) {
      this.checkedChanges = this.host.changes;
      this.groupView = this.host.coordinator.group(SIM_GROUP_ID);
      checkStableAssignment(this.groupView, this.scenario.partitionsPerTopic);
      checkDurableProjection(this.host.coordinator, this.groupView);
    }
    if (coordinatorChanged || this.membersTouched) {
      this.membersTouched = false;
      const claims: (OwnershipClaim | null)[] = [];
      for (const p of this.processes) if (p.alive) claims.push(p.member.claim());
      const same = claims.length === this.lastClaims.length && claims.every((c, i) => c === this.lastClaims[i]);
      this.lastClaims = claims;
      if (coordinatorChanged || !same) checkExclusiveOwnership(this.groupView, claims.filter((c): c is OwnershipClaim => c !== null));
    }
    if (this.steps % 1024 === 0) this.host.checkReplayMatches();
  }

  private checkConsumerInvariants(): void {
    const coordinatorChanged = this.host.changes !== this.checkedChanges;
    if (coordinatorChanged) this.checkedChanges = this.host.changes;
    const view = this.host.coordinator.consumerGroup(SIM_GROUP_ID);
    if (coordinatorChanged) checkConsumerGroup(view, this.scenario.partitionsPerTopic);
    if (coordinatorChanged || this.membersTouched) {
      this.membersTouched = false;
      const claims = this.processes.filter((p) => p.alive).map((p) => p.member.claim()).filter((c): c is OwnershipClaim => c !== null);
      checkConsumerOwnership(view, claims);
    }
    if (this.steps % 1024 === 0) this.host.checkReplayMatches();
  }

  /** After the quiet tail, every running member is in one Stable generation that assigns everything. */
  private checkSettled(): void {
    if (this.consumer) {
      const running = this.processes.filter((p) => p.alive && !p.member.stopped);
      return checkConsumerSettled(this.host.coordinator.consumerGroup(SIM_GROUP_ID), running.map((p) => ({ name: p.name, claim: p.member.claim() })));
    }
    const running = this.processes.filter((p) => p.alive && !p.member.stopped);
    if (running.length === 0) return;
    const group = this.host.coordinator.group(SIM_GROUP_ID);
    if (group === undefined || group.state !== 'Stable') {
      throw new InvariantViolation(`the group did not settle: ${group?.state ?? 'missing'} at the end with ${running.length} running members`);
    }
    const claims = running.map((p) => ({ name: p.name, claim: p.member.claim() }));
    const unsettled = claims.filter((c) => c.claim === null || c.claim.generationId !== group.generationId);
    if (unsettled.length > 0) {
      throw new InvariantViolation(`members not in generation ${group.generationId} at the end: ${unsettled.map((c) => `${c.name}(${c.claim?.generationId ?? 'none'})`).join(', ')}`);
    }
    const memberIds = new Set(group.members.map((m) => m.memberId));
    const strangers = claims.filter((c) => !memberIds.has(c.claim!.memberId));
    if (strangers.length > 0 || memberIds.size !== running.length) {
      throw new InvariantViolation(`group members ${[...memberIds].join(',')} differ from running members ${claims.map((c) => c.claim!.memberId).join(',')}`);
    }
  }

  // ---- trace ----

  private trace(line: string): void {
    this.traceLines.push(`${String(this.nowMs).padStart(6)} ${line}`);
    if (this.traceLines.length > this.traceLimit) this.traceLines.shift();
  }

  private traceEvent(e: CoordinatorEvent): void {
    switch (e.type) {
      case 'state-changed':
        return this.trace(`coordinator: ${e.from} -> ${e.to} (generation ${e.generationId})`);
      case 'member-removed':
        return this.trace(`coordinator: removed ${e.memberId} (${e.reason})`);
      case 'consumer-member-removed':
        return this.trace(`coordinator: fenced ${e.memberId} at epoch ${e.memberEpoch} (${e.reason})`);
      case 'consumer-epoch-bumped':
        return this.trace(`coordinator: group epoch ${e.groupEpoch} (${e.reason}${e.memberId !== null ? ` ${e.memberId}` : ''})`);
      case 'consumer-state-changed':
        return this.trace(`coordinator: ${e.from} -> ${e.to} (epoch ${e.groupEpoch}, assignment ${e.assignmentEpoch})`);
      default:
        return;
    }
  }
}

function describeScenario(s: Scenario): string {
  const topics = [...s.partitionsPerTopic].map(([t, n]) => `${t}:${n}`).join(',');
  const members = s.members.map((m) => `${m.instanceId === null ? 'dyn' : 'static'}/v${m.joinVersion}@${m.startAtMs}`).join(' ');
  const faults = s.faults.map((f) => `${f.kind}@${f.atMs}`).join(' ');
  return `topics=${topics} assignor=${s.assignor} loss=${s.lossProbability} delay=${s.delayProbability} members=[${members}] faults=[${faults}] config=${JSON.stringify(s.coordinator)}`;
}
