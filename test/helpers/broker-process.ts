import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const LISTEN_LINE = /^samsa broker listening on (\S+):(\d+) .*listeners: ([^)]*)\)/m;

export interface BrokerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly bootstrap: string;
  /** Bound port of each listener by name (PLAINTEXT, SSL, ...). */
  readonly listenerPorts: Readonly<Record<string, number>>;
  /** Everything the broker wrote to stderr so far (its log lines). */
  stderr(): string;
  /** Everything it wrote to stdout so far (the listen lines). */
  stdout(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The `samsa` command as a program: the bin users run (dist/cli/main.js, the bundle) when the
 * tests run compiled, or the TypeScript source through tsx when a test file is run with
 * `npx tsx --test`.
 */
export function samsaCommand(): { command: string; args: string[] } {
  const bin = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
  if (existsSync(bin)) return { command: process.execPath, args: [bin] };
  const source = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  return { command: process.execPath, args: ['--import', 'tsx', source] };
}

/**
 * Starts `samsa start <args> --port 0` as a child process and resolves once it printed its
 * listen line (the port is read from it). Rejects if the process ends or is silent for
 * `startTimeoutMs`. `nodeArgs` go to Node itself (runtime flags), before the program.
 */
export function spawnBroker(args: readonly string[], startTimeoutMs = 15_000, nodeArgs: readonly string[] = []): Promise<BrokerProcess> {
  const { command, args: base } = samsaCommand();
  const portArgs = args.includes('--listeners') ? [] : ['--port', '0'];
  const child = spawn(command, [...nodeArgs, ...base, 'start', ...portArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not start within ${startTimeoutMs} ms\nstderr: ${stderr}`));
    }, startTimeoutMs);
    child.stdout!.on('data', () => {
      const m = LISTEN_LINE.exec(stdout);
      if (m === null) return;
      clearTimeout(timer);
      const port = Number(m[2]);
      const listenerPorts = Object.fromEntries(m[3]!.split(', ').map((l) => [l.slice(0, l.indexOf(':')), Number(l.slice(l.lastIndexOf(':') + 1))]));
      resolve({
        listenerPorts,
        child,
        pid: child.pid!,
        port,
        bootstrap: `127.0.0.1:${port}`,
        stderr: () => stderr,
        stdout: () => stdout,
        exited,
        kill(signal: NodeJS.Signals = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (${code ?? signal}) before listening\nstderr: ${stderr}`));
    });
  });
}
