import { randomBytes } from 'node:crypto';
import { COORDINATOR_EVENTS, subscribeCoordinatorEvent } from '../broker/index.js';
import { createAdmin } from '../client/index.js';
import { summarizeCauses, type TimelineEntry } from '../common/timeline/index.js';
import { analyzeRun, type RunFacts } from './analysis.js';
import { DeliveryLog } from './delivery-log.js';
import type { LabChildMessage, LabConsumerConfig } from './ipc.js';
import { MemberProcess } from './members.js';
import { RateProducer } from './producer.js';
import { memberName, type LabScenario, type LabStep } from './scenarios.js';
import { LAG_SAMPLE_MS, type LabEvent, type LabKnobs, type LabRunResult } from './types.js';

export interface LabTarget {
  bootstrapServers: string;
  /** The broker runs in this process: its rebalance timeline is read from its events. */
  inProcessBroker: boolean;
}

export interface RunVariantOptions {
  /** A line per step as it happens (the CLI prints them to stderr). */
  onProgress?: (line: string) => void;
}

const nowMs = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The state of one member as its process reported it. */
interface MemberView {
  generationId: number;
  memberId: string;
  partitions: number[];
  final: boolean;
  memberIds: Set<string>;
  pollTimeouts: number;
}

/**
 * Runs one variant of a scenario: a fresh topic and group on the target cluster, member processes
 * forked up front, the initial members started and settled, then the producer and the scenario's
 * steps; at the end the producer stops, the members drain what was produced, and the numbers are
 * computed from what every member reported.
 */
export async function runLabVariant(scenario: LabScenario, label: string, k: LabKnobs, target: LabTarget, options: RunVariantOptions = {}): Promise<LabRunResult> {
  const run = new VariantRun(scenario, label, k, target, options);
  try {
    return await run.execute();
  } finally {
    await run.cleanup();
  }
}

class VariantRun {
  private readonly id = randomBytes(3).toString('hex');
  private readonly topic: string;
  private readonly groupId: string;
  private readonly log = new DeliveryLog();
  private readonly events: LabEvent[] = [];
  private readonly processes: MemberProcess[] = [];
  /** The next process to start for each member name (restarts queue a new one). */
  private readonly pending = new Map<string, MemberProcess[]>();
  private readonly current = new Map<string, MemberProcess>();
  private readonly views = new Map<MemberProcess, MemberView>();
  private readonly timeline: TimelineEntry[] = [];
  private readonly stopped = new Set<MemberProcess>();
  private readonly killed = new Set<MemberProcess>();
  private readonly changeWaiters = new Set<() => void>();
  private readonly admin;
  private producer: RateProducer | null = null;
  private unsubscribe: (() => void) | null = null;
  private originMs = NaN;
  private partitions: number;
  private readonly lagSeries: number[] = [];
  private readonly throughputSeries: number[] = [];
  private sampler: NodeJS.Timeout | null = null;
  private readonly thawTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly scenario: LabScenario, private readonly label: string, private readonly k: LabKnobs, private readonly target: LabTarget, private readonly options: RunVariantOptions) {
    this.topic = `samsa-lab-${scenario.name}-${this.id}`;
    this.groupId = `samsa-lab-${scenario.name}-${this.id}`;
    this.partitions = k.partitions;
    this.admin = createAdmin({ bootstrapServers: target.bootstrapServers, clientId: 'samsa-lab-admin' });
  }

  private rel(atMs: number): number {
    return Number.isNaN(this.originMs) ? 0 : atMs - this.originMs;
  }

  private note(source: LabEvent['source'], text: string, extra: { member?: string; atMs?: number; disturbance?: boolean } = {}): void {
    const atMs = this.rel(extra.atMs ?? nowMs());
    this.events.push({ atMs, source, text, ...(extra.member !== undefined ? { member: extra.member } : {}), ...(extra.disturbance ? { disturbance: true } : {}) });
    if (!Number.isNaN(this.originMs)) this.options.onProgress?.(`${(atMs / 1000).toFixed(1).padStart(6)} s  ${extra.member !== undefined && source !== 'lab' ? `${extra.member}: ` : ''}${text}`);
  }

  async execute(): Promise<LabRunResult> {
    const k = this.k;
    await this.admin.createTopics({ topics: [{ name: this.topic, numPartitions: k.partitions, replicationFactor: 1 }] });
    if (this.target.inProcessBroker) {
      this.unsubscribe = subscribeCoordinatorEvent(COORDINATOR_EVENTS.timelineEntry, (e) => {
        if (e.groupId !== this.groupId) return;
        this.timeline.push(e.entry);
        if (e.entry.kind === 'rebalance') this.note('broker', `generation ${e.entry.generationId}: ${shortIds(summarizeCauses(e.entry))}; ${describePause(e.entry)}`, { atMs: e.entry.completedAtMs });
        else if (e.entry.kind === 'member-replaced') this.note('broker', `static member replaced without a rebalance: ${shortIds(summarizeCauses(e.entry))}`, { atMs: e.entry.completedAtMs });
      });
    }
    // Every process the scenario will need, forked now so that Node's start-up is not measured.
    const initial = Array.from({ length: k.members }, (_, i) => memberName(i));
    const later = Array.from({ length: this.scenario.laterMembers(k) }, (_, i) => memberName(k.members + i));
    const steps = this.scenario.steps(k);
    for (const name of [...initial, ...later]) this.fork(name);
    for (const s of steps) if (s.kind === 'restart') this.fork(s.member);
    await Promise.all(this.processes.map((p) => p.waitFor('ready')));

    for (const name of initial) this.startNext(name);
    await this.settled(initial, 60_000);
    this.producer = new RateProducer(this.target.bootstrapServers, this.topic, k.ratePerSecond, k.partitions);
    await this.producer.connect();

    this.originMs = nowMs();
    this.producer.start(this.originMs);
    this.startSampler();
    this.note('lab', `producer starts at ${k.ratePerSecond} records/s over ${k.partitions} partitions; ${initial.join(', ')} consuming`);
    for (const step of steps) await this.perform(step);
    const producingEndedMs = nowMs();
    await this.producer.stop();
    this.note('lab', 'producer stops; waiting for the members to process everything');

    // Drain: what was produced should be processed by someone (a crashed member's partitions after the session timeout).
    const drainMs = Math.max(20_000, k.sessionTimeoutMs + 10_000, k.maxPollIntervalMs < 60_000 ? k.maxPollIntervalMs + 10_000 : 0);
    await this.log.waitForDistinct(() => this.producer!.acked, drainMs);
    const endMs = nowMs();
    const endOffsets = await this.admin.listOffsets({ topic: this.topic, timestamp: 'latest' });
    this.stopSampler();
    const facts: RunFacts = {
      scenario: this.scenario.name,
      variant: this.label,
      knobs: k,
      originMs: this.originMs,
      producingEndedMs,
      endMs,
      endOffsets: endOffsets.map((o) => ({ partition: o.partition, offset: o.offset })),
      initialPartitions: k.partitions,
      log: this.log,
      events: this.events,
      timeline: this.timeline,
      lagSeries: this.lagSeries,
      throughputSeries: this.throughputSeries,
      members: this.processes.map((p) => ({
        name: p.processName,
        memberName: p.name,
        view: this.views.get(p) ?? null,
        exit: this.killed.has(p) ? 'killed' : this.stopped.has(p) ? 'stopped' : p.alive ? 'running' : 'stopped',
        exitedAtMs: p.exitedAtMs,
        started: this.views.has(p) || this.log.batches.some((b) => b.member === p.processName),
      })),
      generations: this.generations,
      generationsAtOrigin: this.generationAtOrigin,
    };
    return analyzeRun(facts);
  }

  private generationAtOrigin = -1;
  private readonly generations = new Set<number>();

  private fork(name: string): void {
    const cfg: LabConsumerConfig = {
      bootstrapServers: this.target.bootstrapServers,
      topic: this.topic,
      groupId: this.groupId,
      name,
      staticMember: this.k.staticMembers,
      sessionTimeoutMs: this.k.sessionTimeoutMs,
      heartbeatIntervalMs: this.k.heartbeatIntervalMs,
      maxPollIntervalMs: this.k.maxPollIntervalMs,
      strategy: this.k.strategy,
      commit: this.k.commit,
      autoCommitIntervalMs: this.k.autoCommitIntervalMs,
      handlerMsPerRecord: this.k.handlerMsPerRecord,
      metadataMaxAgeMs: this.k.metadataMaxAgeMs,
      partitions: this.k.partitions + this.k.addPartitions,
    };
    const count = this.processes.filter((p) => p.name === name).length;
    const proc = new MemberProcess(cfg, count === 0 ? name : `${name}#${count + 1}`, (p, m) => this.onMessage(p, m));
    this.processes.push(proc);
    const queue = this.pending.get(name) ?? [];
    queue.push(proc);
    this.pending.set(name, queue);
  }

  private startNext(name: string): MemberProcess {
    const proc = this.pending.get(name)?.shift();
    if (proc === undefined) throw new Error(`no process left for ${name}`);
    this.current.set(name, proc);
    proc.start();
    return proc;
  }

  private onMessage(p: MemberProcess, m: LabChildMessage): void {
    switch (m.ev) {
      case 'processed':
        for (const [partition, first, last] of m.batches) this.log.add(p.processName, partition, m.atMs, first, last);
        break;
      case 'assignment': {
        const view = this.views.get(p) ?? { generationId: -1, memberId: '', partitions: [], final: false, memberIds: new Set<string>(), pollTimeouts: 0 };
        view.generationId = m.generationId;
        view.memberId = m.memberId;
        view.partitions = m.partitions;
        view.final = !m.revoked;
        view.memberIds.add(m.memberId);
        if (!Number.isNaN(this.originMs)) this.generations.add(m.generationId);
        this.views.set(p, view);
        this.note('member', `${m.revoked ? 'keeps' : 'owns'} ${formatPartitions(m.partitions)} (generation ${m.generationId})`, { member: p.processName, atMs: m.atMs });
        break;
      }
      case 'group': {
        if (m.name === 'poll-timeout') {
          const view = this.views.get(p);
          if (view !== undefined) view.pollTimeouts++;
        }
        if (m.name !== 'rebalance-start') this.note('member', `${m.name}${m.detail ? ` (${m.detail})` : ''}`, { member: p.processName, atMs: m.atMs });
        break;
      }
      case 'stalled':
        this.note('member', `handler stuck for ${m.durationMs / 1000} s`, { member: p.processName, atMs: m.atMs });
        break;
      case 'error':
        this.note('member', `error: ${m.message.split('\n')[0]}`, { member: p.processName });
        break;
      default:
        break;
    }
    for (const w of [...this.changeWaiters]) w();
  }

  /** Resolves once every named member reported a final assignment in one generation covering all partitions. */
  private settled(names: string[], timeoutMs: number): Promise<void> {
    const check = (): boolean => {
      const views = names.map((n) => this.views.get(this.current.get(n)!));
      if (views.some((v) => v === undefined || !v.final)) return false;
      const generation = views[0]!.generationId;
      if (views.some((v) => v!.generationId !== generation)) return false;
      const owned = new Set(views.flatMap((v) => v!.partitions));
      if (owned.size < Math.min(this.partitions, Infinity)) return false;
      this.generationAtOrigin = Math.max(this.generationAtOrigin, generation);
      return true;
    };
    return this.until(check, timeoutMs, `the group did not settle with ${names.join(', ')}`);
  }

  private until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.changeWaiters.delete(waiter);
        reject(new Error(`${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.changeWaiters.delete(waiter);
        resolve();
      };
      this.changeWaiters.add(waiter);
    });
  }

  private async perform(step: LabStep): Promise<void> {
    switch (step.kind) {
      case 'wait':
        return sleep(step.ms);
      case 'start':
        this.note('lab', `${step.member} starts`, { disturbance: true });
        this.startNext(step.member);
        return;
      case 'kill': {
        const proc = this.current.get(step.member)!;
        this.note('lab', `${step.member} is killed (SIGKILL: no commit, no LeaveGroup)`, { disturbance: true });
        this.killed.add(proc);
        proc.kill();
        return;
      }
      case 'freeze': {
        const proc = this.current.get(step.member)!;
        this.note('lab', `${step.member} freezes for ${step.durationMs / 1000} s (SIGSTOP: no heartbeats, no processing)`, { disturbance: true });
        proc.freeze();
        const timer = setTimeout(() => {
          this.thawTimers.delete(timer);
          proc.thaw();
          this.note('lab', `${step.member} resumes (SIGCONT)`);
        }, step.durationMs);
        this.thawTimers.add(timer);
        return;
      }
      case 'stall':
        this.note('lab', `${step.member}'s next batch takes ${step.durationMs / 1000} s in its handler (max.poll.interval ${this.k.maxPollIntervalMs / 1000} s)`, { disturbance: true });
        this.current.get(step.member)!.send({ cmd: 'stall', durationMs: step.durationMs });
        return;
      case 'restart': {
        const old = this.current.get(step.member)!;
        this.note('lab', `${step.member} stops for a restart (${this.k.staticMembers ? 'static: no LeaveGroup' : 'dynamic: LeaveGroup'})`, { disturbance: true });
        this.stopped.add(old);
        await old.stop();
        await sleep(this.k.downMs);
        this.note('lab', `${step.member} starts again (new process)`);
        const proc = this.startNext(step.member);
        await this.until(() => this.views.get(proc)?.final === true, Math.max(30_000, this.k.sessionTimeoutMs * 2), `${proc.processName} got no assignment`);
        return;
      }
      case 'add-partitions': {
        const count = this.partitions + step.count;
        this.note('lab', `partitions added: ${this.partitions} -> ${count}`, { disturbance: true });
        await this.admin.createPartitions({ topics: [{ name: this.topic, count }] });
        this.partitions = count;
        await this.producer!.setPartitions(count);
        return;
      }
    }
  }

  private startSampler(): void {
    let lastDeliveries = 0;
    this.sampler = setInterval(() => {
      this.lagSeries.push(Math.max(0, this.producer!.acked - this.log.distinct));
      this.throughputSeries.push(this.log.deliveries - lastDeliveries);
      lastDeliveries = this.log.deliveries;
    }, LAG_SAMPLE_MS);
  }

  private stopSampler(): void {
    if (this.sampler !== null) clearInterval(this.sampler);
    this.sampler = null;
  }

  async cleanup(): Promise<void> {
    this.stopSampler();
    for (const t of this.thawTimers) clearTimeout(t);
    for (const p of this.processes) p.thaw();
    this.unsubscribe?.();
    await this.producer?.stop().catch(() => {});
    await Promise.all(this.processes.map((p) => p.stop(10_000).catch(() => {})));
    await this.producer?.close().catch(() => {});
    await this.admin.deleteGroups([this.groupId]).catch(() => {});
    await this.admin.deleteTopics({ topics: [this.topic] }).catch(() => {});
    await this.admin.close().catch(() => {});
  }
}

export function formatPartitions(ps: readonly number[]): string {
  return ps.length === 0 ? 'nothing' : `partition${ps.length === 1 ? '' : 's'} ${ps.join(',')}`;
}

/** "m2 (m2-<uuid>) joined" reads "m2 joined": the lab's client ids already name the members. */
function shortIds(text: string): string {
  return text.replace(/ \([^()\s]+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)/g, '');
}

function describePause(e: TimelineEntry): string {
  if (e.pause.kind === 'none') return 'nothing paused';
  if (e.pause.kind === 'stop-the-world') return `stop-the-world pause ${Math.round(e.pause.maxMs)} ms`;
  return `${e.pause.partitionsPaused} partition(s) paused, longest ${Math.round(e.pause.maxMs)} ms`;
}
