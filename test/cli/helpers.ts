import { spawn } from 'node:child_process';
import { samsaCommand } from '../helpers/index.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * Runs the real `samsa` binary (dist/cli/main.js, the bundle, when compiled; the source through tsx
 * otherwise) and collects its output; never rejects on a non-zero exit, the caller asserts it.
 * Colour and spinners stay off: stdout and stderr are pipes and NO_COLOR is set.
 */
export function samsa(args: readonly string[], o: CliOptions = {}): Promise<CliResult> {
  const { command, args: base } = samsaCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...base, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', SAMSA_BOOTSTRAP_SERVER: '', ...o.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`samsa ${args.join(' ')} did not finish within ${o.timeoutMs ?? 20_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, o.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(o.input ?? '');
  });
}

/** Runs samsa and fails the test with its stderr unless it exited 0. */
export async function samsaOk(args: readonly string[], o: CliOptions = {}): Promise<CliResult> {
  const r = await samsa(args, o);
  if (r.code !== 0) throw new Error(`samsa ${args.join(' ')} exited ${r.code}\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
  return r;
}

/** Parses a table printed by samsa into header -> value records (columns split on 2+ spaces). */
export function parseTable(text: string): Array<Record<string, string>> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]!;
  // Column starts come from the header (headers never contain two spaces in a row).
  const starts: number[] = [];
  const names: string[] = [];
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) {
    starts.push(m.index);
    names.push(m[0]);
  }
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    names.forEach((name, i) => {
      row[name] = line.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim();
    });
    return row;
  });
}

/** The tables of an output holding several, separated by blank lines. */
export function parseTables(text: string): Array<Array<Record<string, string>>> {
  return text.split(/\n\s*\n/).filter((t) => t.trim() !== '').map(parseTable);
}
