import { Option, type Command } from 'commander';
import { defaultHeartbeatMs, findScenario, planRuns, scenarioNames } from '../lab/index.js';
import { DAY_MS, simulateGroup, simulateLabScenario, type SimulateInput, type SimulatePrediction } from '../lab/simulate.js';
import { action, integerArg, UsageError, type CliContext } from './context.js';
import { durationArg } from './lab.js';

interface SimulateFlags {
  members: number;
  partitions: number;
  sessionTimeout: number;
  heartbeatInterval?: number;
  maxPollInterval: number;
  strategy: 'range' | 'roundrobin';
  static?: boolean;
  commit: 'auto' | 'on-revoke';
  autoCommitInterval: number;
  rate: number;
  handlerMedian?: number;
  handlerP99?: number;
  deploysPerDay: number;
  downTime: number;
  deployStep: number;
  crashesPerDay: number;
  duration: number;
  seed: number;
  scenario?: string;
  short?: boolean;
  format: 'table' | 'json';
}

/**
 * `samsa lab simulate`: what-if without running anything. The group coordinator core with
 * simulated members on virtual time: a day of deploys, crashes and slow polls in seconds.
 */
export function registerLabSimulate(lab: Command): void {
  lab.command('simulate')
    .description('predict rebalances, time spent rebalancing, evictions and duplicates over a simulated day with the coordinator core (nothing runs)')
    .option('--members <n>', 'members', integerArg(1), 3)
    .option('--partitions <n>', 'partitions', integerArg(1), 6)
    .option('--session-timeout <time>', 'session.timeout.ms', durationArg, 45_000)
    .option('--heartbeat-interval <time>', 'heartbeat.interval.ms (default: a tenth of the session timeout, at most 3s)', durationArg)
    .option('--max-poll-interval <time>', 'max.poll.interval.ms', durationArg, 300_000)
    .addOption(new Option('--strategy <name>', 'assignor (the simulated members are eager)').choices(['range', 'roundrobin']).default('range'))
    .option('--static', 'static membership (group.instance.id)')
    .addOption(new Option('--commit <mode>', 'auto: every auto.commit.interval only; on-revoke: also before giving partitions up').choices(['auto', 'on-revoke']).default('on-revoke'))
    .option('--auto-commit-interval <time>', 'auto.commit.interval.ms', durationArg, 5000)
    .option('--rate <records/s>', 'records per second into the topic (for the duplicate estimate)', integerArg(0), 1000)
    .option('--handler-median <time>', 'handler time per poll: median (log-normal with --handler-p99)', durationArg)
    .option('--handler-p99 <time>', 'handler time per poll: 99th percentile', durationArg)
    .option('--deploys-per-day <n>', 'rolling restarts per day (every member in turn)', integerArg(0), 0)
    .option('--down-time <time>', 'how long a restarting or crashed member is down', durationArg, 20_000)
    .option('--deploy-step <time>', 'time between members during a deploy', durationArg, 30_000)
    .option('--crashes-per-day <n>', 'member crashes per day (SIGKILL, restarted after --down-time)', integerArg(0), 0)
    .option('--duration <time>', 'simulated time', durationArg, DAY_MS)
    .option('--seed <n>', 'seed of the random draws (crash times, handler times)', integerArg(0), 1)
    .option('--scenario <name>', `simulate one run of a lab scenario instead (${scenarioNames().join(', ')}), with the lab's knobs`)
    .option('--short', 'with --scenario: its short form')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(action<SimulateFlags>(async (ctx, f) => {
      if (f.scenario !== undefined) return simulateScenario(ctx, f);
      if ((f.handlerMedian === undefined) !== (f.handlerP99 === undefined)) throw new UsageError('give both --handler-median and --handler-p99, or neither');
      if (f.handlerMedian !== undefined && f.handlerP99! < f.handlerMedian) throw new UsageError('--handler-p99 must not be below --handler-median');
      if (f.duration < 120_000) throw new UsageError('--duration must be at least 2m');
      const input: SimulateInput = {
        members: f.members,
        partitions: f.partitions,
        sessionTimeoutMs: f.sessionTimeout,
        heartbeatIntervalMs: f.heartbeatInterval ?? defaultHeartbeatMs(f.sessionTimeout),
        maxPollIntervalMs: f.maxPollInterval,
        strategy: f.strategy,
        staticMembers: f.static === true,
        commit: f.commit,
        autoCommitIntervalMs: f.autoCommitInterval,
        ratePerSecond: f.rate,
        handler: f.handlerMedian === undefined ? null : { medianMs: f.handlerMedian, p99Ms: f.handlerP99! },
        deploysPerDay: f.deploysPerDay,
        downMs: f.downTime,
        deployStepMs: f.deployStep,
        crashesPerDay: f.crashesPerDay,
        durationMs: f.duration,
        seed: f.seed,
      };
      const p = simulateGroup(input);
      if (ctx.format === 'json') return ctx.json({ input, prediction: p });
      ctx.out(renderPrediction(p, `${input.members} members, ${input.partitions} partitions, ${input.strategy}, ${input.staticMembers ? 'static' : 'dynamic'}, session ${input.sessionTimeoutMs / 1000} s, max.poll.interval ${input.maxPollIntervalMs / 1000} s, ${input.deploysPerDay} deploys/day, ${input.crashesPerDay} crashes/day${input.handler === null ? '' : `, handler median ${input.handler.medianMs} ms p99 ${input.handler.p99Ms} ms`}`));
      if (p.failure !== null) throw new Error(`the coordinator broke an invariant (please report it with --seed ${input.seed}): ${p.failure}`);
    }));
}

async function simulateScenario(ctx: CliContext, f: SimulateFlags): Promise<void> {
  const s = findScenario(f.scenario!);
  if (s === undefined) throw new UsageError(`unknown scenario "${f.scenario}": one of ${scenarioNames().join(', ')}`);
  const out: Array<{ label: string; prediction: SimulatePrediction }> = [];
  for (const run of planRuns(s, {}, f.short === true)) {
    if (run.knobs.strategy !== 'range' && run.knobs.strategy !== 'roundrobin') {
      ctx.note(`${run.label}: not simulated (the simulated members are eager)`);
      continue;
    }
    out.push({ label: run.label, prediction: simulateLabScenario(s, run.knobs, f.seed) });
  }
  if (ctx.format === 'json') return ctx.json({ scenario: s.name, runs: out });
  for (const r of out) ctx.out(renderPrediction(r.prediction, `${s.name}: ${r.label}`));
}

function seconds(ms: number): string {
  return ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function renderPrediction(p: SimulatePrediction, title: string): string {
  const list = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
  const rows: Array<[string, string]> = [
    ['simulated', `${seconds(p.durationMs)} in ${seconds(p.wallMs)}`],
    ['rebalances', String(p.rebalances)],
    ['  started because', list(p.reasons)],
    ['members removed', list(p.removals)],
    ['max.poll.interval exceeded', String(p.pollTimeouts)],
    ['crashes', String(p.crashes)],
    ['time rebalancing (eager: all stop)', `${seconds(p.timeInRebalanceMs)} in total, longest ${seconds(p.longestRebalanceMs)}`],
    ['crashed members\' partitions idle', seconds(p.deadMemberWaitMs)],
    ['static members\' partitions idle while down', seconds(p.staticDownWaitMs)],
    ['duplicates (estimate)', String(p.expectedDuplicates)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `# ${title}\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
