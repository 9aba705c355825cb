import type { Command } from 'commander';
import { action, integerArg, UsageError, withCommonOptions, type CliContext } from './context.js';
import { belowLogStartWarning } from './groups/describe.js';
import { evaluatePartition, groupStatus, SampleWindows, type GroupStatus, type PartitionStatus } from '../observe/lag/health.js';
import { takeSnapshot, type GroupSnapshot, type PartitionSnapshot } from './lag/snapshot.js';
import type { Style } from './output/style.js';
import { renderTable } from './output/table.js';

interface LagFlags {
  group: string;
  watch?: boolean;
  intervalMs: number;
  samples?: number;
  window?: number;
}

/** The default poll interval: the auto-commit interval of the Java client and kafkajs. */
export const DEFAULT_INTERVAL_MS = 5000;
/** Burrow's default window: 10 entries. */
export const DEFAULT_WATCH_WINDOW = 10;

export interface PartitionReport extends PartitionSnapshot {
  status: PartitionStatus | null;
}

export interface LagReport {
  group: string;
  state: string | null;
  at: string;
  status: GroupStatus;
  /** Fraction of the window filled (the least filled partition). */
  complete: number;
  samples: number;
  window: number;
  totalLag: number;
  /** The partition with the most lag (null when nothing lags). */
  maxLag: { topic: string; partition: number; lag: number; lagSeconds: number | null } | null;
  maxLagSeconds: number | null;
  partitions: PartitionReport[];
}

/** Adds a snapshot to the windows and judges every partition and the group. */
export function buildReport(snapshot: GroupSnapshot, windows: SampleWindows, samples: number): LagReport {
  const keys = new Set<string>();
  const partitions = snapshot.partitions.map((p): PartitionReport => {
    const key = `${p.topic}:${p.partition}`;
    keys.add(key);
    windows.add(key, { atMs: snapshot.atMs, offset: p.currentOffset, lag: p.lag, owned: p.consumerId !== null });
    return { ...p, lagSeconds: p.lagSeconds === null ? null : Math.round(p.lagSeconds * 1000) / 1000, status: null };
  });
  windows.retain(keys);
  let complete = 1;
  for (const p of partitions) {
    const h = evaluatePartition(windows.get(`${p.topic}:${p.partition}`), windows.windowSize);
    p.status = h.status;
    if (h.status !== null) complete = Math.min(complete, h.complete);
  }
  let maxLag: LagReport['maxLag'] = null;
  let maxLagSeconds: number | null = null;
  let totalLag = 0;
  for (const p of partitions) {
    if (p.lag === null) continue;
    totalLag += p.lag;
    if (p.lag > 0 && (maxLag === null || p.lag > maxLag.lag)) maxLag = { topic: p.topic, partition: p.partition, lag: p.lag, lagSeconds: p.lagSeconds };
    if (p.lagSeconds !== null) maxLagSeconds = Math.max(maxLagSeconds ?? 0, p.lagSeconds);
  }
  return {
    group: snapshot.group, state: snapshot.state, at: new Date(snapshot.atMs).toISOString(),
    status: groupStatus(partitions.map((p) => p.status)), complete, samples, window: windows.windowSize,
    totalLag, maxLag, maxLagSeconds, partitions,
  };
}

/** `samsa lag --group G [--watch]`: lag in offsets and seconds, with a Burrow-style verdict. */
export function registerLagCommand(program: Command): void {
  withCommonOptions(program.command('lag')
    .description('a group\'s lag per partition in offsets and in seconds, with a health verdict (OK, WARN, ERR, STOP, STALL, REWIND)')
    .requiredOption('--group <group>', 'the group')
    .option('--watch', 'keep sampling and redraw (appends on a pipe); stop with Ctrl-C')
    .option('--interval-ms <ms>', `time between samples (default: ${DEFAULT_INTERVAL_MS}, the usual auto-commit interval)`, integerArg(1), DEFAULT_INTERVAL_MS)
    .option('--samples <n>', 'samples to take (default: 1; with --watch: until stopped)', integerArg(1))
    .option('--window <n>', `samples the verdict looks at (default: --samples; with --watch: ${DEFAULT_WATCH_WINDOW})`, integerArg(1)))
    .action(action<LagFlags>(async (ctx, flags) => {
      if (!flags.watch && flags.samples === undefined && flags.window !== undefined) throw new UsageError('--window needs --samples or --watch');
      const limit = flags.samples ?? (flags.watch ? Infinity : 1);
      const windows = new SampleWindows(flags.window ?? (flags.watch ? DEFAULT_WATCH_WINDOW : limit));
      const admin = ctx.admin();
      const stop = stopSignal();
      const view = new WatchView(ctx);
      const warned = new Set<string>();
      try {
        let report: LagReport | null = null;
        for (let taken = 0; taken < limit && !stop.stopped; taken++) {
          if (taken > 0) await stop.sleep(flags.intervalMs);
          if (stop.stopped) break;
          const progress = limit === Infinity ? 'sampling' : `sampling ${taken + 1}/${limit}`;
          const snapshot = await ctx.progress.during(progress, () => takeSnapshot(admin, flags.group, Date.now));
          report = buildReport(snapshot, windows, taken + 1);
          warnBelowLogStart(ctx, report, warned);
          if (flags.watch) view.show(report);
          else if (taken + 1 < limit) ctx.progress.start(`sampling ${taken + 2}/${limit} in ${flags.intervalMs} ms`);
        }
        if (!flags.watch && report !== null) {
          if (ctx.format === 'json') return ctx.json(report);
          ctx.out(renderReport(report, ctx.style));
          if (report.samples < 2) ctx.note('health from one sample; use --samples N --interval-ms MS or --watch for a verdict over a window');
        }
      } finally {
        stop.dispose();
      }
    }));
}

function warnBelowLogStart(ctx: CliContext, report: LagReport, warned: Set<string>): void {
  for (const p of report.partitions) {
    const key = `${p.topic}:${p.partition}`;
    if (p.currentOffset !== null && p.currentOffset < p.logStartOffset && !warned.has(key)) {
      warned.add(key);
      ctx.warn(belowLogStartWarning(report.group, p));
    }
  }
}

function statusColour(style: Style, text: string): string {
  const s = text.trim();
  if (s === 'OK') return style.green(text);
  if (s === 'WARN') return style.yellow(text);
  if (s === 'ERR' || s === 'STOP' || s === 'STALL' || s === 'REWIND') return style.red(text);
  return text;
}

const seconds = (s: number | null): string | null => (s === null ? null : s === 0 ? '0' : s.toFixed(1));

/** The group line, then one line per partition. */
export function renderReport(r: LagReport, style: Style): string {
  const colour = (h: string, t: string) => (h === 'STATUS' ? statusColour(style, t) : t);
  const summary = renderTable(['GROUP', 'STATE', 'STATUS', 'TOTAL-LAG', 'MAX-LAG', 'MAX-LAG-PARTITION', 'MAX-LAG-SECONDS', 'WINDOW'], [[
    r.group, r.state, r.status, r.totalLag, r.maxLag?.lag, r.maxLag === null ? null : `${r.maxLag.topic}/${r.maxLag.partition}`,
    seconds(r.maxLagSeconds), `${Math.min(r.samples, r.window)}/${r.window}`,
  ]], { style, colour });
  const partitions = renderTable(['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'LAG-SECONDS', 'STATUS', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
    r.partitions.map((p) => [p.topic, p.partition, p.currentOffset, p.logEndOffset, p.lag, seconds(p.lagSeconds), p.status, p.consumerId, p.host, p.clientId]),
    { style, colour });
  return `${summary}\n${partitions}`;
}

/** --watch output: redrawn in place on a terminal, appended (one JSON line per sample for json) otherwise. */
class WatchView {
  private previousLines = 0;

  constructor(private readonly ctx: CliContext) {}

  show(r: LagReport): void {
    if (this.ctx.format === 'json') return this.ctx.out(JSON.stringify(r) + '\n');
    const frame = `${r.at}  sample ${r.samples}\n${renderReport(r, this.ctx.style)}`;
    if (!this.ctx.stdoutIsTty) return this.ctx.out(frame + '\n');
    const rows = process.stdout.rows ?? 0;
    let prefix = '';
    if (this.previousLines > 0) prefix = this.previousLines < rows ? `\u001b[${this.previousLines}F\u001b[J` : '\u001b[2J\u001b[H';
    this.previousLines = frame.split('\n').length - 1;
    this.ctx.out(prefix + frame);
  }
}

/** Ctrl-C (or SIGTERM) ends a watch cleanly: the current sample finishes, then exit code 0. */
function stopSignal(): { stopped: boolean; sleep(ms: number): Promise<void>; dispose(): void } {
  let wake: (() => void) | null = null;
  const state = {
    stopped: false,
    sleep: (ms: number) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => { wake = null; resolve(); }, ms);
      wake = () => { clearTimeout(timer); resolve(); };
    }),
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
  const onSignal = (): void => {
    state.stopped = true;
    wake?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return state;
}
