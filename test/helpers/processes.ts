import { spawn } from 'node:child_process';

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed. */
  input?: string | Buffer;
  /** Killed (SIGKILL) after this long. Default 30000. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs a program to completion and collects its output. Rejects when the program is missing
 * (a test that needs a tool must fail, not skip, without it), times out, or exits non-zero.
 */
export function runProgram(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' ? new Error(`${command} is not installed (see .ci/run for the packages the tests need)`) : e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (timedOut) reject(new Error(`${command} timed out after ${timeoutMs} ms\nstdout: ${tail(result.stdout)}\nstderr: ${tail(result.stderr)}`));
      else if (code !== 0) reject(new Error(`${command} exited with ${code ?? signal}\nstderr: ${tail(result.stderr)}\nstdout: ${tail(result.stdout)}`));
      else resolve(result);
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input);
  });
}

function tail(s: string, chars = 4000): string {
  return s.length > chars ? `...${s.slice(-chars)}` : s;
}

/** Debian's Python, which sees the python3-kafka and python3-confluent-kafka modules. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Runs a Python script (its source text) with /usr/bin/python3; `args` land in sys.argv[1:]. */
export function runPython(script: string, args: readonly string[] = [], timeoutMs = 30_000): Promise<ProcessResult> {
  return runProgram(SYSTEM_PYTHON, ['-c', script, ...args], { timeoutMs });
}

/** Runs kcat with `args`; `input` goes to its stdin (kcat -P reads records from it). */
export function runKcat(args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  return runProgram('kcat', args, options);
}
