import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createStderrLogger } from '../common/logger.js';
import { findScenario, killAllMembers, renderHtmlReport, renderScenario, runScenario, scenarioNames, startLabBroker, type LabKnobs, type LabRunResult } from '../lab/index.js';
import { action, integerArg, UsageError, withCommonOptions } from './context.js';
import { registerLabSimulate } from './lab-simulate.js';

interface LabFlags {
  members?: number;
  partitions?: number;
  sessionTimeout?: number;
  heartbeatInterval?: number;
  maxPollInterval?: number;
  strategy?: LabKnobs['strategy'];
  commit?: LabKnobs['commit'];
  autoCommitInterval?: number;
  static?: boolean;
  rate?: number;
  duration?: number;
  stall?: number;
  downTime?: number;
  handlerMs?: number;
  addPartitions?: number;
  short?: boolean;
  report?: string;
}

/** `10s`, `500ms`, `2m`, `24h`, or a bare number of milliseconds. */
export function parseDurationMs(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (m === null) throw new InvalidArgumentError(`"${value}" is not a duration (like 500ms, 10s, 2m, 24h).`);
  const n = Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : m[2] === 'h' ? 3_600_000 : 1);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive duration.`);
  return Math.round(n);
}

export const durationArg = (value: string): number => parseDurationMs(value);

/** The flags that set knobs, as knobs (only those given). */
function knobsFrom(f: LabFlags): Partial<LabKnobs> {
  const k: Partial<LabKnobs> = {};
  if (f.members !== undefined) k.members = f.members;
  if (f.partitions !== undefined) k.partitions = f.partitions;
  if (f.sessionTimeout !== undefined) k.sessionTimeoutMs = f.sessionTimeout;
  if (f.heartbeatInterval !== undefined) k.heartbeatIntervalMs = f.heartbeatInterval;
  if (f.maxPollInterval !== undefined) k.maxPollIntervalMs = f.maxPollInterval;
  if (f.strategy !== undefined) k.strategy = f.strategy;
  if (f.commit !== undefined) k.commit = f.commit;
  if (f.autoCommitInterval !== undefined) k.autoCommitIntervalMs = f.autoCommitInterval;
  if (f.static !== undefined) k.staticMembers = f.static;
  if (f.rate !== undefined) k.ratePerSecond = f.rate;
  if (f.duration !== undefined) k.phaseMs = f.duration;
  if (f.stall !== undefined) k.stallMs = f.stall;
  if (f.downTime !== undefined) k.downMs = f.downTime;
  if (f.handlerMs !== undefined) k.handlerMsPerRecord = f.handlerMs;
  if (f.addPartitions !== undefined) k.addPartitions = f.addPartitions;
  return k;
}

/**
 * `samsa lab <scenario>`: reproduces a classic consumer-group failure with real consumer
 * processes and a producer at a set rate, and prints what happened as numbers and a timeline.
 * Against an embedded broker by default (its coordinator's timeline is included), or any
 * Kafka-compatible cluster with --bootstrap-server.
 */
export function registerLabCommand(program: Command): void {
  // Positional options: `lab simulate --short` belongs to simulate, not to lab.
  const lab = withCommonOptions(program.command('lab').enablePositionalOptions()
    .description(`run a rebalance scenario with real consumer processes and measure pauses, duplicates and lag (${scenarioNames().join(', ')}); or "lab simulate"`)
    .argument('<scenario>', `one of: ${scenarioNames().join(', ')}`)
    .option('--members <n>', 'members at the start', integerArg(1))
    .option('--partitions <n>', 'partitions of the topic', integerArg(1))
    .option('--session-timeout <time>', 'session.timeout.ms (e.g. 10s)', durationArg)
    .option('--heartbeat-interval <time>', 'heartbeat.interval.ms (default: a tenth of the session timeout, at most 3s)', durationArg)
    .option('--max-poll-interval <time>', 'max.poll.interval.ms', durationArg)
    .addOption(new Option('--strategy <name>', 'partition.assignment.strategy').choices(['range', 'roundrobin', 'sticky', 'cooperative-sticky']))
    .addOption(new Option('--commit <mode>', 'auto: commit every auto.commit.interval only; on-revoke: also before giving partitions up').choices(['auto', 'on-revoke']))
    .option('--auto-commit-interval <time>', 'auto.commit.interval.ms (default: 5s)', durationArg)
    .option('--static', 'static membership (group.instance.id per member)')
    .option('--no-static', 'dynamic membership')
    .option('--rate <records/s>', 'producer rate (default: 1000)', integerArg(1))
    .option('--duration <time>', 'how long the group runs between the scenario\'s steps', durationArg)
    .option('--stall <time>', 'crash: how long a member freezes; slow-handler: how long the slow batch takes', durationArg)
    .option('--down-time <time>', 'rolling-restart: how long each member is down', durationArg)
    .option('--handler-ms <ms>', 'handler time per record', integerArg(0))
    .option('--add-partitions <n>', 'partitions-added: how many', integerArg(1))
    .option('--short', 'the short form (a few seconds a run, as CI runs it)')
    .option('--report <file>', 'also write an HTML report (inline SVG charts) to this file'))
    .action(action<LabFlags>(async (ctx, flags, cmd) => {
      const name = cmd.args[0]!;
      const scenario = findScenario(name);
      if (scenario === undefined) throw new UsageError(`unknown scenario "${name}": one of ${scenarioNames().join(', ')}, or simulate`);
      if (flags.commandConfig !== undefined) throw new UsageError('lab consumers connect without security settings: --command-config is not supported here');
      // Ctrl-C: no consumer process may outlive the lab (a frozen one would never notice).
      process.once('SIGINT', () => {
        killAllMembers();
        process.exit(130);
      });
      const external = flags.bootstrapServer !== undefined;
      let target: { bootstrapServers: string; inProcessBroker: boolean };
      if (external) target = { bootstrapServers: ctx.bootstrap, inProcessBroker: false };
      else {
        const broker = await startLabBroker(createStderrLogger('error'));
        ctx.onClose(() => broker.close());
        target = { bootstrapServers: `${broker.host}:${broker.port}`, inProcessBroker: true };
      }
      const results: LabRunResult[] = await runScenario(scenario, target, {
        flags: knobsFrom(flags),
        short: flags.short === true,
        onVariant: (label) => process.stderr.write(`\n== ${scenario.name}: ${label} (${external ? target.bootstrapServers : 'embedded broker'})\n`),
        onProgress: (line) => process.stderr.write(`${line}\n`),
      });
      if (flags.report !== undefined) writeFileSync(flags.report, renderHtmlReport(scenario, results));
      if (ctx.format === 'json') return ctx.json({ scenario: scenario.name, results });
      ctx.out(renderScenario(scenario, results));
      if (flags.report !== undefined) ctx.note(`report written to ${flags.report}`);
    }));
  registerLabSimulate(lab);
}
