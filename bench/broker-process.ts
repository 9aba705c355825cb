import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Linux clock ticks per second for /proc/<pid>/stat (`getconf CLK_TCK`; 100 on every x86-64 Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** A Samsa broker in its own process, so its CPU time can be told apart from the client's. */
export interface BenchBroker {
  readonly pid: number;
  readonly port: number;
  readonly bootstrap: string;
  /** User + system CPU seconds the broker process has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Reads utime + stime (fields 14 and 15) of /proc/<pid>/stat, in seconds. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after the closing parenthesis are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/** Starts `samsa start` (compiled) on a free port with a fresh data directory. */
export function startBenchBroker(extraArgs: readonly string[] = []): Promise<BenchBroker> {
  const main = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-bench-'));
  const child: ChildProcess = spawn(process.execPath, [main, 'start', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`broker exited with ${code} before listening`)));
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on \S+:(\d+)/.exec(out);
      if (m === null) return;
      const port = Number(m[1]);
      const pid = child.pid!;
      resolve({
        pid,
        port,
        bootstrap: `127.0.0.1:${port}`,
        cpuSeconds: () => processCpuSeconds(pid),
        async stop() {
          child.removeAllListeners('exit');
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
          rmSync(dataDir, { recursive: true, force: true });
        },
      });
    });
  });
}
