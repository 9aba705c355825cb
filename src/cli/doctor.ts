import { InvalidArgumentError, type Command } from 'commander';
import { KafkaConfigError } from '../client/errors.js';
import { diagnose, type DoctorReport, type Finding } from '../observe/doctor/index.js';
import { DEFAULT_HISTORY_MS, watchGroup } from '../observe/doctor/sampler.js';
import { action, describeFailure, UsageError, withCommonOptions } from './context.js';
import { assertGroupKnown } from './groups/lookup.js';
import { HTTP_URL_ENV, readHistory } from './groups/timeline.js';
import type { Style } from './output/style.js';
import { renderTable } from './output/table.js';

interface DoctorFlags {
  group: string;
  window?: number;
  interval?: number;
  httpUrl?: string;
  history?: number;
}

/**
 * Exit codes, after the monitoring-plugin convention so CI jobs and alert checks can branch on
 * them: 0 healthy (or only informational findings), 1 a warning, 2 something critical, 3 the
 * group could not be diagnosed (cluster unreachable, unknown group). A command line Commander
 * rejects exits 2 too, with its usage on stderr and nothing on stdout.
 */
export const DOCTOR_EXIT_UNKNOWN = 3;

export const DEFAULT_WINDOW_MS = 60_000;

/** `60s`, `2m`, `500ms`, `1h`, or plain milliseconds. */
export function parseDurationMs(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (m === null) throw new InvalidArgumentError(`"${value}" is not a duration like 60s, 2m, 500ms or 1h.`);
  const n = Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  if (n <= 0) throw new InvalidArgumentError(`"${value}" must be positive.`);
  return Math.round(n);
}

/**
 * The time between samples for a window: about 30 samples, at least every second (commits are
 * told apart from commits after every batch only when more than 2.5 samples apart, and the 5 s
 * auto-commit interval of the Java client and librdkafka must show) and at most every 200 ms.
 */
export function defaultIntervalMs(windowMs: number): number {
  return Math.min(1000, Math.max(200, Math.round(windowMs / 30)));
}

export function registerDoctorCommand(program: Command): void {
  withCommonOptions(program.command('doctor')
    .description('watch a consumer group for a window and explain why it lags: findings with evidence and fixes, ordered by impact; exit code 0 healthy, 1 warning, 2 critical, 3 could not diagnose')
    .requiredOption('--group <group>', 'the group')
    .option('--window <duration>', 'how long to watch, e.g. 60s, 5m (default: 60s)', parseDurationMs)
    .option('--interval <duration>', 'time between samples (default: window/30, between 200ms and 1s)', parseDurationMs)
    .option('--http-url <url>', `a Samsa broker's HTTP address (samsa start --http-port) for its exact rebalance history (default: $${HTTP_URL_ENV})`)
    .option('--history <duration>', 'how much of the exact rebalance history to judge churn on (default: 1h)', parseDurationMs))
    .action(action<DoctorFlags>(async (ctx, flags) => {
      const windowMs = flags.window ?? DEFAULT_WINDOW_MS;
      const intervalMs = flags.interval ?? defaultIntervalMs(windowMs);
      if (intervalMs > windowMs) throw new UsageError('--interval must not be longer than --window');
      const httpUrl = flags.httpUrl ?? (process.env[HTTP_URL_ENV] || undefined);
      try {
        const input = await watchGroup({
          admin: ctx.admin(),
          groupId: flags.group,
          windowMs,
          intervalMs,
          historyMs: flags.history ?? DEFAULT_HISTORY_MS,
          ...(httpUrl === undefined ? {} : { exactTimeline: async () => (await readHistory(httpUrl, flags.group)).entries }),
          onFirstSample: (description, committed) => assertGroupKnown(flags.group, description, committed),
          onSample: (taken, expected) => ctx.progress.start(`watching ${flags.group}: sample ${taken}/${expected}`),
        });
        ctx.progress.stop();
        const report = diagnose(input);
        if (ctx.format === 'json') ctx.json(report);
        else ctx.out(renderDoctorReport(report, ctx.style));
        for (const note of report.notes) ctx.note(`note: ${note}`);
        process.exitCode = report.exitCode;
      } catch (err) {
        if (err instanceof UsageError || err instanceof KafkaConfigError) throw err;
        ctx.progress.stop();
        process.stderr.write(`${ctx.errStyle.red('error:')} ${describeFailure(err, ctx.bootstrap)}\n`);
        process.exitCode = DOCTOR_EXIT_UNKNOWN;
      }
    }));
}

const rate = (n: number | null): string | null => (n === null ? null : `${n}/s`);

/** A summary line, then each finding as a block: severity and title, evidence, fixes. */
export function renderDoctorReport(r: DoctorReport, style: Style): string {
  const paint = (severity: string, text: string): string =>
    (severity === 'critical' ? style.red(text) : severity === 'warning' ? style.yellow(text) : severity === 'healthy' ? style.green(text) : text);
  const s = r.summary;
  const summary = renderTable(
    ['GROUP', 'STATUS', 'STATE', 'MEMBERS', 'PARTITIONS', 'PRODUCED', 'CONSUMED', 'LAG', 'REBALANCES', 'WINDOW'],
    [[r.group, r.status, s.state, s.members, s.partitions, rate(s.productionPerSec), rate(s.consumptionPerSec),
      s.lagStart === null ? null : `${s.lagStart} -> ${s.lagEnd}`,
      s.rebalances === null ? null : `${s.rebalances} (${r.timelineSource})`,
      `${((r.window.endMs - r.window.startMs) / 1000).toFixed(1)}s, ${r.window.samples} samples`]],
    { style, colour: (h, t) => (h === 'STATUS' ? paint(t.trim(), t) : t) },
  );
  if (r.findings.length === 0) return `${summary}\nno findings: the group keeps up\n`;
  return `${summary}\n${r.findings.map((f, i) => renderFinding(f, i + 1, paint)).join('\n')}`;
}

function renderFinding(f: Finding, n: number, paint: (severity: string, text: string) => string): string {
  const lines = [`${n}. ${paint(f.severity, f.severity.toUpperCase())} ${f.kind}: ${f.title}`];
  const evidence = Object.entries(f.evidence)
    .filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? (Array.isArray(v) ? v.join(',') : Object.entries(v as Record<string, number>).map(([a, b]) => `${a}:${b}`).join(',')) : String(v)}`);
  lines.push(`   evidence: ${evidence.join('  ')}`);
  for (const fix of f.fix) lines.push(`   fix: ${fix}`);
  return lines.join('\n') + '\n';
}
