import type { Command } from 'commander';
import type { Admin } from '../../client/admin/index.js';
import { assignmentRecord, summarizeCauses, type TimelineEntry } from '../../common/timeline/index.js';
import type { ClusterSnapshot } from '../../observe/index.js';
import { InferredTimeline } from '../../observe/index.js';
import { describeGroupsIfSupported } from '../../observe/lag/cluster-reads.js';
import { action, CliError, integerArg, withCommonOptions, type CliContext } from '../context.js';
import { renderTable } from '../output/table.js';

interface TimelineFlags {
  group: string;
  httpUrl?: string;
  watch?: boolean;
  intervalMs: number;
  limit?: number;
}

export const HTTP_URL_ENV = 'SAMSA_HTTP_URL';

export interface TimelineAnswer {
  groupId: string;
  source: 'coordinator' | 'inferred';
  entries: TimelineEntry[];
}

/**
 * `samsa groups timeline --group G`: the group's rebalances, one per line. The exact history is
 * kept by a Samsa broker and read from its HTTP server (`--http-url`, the address printed by
 * `samsa start --http-port`); any other cluster keeps none, so `--watch` infers one from now on by
 * polling DescribeGroups.
 */
export function registerGroupsTimeline(groups: Command): void {
  withCommonOptions(groups.command('timeline')
    .description('a group\'s rebalance history: reasons, members before and after, partitions moved, revoked and kept, pauses')
    .requiredOption('--group <group>', 'the group')
    .option('--http-url <url>', `a Samsa broker's HTTP address (samsa start --http-port) to read its exact history from (default: $${HTTP_URL_ENV})`)
    .option('--watch', 'keep printing new rebalances (without --http-url: inferred by polling DescribeGroups); stop with Ctrl-C')
    .option('--interval-ms <ms>', 'time between polls with --watch (default: 2000)', integerArg(100), 2000)
    .option('--limit <n>', 'only the last N entries', integerArg(1)))
    .action(action<TimelineFlags>(async (ctx, flags) => {
      const httpUrl = flags.httpUrl ?? (process.env[HTTP_URL_ENV] || undefined);
      if (httpUrl === undefined && !flags.watch) {
        throw new CliError('only a Samsa broker keeps rebalance history: give its HTTP address with --http-url (samsa start --http-port), or use --watch to infer the timeline of any cluster from now on');
      }
      const printer = new EntryPrinter(ctx);
      if (httpUrl !== undefined) {
        const answer = await readHistory(httpUrl, flags.group);
        const entries = flags.limit === undefined ? answer.entries : answer.entries.slice(-flags.limit);
        if (!flags.watch) {
          if (ctx.format === 'json') return ctx.json({ ...answer, entries });
          if (entries.length === 0) return ctx.note(`group "${flags.group}" has no recorded rebalance`);
          return ctx.out(renderTimeline(entries, ctx));
        }
        printer.print(entries);
        await watchLoop(flags.intervalMs, async () => {
          const next = await readHistory(httpUrl, flags.group);
          printer.print(next.entries.filter((e) => e.completedAtMs > printer.lastMs));
        });
        return;
      }
      ctx.note(`watching ${flags.group}: rebalances inferred from DescribeGroups every ${flags.intervalMs} ms (no generation ids; times within one poll)`);
      const inferred = new InferredTimeline();
      const admin = ctx.admin();
      await watchLoop(flags.intervalMs, async () => printer.print(inferred.observe(await groupSnapshot(admin, flags.group))));
    }));
}

export async function readHistory(httpUrl: string, groupId: string): Promise<TimelineAnswer> {
  const url = new URL(`api/groups/${encodeURIComponent(groupId)}/timeline`, httpUrl.endsWith('/') ? httpUrl : `${httpUrl}/`);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new CliError(`cannot reach ${url.origin}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new CliError(`${url.href} answered ${res.status}`);
  return (await res.json()) as TimelineAnswer;
}

/** Just what the inferred timeline needs of one group: its members and the partition counts of their topics. */
async function groupSnapshot(admin: Admin, groupId: string): Promise<ClusterSnapshot> {
  const described = await describeGroupsIfSupported(admin, [groupId]);
  if (described === null) throw new CliError('the cluster does not implement DescribeGroups (API 15): no timeline can be inferred');
  const d = described.get(groupId)!;
  const members = d.members.map((m) => ({
    memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost, assignment: assignmentRecord(m.assignment), subscription: m.subscription,
  }));
  const topics = [...new Set(members.flatMap((m) => Object.keys(m.assignment)))].sort();
  const cache = topics.length === 0 ? null : await admin.cluster.metadata({ topics, force: true });
  const counts = topics.map((t) => cache?.partitionCount(t) ?? 0);
  return {
    atMs: Date.now(), pollMs: 0, clusterId: null, controllerId: -1, brokers: [], notes: [], timelineSource: 'inferred',
    topics: topics.map((name, i) => ({ name, isInternal: false, replicationFactor: 0, cleanupPolicy: null, partitions: Array.from({ length: counts[i]! }, (_, p) => ({ partition: p, leader: -1, logStartOffset: 0, logEndOffset: 0, sizeBytes: null, produceRate: null })) })),
    groups: [{ groupId, state: d.state, protocolType: d.protocolType, type: d.type ?? null, protocol: d.protocol || null, coordinatorId: null, generationId: null, members, partitions: [], totalLag: 0, maxLagSeconds: null, status: 'OK' }],
  };
}

/** Runs `poll` every `intervalMs` until SIGINT or SIGTERM. */
async function watchLoop(intervalMs: number, poll: () => Promise<void>): Promise<void> {
  let stopped = false;
  let wake: (() => void) | null = null;
  const stop = (): void => {
    stopped = true;
    wake?.();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    while (!stopped) {
      await poll();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** Prints entries as they come: a JSON line each, or table rows. */
class EntryPrinter {
  lastMs = -Infinity;
  private headerDone = false;

  constructor(private readonly ctx: CliContext) {}

  print(entries: readonly TimelineEntry[]): void {
    if (entries.length === 0) return;
    this.lastMs = Math.max(this.lastMs, ...entries.map((e) => e.completedAtMs));
    if (this.ctx.format === 'json') {
      for (const e of entries) this.ctx.out(JSON.stringify(e) + '\n');
      return;
    }
    const text = renderTimeline(entries, this.ctx);
    this.ctx.out(this.headerDone ? text.split('\n').slice(1).join('\n') : text);
    this.headerDone = true;
  }
}

const duration = (ms: number | null): string | null => (ms === null ? null : ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`);

/** `all 1.2s` (eager: every partition stopped), `moved 104ms` (cooperative: the longest moved partition), `revoked 3` (waiting for the second round), `none`. */
function pauseText(e: TimelineEntry): string {
  if (e.pause.kind === 'none' || e.pause.partitionsPaused === 0) return 'none';
  if (e.pause.kind === 'stop-the-world') return `all ${duration(e.pause.maxMs)}`;
  return e.partitions.moved.length > 0 ? `moved ${duration(e.pause.maxMs)}` : `revoked ${e.partitions.revoked.length}`;
}

/** One line per entry, oldest first. */
export function renderTimeline(entries: readonly TimelineEntry[], ctx: CliContext): string {
  return renderTable(
    ['GENERATION', 'COMPLETED', 'TOOK', 'ASSIGNOR', 'MEMBERS', 'KEPT', 'MOVED', 'REVOKED', 'ASSIGNED', 'PAUSE', 'REASON'],
    entries.map((e) => [
      e.generationId === null ? '?' : e.kind === 'member-replaced' ? `${e.generationId}=` : String(e.generationId),
      new Date(e.completedAtMs).toISOString(),
      duration(e.completedAtMs - e.startedAtMs),
      `${e.protocolName ?? '-'} (${e.rebalanceProtocol})`,
      `${e.membersBefore.length}->${e.membersAfter.length}${e.joined.length ? ` +${e.joined.length}` : ''}${e.left.length ? ` -${e.left.length}` : ''}`,
      e.partitions.kept.length,
      e.partitions.moved.length,
      e.partitions.revoked.length,
      e.partitions.assigned.length,
      pauseText(e),
      summarizeCauses(e) + (e.source === 'inferred' ? ' (inferred)' : ''),
    ]),
    { style: ctx.style },
  );
}
