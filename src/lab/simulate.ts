import { Prng } from '../common/prng.js';
import { classicMemberFactory, runSimulation, type Fault, type MemberPlan, type Scenario, type SimResult } from '../sim/index.js';

type CoordinatorEvent = SimResult['events'][number];
import type { LabScenario } from './scenarios.js';
import type { CommitMode, LabKnobs } from './types.js';

/**
 * `samsa lab simulate`: the group coordinator core (the same code the broker runs) with simulated
 * members on virtual time. A day of a group's life takes seconds; what it predicts about the
 * protocol (rebalances, their causes, evictions, time spent rebalancing) is exact for the given
 * timings; pauses as consumers feel them and duplicates are estimates built on those facts.
 */

export const DAY_MS = 86_400_000;

/** Handler time per poll: log-normal from its median and 99th percentile. */
export interface HandlerTime {
  medianMs: number;
  p99Ms: number;
}

export interface SimulateInput {
  members: number;
  partitions: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  /** Eager assignors only: the simulated members follow the eager protocol. */
  strategy: 'range' | 'roundrobin';
  staticMembers: boolean;
  commit: CommitMode;
  autoCommitIntervalMs: number;
  ratePerSecond: number;
  handler: HandlerTime | null;
  /** Rolling restarts per day, each restarting every member in turn. */
  deploysPerDay: number;
  /** How long a member is down during a deploy or after a crash. */
  downMs: number;
  /** Time between one member coming back and the next one stopping during a deploy. */
  deployStepMs: number;
  crashesPerDay: number;
  durationMs: number;
  seed: number;
}

export interface SimulatePrediction {
  durationMs: number;
  /** Rebalances completed (new generations) after the group first formed. */
  rebalances: number;
  /** Rebalances started, by the coordinator's reason. */
  reasons: Record<string, number>;
  /** Members removed by the coordinator, by reason (session-timeout, leave-request, ...). */
  removals: Record<string, number>;
  /** Slow polls that made a member leave (max.poll.interval.ms). */
  pollTimeouts: number;
  crashes: number;
  deploys: number;
  /** Time from the first PreparingRebalance to Stable, summed and longest (eager: every partition waits). */
  timeInRebalanceMs: number;
  longestRebalanceMs: number;
  /** Time the partitions of crashed members had no consumer, summed (waiting for the session timeout and the rebalance). */
  deadMemberWaitMs: number;
  /** Static members: time their partitions waited while they were down (deploys, slow polls); nobody else takes them over (KIP-345). */
  staticDownWaitMs: number;
  /** Records expected to be processed twice (an estimate: see expectedDuplicates). */
  expectedDuplicates: number;
  /** null when the coordinator's invariants held throughout. */
  failure: string | null;
  /** How long the simulation took on this machine. */
  wallMs: number;
}

interface SimPlan {
  members: MemberPlan[];
  faults: Fault[];
  /** Rebalances completed before this time are the group forming, not counted. */
  countFromMs: number;
  durationMs: number;
  pollTimeouts: number;
  crashes: number;
  deploys: number;
}

function plan(k: Pick<SimulateInput, 'sessionTimeoutMs' | 'heartbeatIntervalMs' | 'maxPollIntervalMs' | 'staticMembers'>, name: number, startAtMs: number): MemberPlan {
  return {
    instanceId: k.staticMembers ? `m${name + 1}` : null,
    sessionTimeoutMs: k.sessionTimeoutMs,
    rebalanceTimeoutMs: k.maxPollIntervalMs,
    heartbeatIntervalMs: k.heartbeatIntervalMs,
    // Versions the Samsa client uses against a current broker (static members need v5+ / v7+).
    joinVersion: 9,
    commitVersion: 8,
    commitConnection: false,
    topics: ['lab'],
    startAtMs,
  };
}

function runPlan(input: Pick<SimulateInput, 'partitions' | 'strategy' | 'autoCommitIntervalMs' | 'seed'>, p: SimPlan): { events: readonly CoordinatorEvent[]; failure: string | null; wallMs: number } {
  const scenario: Scenario = {
    // As the lab's broker: no initial rebalance delay, session timeouts from 1 s.
    coordinator: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 1_800_000, maxGroupSize: 2_147_483_647, offsetsRetentionMs: 7 * DAY_MS },
    partitionsPerTopic: new Map([['lab', input.partitions]]),
    assignor: input.strategy,
    members: p.members,
    faults: [...p.faults].sort((a, b) => a.atMs - b.atMs),
    faultWindowEndMs: p.durationMs,
    durationMs: p.durationMs,
    lossProbability: 0,
    delayProbability: 0,
    maxLatencyMs: 1,
  };
  const started = performance.now();
  const result = runSimulation(input.seed, { scenario: () => scenario, memberFactory: classicMemberFactory({ requestTimeoutMs: 30_000, commitIntervalMs: input.autoCommitIntervalMs, commitConnection: false }), traceLines: 20 });
  return { events: result.events, failure: result.failure, wallMs: performance.now() - started };
}

/** Samples log-normal handler times from median and p99 (z(0.99) = 2.326). */
function handlerSampler(h: HandlerTime, prng: Prng): () => number {
  const mu = Math.log(h.medianMs);
  const sigma = Math.max(0, Math.log(h.p99Ms / h.medianMs) / 2.326);
  return () => {
    const u = Math.max(prng.next(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * prng.next());
    return Math.exp(mu + sigma * z);
  };
}

/** A day (or `durationMs`) of the group with deploys, crashes and slow polls drawn from the seed. */
export function simulateGroup(input: SimulateInput): SimulatePrediction {
  const prng = new Prng(input.seed);
  const formMs = 5000;
  const members = Array.from({ length: input.members }, (_, i) => plan(input, i, 0));
  const faults: Fault[] = [];
  let deploys = 0;
  for (let d = 0; d < input.deploysPerDay * (input.durationMs / DAY_MS); d++) {
    let at = formMs + ((d + 0.5) * input.durationMs) / Math.max(1, input.deploysPerDay * (input.durationMs / DAY_MS));
    deploys++;
    for (let m = 0; m < input.members; m++) {
      faults.push({ kind: 'bounce', atMs: Math.round(at), member: m, restartAfterMs: input.downMs });
      at += input.downMs + input.deployStepMs;
    }
  }
  const crashCount = Math.round(input.crashesPerDay * (input.durationMs / DAY_MS));
  for (let c = 0; c < crashCount; c++) {
    faults.push({ kind: 'crash', atMs: prng.int(formMs, input.durationMs - 60_000), member: prng.int(0, input.members - 1), restartAfterMs: input.downMs });
  }
  // Each member polls one batch after another; a poll longer than max.poll.interval.ms makes the
  // member leave at that moment (LeaveGroup) and join again as a new member when the handler returns.
  let pollTimeouts = 0;
  if (input.handler !== null) {
    const sample = handlerSampler(input.handler, prng);
    for (let m = 0; m < input.members; m++) {
      for (let t = formMs; t < input.durationMs - 60_000;) {
        const d = Math.max(1, sample());
        if (d > input.maxPollIntervalMs) {
          faults.push({ kind: 'bounce', atMs: Math.round(t + input.maxPollIntervalMs), member: m, restartAfterMs: Math.round(d - input.maxPollIntervalMs) });
          pollTimeouts++;
        }
        t += d;
      }
    }
  }
  const p: SimPlan = { members, faults, countFromMs: formMs, durationMs: input.durationMs, pollTimeouts, crashes: crashCount, deploys };
  return predict(input, p);
}

function predict(input: Pick<SimulateInput, 'partitions' | 'members' | 'strategy' | 'autoCommitIntervalMs' | 'seed' | 'commit' | 'ratePerSecond'>, p: SimPlan): SimulatePrediction {
  const { events, failure, wallMs } = runPlan(input, p);
  const counted = events.filter((e) => e.atMs >= p.countFromMs);
  const completed = counted.filter((e): e is Extract<CoordinatorEvent, { type: 'rebalance-completed' }> => e.type === 'rebalance-completed');
  const reasons: Record<string, number> = {};
  const removals: Record<string, number> = {};
  for (const e of counted) {
    if (e.type === 'rebalance-started') reasons[e.reason] = (reasons[e.reason] ?? 0) + 1;
    if (e.type === 'member-removed') removals[e.reason] = (removals[e.reason] ?? 0) + 1;
  }
  // A crashed member's partitions wait for the rebalance that hands them to someone else or, for
  // a static member, for its new process taking its place (KIP-345), whichever comes first.
  let deadMemberWaitMs = 0;
  for (const f of p.faults) {
    if (f.kind !== 'crash') continue;
    const next = completed.find((e) => e.atMs > f.atMs)?.atMs ?? p.durationMs;
    const back = p.members[f.member]?.instanceId != null && f.restartAfterMs !== null ? f.atMs + f.restartAfterMs : Infinity;
    deadMemberWaitMs += Math.min(next, back) - f.atMs;
  }
  let staticDownWaitMs = 0;
  for (const f of p.faults) if (f.kind === 'bounce' && p.members[f.member]?.instanceId != null) staticDownWaitMs += f.restartAfterMs;
  // Records handled since the last auto-commit are handled again when their partition moves
  // without a commit: on average half an interval of each partition's records. Eager rebalances
  // give every partition up, so with auto-commit alone each rebalance costs that for all of them;
  // with commit on revoke only members that never got to revoke (crashed or timed out) do.
  const perPartitionPerMs = input.ratePerSecond / 1000 / input.partitions;
  const halfInterval = input.autoCommitIntervalMs / 2;
  const uncommittedLosses = p.crashes + p.pollTimeouts + (removals['session-timeout'] ?? 0) - Math.min(p.crashes, removals['session-timeout'] ?? 0);
  const ownedByOne = input.partitions / input.members;
  const expectedDuplicates = Math.round(
    input.commit === 'auto'
      ? completed.length * input.partitions * perPartitionPerMs * halfInterval
      : uncommittedLosses * ownedByOne * perPartitionPerMs * halfInterval,
  );
  return {
    durationMs: p.durationMs,
    rebalances: completed.length,
    reasons,
    removals,
    pollTimeouts: p.pollTimeouts,
    crashes: p.crashes,
    deploys: p.deploys,
    timeInRebalanceMs: completed.reduce((a, e) => a + e.durationMs, 0),
    longestRebalanceMs: Math.max(0, ...completed.map((e) => e.durationMs)),
    deadMemberWaitMs,
    staticDownWaitMs,
    expectedDuplicates,
    failure,
    wallMs,
  };
}

/**
 * The simulator's prediction for one run of a lab scenario: the same members, timeouts and steps
 * at the same times, counted from the scenario's first step as the lab counts from the
 * producer's start. Throws for steps the simulator cannot model (partitions added).
 */
export function simulateLabScenario(s: LabScenario, k: LabKnobs, seed = 1): SimulatePrediction {
  if (k.strategy !== 'range' && k.strategy !== 'roundrobin') throw new Error(`the simulator's members are eager (range, roundrobin), not ${k.strategy}`);
  const members = Array.from({ length: k.members }, (_, i) => plan(k, i, 0));
  const faults: Fault[] = [];
  const settleMs = 2000;
  let t = settleMs;
  let pollTimeouts = 0;
  let crashes = 0;
  for (const step of s.steps(k)) {
    const index = Number(('member' in step ? step.member : 'm0').slice(1)) - 1;
    switch (step.kind) {
      case 'wait':
        t += step.ms;
        break;
      case 'start':
        members.push(plan(k, members.length, t));
        break;
      case 'kill':
        faults.push({ kind: 'crash', atMs: t, member: index, restartAfterMs: null });
        crashes++;
        break;
      case 'freeze':
        faults.push({ kind: 'pause', atMs: t, member: index, durationMs: step.durationMs });
        break;
      case 'stall':
        if (step.durationMs > k.maxPollIntervalMs) {
          faults.push({ kind: 'bounce', atMs: t + k.maxPollIntervalMs, member: index, restartAfterMs: step.durationMs - k.maxPollIntervalMs });
          pollTimeouts++;
        }
        break;
      case 'restart':
        faults.push({ kind: 'bounce', atMs: t, member: index, restartAfterMs: k.downMs });
        // The lab waits for the new process to own partitions before it goes on.
        t += k.downMs + 1000;
        break;
      case 'add-partitions':
        throw new Error('the simulator does not model partitions added to a topic');
    }
  }
  const durationMs = t + Math.max(k.sessionTimeoutMs, k.maxPollIntervalMs < 60_000 ? k.maxPollIntervalMs : 0) + 30_000;
  return predict({ ...k, strategy: k.strategy, seed }, { members, faults, countFromMs: settleMs, durationMs, pollTimeouts, crashes, deploys: 0 });
}
