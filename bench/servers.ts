import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The servers under test, each its own process on a free loopback port with a fresh data
 * directory on disk, so its CPU time can be read from /proc apart from the clients'.
 */

/** Linux clock ticks per second for /proc/<pid>/stat (`getconf CLK_TCK`; 100 on x86-64 Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime (fields 14 and 15 of /proc/<pid>/stat, all threads of the process), in seconds. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN; // the process is gone
  }
}

export interface Server {
  readonly name: string;
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  cpuSeconds(): number;
  stop(): Promise<void>;
  /** Samsa with `--http-port`: the dashboard and /metrics address. */
  readonly httpUrl?: string;
}

/** Everything started and not yet stopped, and the data directories to remove, so Ctrl-C can clean up. */
export const running = new Set<ChildProcess>();
export const tempDirs = new Set<string>();

function dataDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

const REDIS_SERVER = 'redis-server';
const NATS_SERVER = 'nats-server';

/** Throws, naming the setup script, when a peer server is not installed. */
export function checkPeerServers(): { redis: string; nats: string } {
  const version = (cmd: string, arg: string): string | null => {
    const r = spawnSync(cmd, [arg], { encoding: 'utf8' });
    return r.error !== undefined || r.status !== 0 ? null : (r.stdout + r.stderr).trim().split('\n')[0]!;
  };
  const redis = version(REDIS_SERVER, '--version');
  const nats = version(NATS_SERVER, '--version');
  const missing = [redis === null ? REDIS_SERVER : null, nats === null ? NATS_SERVER : null].filter((x) => x !== null);
  if (missing.length > 0) {
    throw new Error(`${missing.join(' and ')} not found. Install the benchmark's peers once with: bash scripts/bench-setup.sh`);
  }
  return { redis: redis!, nats: nats! };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Spawns `cmd` and resolves once its output matches `ready` (the port comes from `portOf`). */
function startProcess(name: string, cmd: string, args: string[], dataDir: string, ready: RegExp, portOf: (m: RegExpExecArray) => number, onOutput?: (text: string) => void, httpUrlOf?: (m: RegExpExecArray) => string): Promise<Server> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within 15 s:\n${out}`));
    }, 15_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${out}`));
    };
    child.once('exit', onExit);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = ready.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      child.stdout!.resume();
      child.stderr!.resume();
      if (onOutput !== undefined) {
        child.stdout!.on('data', (b: Buffer) => onOutput(b.toString()));
        child.stderr!.on('data', (b: Buffer) => onOutput(b.toString()));
      }
      child.off('exit', onExit);
      const pid = child.pid!;
      resolve({
        name,
        pid,
        host: '127.0.0.1',
        port: portOf(m),
        ...(httpUrlOf ? { httpUrl: httpUrlOf(m) } : {}),
        cpuSeconds: () => processCpuSeconds(pid),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((r) => child.once('exit', r));
            child.kill('SIGTERM');
            const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(timeout);
          }
          running.delete(child);
          rmSync(dataDir, { recursive: true, force: true });
          tempDirs.delete(dataDir);
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

export interface SamsaServerOptions {
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Extra `samsa start` flags (later ones win over the defaults). */
  startArgs?: string[];
  /** Everything the broker prints once it is listening. */
  onOutput?: (text: string) => void;
  /** KIP-848 members' session timeout and heartbeat interval (lower bounds lowered to match); Kafka's defaults (45 s, 5 s) otherwise. */
  groupConsumer?: { sessionTimeoutMs: number; heartbeatIntervalMs: number };
  /** Serve /metrics and the dashboard (`--http-port 0`). */
  metrics?: boolean;
}

/** What each server is started with, printed with the results. */
export const SERVER_SETTINGS = {
  samsa:
    'samsa start, data dir on disk, default flush policy acks-all (fdatasync before answering acks=-1 produces, group commit; everything else every 1000 ms), group initial rebalance delay 0 ms; for the KIP-848 runs, consumer-protocol session timeout = the failure timeout and heartbeat interval = a sixth of it',
  redis: 'redis-server, appendonly yes, appendfsync everysec (fsync once a second), RDB snapshots off',
  jetstream: 'nats-server -js, file storage, 1 replica, server defaults (writes go to the page cache; no fsync per message)',
};

export async function startSamsa(opts: SamsaServerOptions = {}): Promise<Server> {
  const main = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  const dataDir = dataDirectory('samsa-bench-');
  const args = [...(opts.nodeArgs ?? []), main, 'start', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', '--no-auto-create-topics',
    '--group-initial-rebalance-delay-ms', '0', '--group-min-session-timeout-ms', '1000', ...(opts.metrics ? ['--http-port', '0'] : [])];
  const gc = opts.groupConsumer;
  if (gc !== undefined) {
    args.push('--group-consumer-session-timeout-ms', String(gc.sessionTimeoutMs), '--group-consumer-min-session-timeout-ms', String(gc.sessionTimeoutMs),
      '--group-consumer-heartbeat-interval-ms', String(gc.heartbeatIntervalMs), '--group-consumer-min-heartbeat-interval-ms', String(gc.heartbeatIntervalMs));
  }
  args.push(...(opts.startArgs ?? []));
  if (opts.metrics) {
    return startProcess('samsa', process.execPath, args, dataDir, /listening on \S+:(\d+)[\s\S]*samsa http listening on (http:\/\/\S+\/)/, (m) => Number(m[1]), opts.onOutput, (m) => m[2]!);
  }
  return startProcess('samsa', process.execPath, args, dataDir, /listening on \S+:(\d+)/, (m) => Number(m[1]), opts.onOutput);
}

export async function startRedis(): Promise<Server> {
  const dataDir = dataDirectory('redis-bench-');
  const port = await freePort();
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', dataDir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec',
    '--daemonize', 'no', '--protected-mode', 'no', '--loglevel', 'notice'];
  return startProcess('redis', REDIS_SERVER, args, dataDir, /Ready to accept connections/, () => port);
}

export async function startNats(): Promise<Server> {
  const dataDir = dataDirectory('nats-bench-');
  const port = await freePort();
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dataDir];
  return startProcess('jetstream', NATS_SERVER, args, dataDir, /Server is ready/, () => port);
}
