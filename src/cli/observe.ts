import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { action, integerArg, withCommonOptions, type CliContext } from './context.js';
import { httpPortArg, startHttp, type HttpFlags } from './observe-http.js';

interface ServeFlags extends HttpFlags {
  open?: boolean;
}

const repeat = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function serveCommand(cmd: Command, defaultPort: number): Command {
  return withCommonOptions(cmd)
    .option('--http-port <port>', `port to serve on, 0 for any free one (default: ${defaultPort})`, httpPortArg, defaultPort)
    .option('--http-host <host>', 'interface to serve on (default: 127.0.0.1)')
    .option('--poll-interval-ms <ms>', 'time between polls of the cluster (default: 5000)', integerArg(100))
    .option('--group <group>', 'also watch this group (for clusters without ListGroups, such as librdkafka\'s mock cluster; repeatable)', repeat)
    .option('--cluster-name <name>', 'cluster_name label of the kafka-lag-exporter series (default: the cluster id)');
}

/** Serves until SIGINT or SIGTERM. */
async function serve(ctx: CliContext, flags: ServeFlags, what: 'exporter' | 'dashboard'): Promise<void> {
  const { server, close } = await startHttp(ctx.clientOptions('samsa-observe'), flags);
  ctx.out(what === 'exporter'
    ? `samsa exporter serving ${server.url}metrics for ${ctx.bootstrap} (dashboard at ${server.url})\n`
    : `samsa dashboard at ${server.url} for ${ctx.bootstrap} (metrics at ${server.url}metrics)\n`);
  for (const note of server.poller.latest?.notes ?? []) ctx.note(`note: ${note}`);
  if (flags.open) openBrowser(server.url);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await close();
}

/** Opens the system's browser on `url` (best effort; the URL is printed anyway). */
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // no browser: the printed URL will do
  }
}

/** `samsa exporter` and `samsa dashboard`: the same server, against any Kafka-compatible cluster. */
export function registerObserveCommands(program: Command): void {
  serveCommand(program.command('exporter')
    .description('Prometheus metrics (KMinion and kafka-lag-exporter names) for any Kafka-compatible cluster, plus the dashboard'), 9308)
    .action(action<ServeFlags>((ctx, flags) => serve(ctx, flags, 'exporter')));
  serveCommand(program.command('dashboard')
    .description('a live web dashboard of groups, partition ownership, lag and rebalance timelines for any Kafka-compatible cluster'), 8080)
    .option('--open', 'open it in the system browser')
    .action(action<ServeFlags>((ctx, flags) => serve(ctx, flags, 'dashboard')));
}
