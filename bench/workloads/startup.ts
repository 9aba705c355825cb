import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { openLogStore } from '../../src/storage/index.js';
import { fmt, spread } from '../stats.js';

/**
 * How fast `samsa start` prints its listen line, and how long an embedded broker takes to start.
 * Each run, interleaved so load on a shared machine hits every row alike: `node -e 0` (the floor:
 * starting Node itself), `samsa start --memory`, `samsa start` on a new data dir (it creates it),
 * a restart on a small data dir (one topic of 6 partitions), a restart on a data dir holding
 * `partitions` partitions (one record each), and, in a fresh Node process, the import of
 * `samsa/broker` and `startBroker()` (in memory, and on a new data dir). The first run is also
 * kept apart: the code's files may not be in the page cache yet (a cold start, as far as a shared
 * machine without dropping caches allows).
 */

export interface StartupResult {
  runs: number;
  partitions: number;
  /** Milliseconds of each run, by measurement name, in the order the names were first measured. */
  rows: Record<string, number[]>;
}

export const NODE_FLOOR = 'node -e 0 (starting Node)';
const MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const BROKER = fileURLToPath(new URL('../../src/broker/index.js', import.meta.url));

/** Spawns `args` and resolves with the ms from spawn until stdout shows `until` (or the exit, with `until` null). */
function timeTo(args: string[], until: string | null): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  return new Promise((resolve, reject) => {
    let ms = NaN;
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString('utf8');
      if (until !== null && Number.isNaN(ms) && stdout.includes(until)) {
        ms = performance.now() - t0;
        child.kill('SIGTERM');
      }
    });
    child.on('exit', (code) => {
      if (until === null) ms = performance.now() - t0;
      if (Number.isNaN(ms) || (until === null && code !== 0)) reject(new Error(`${args.join(' ')}: exited (${code}) before ${until ?? 'the end'}: ${stderr}`));
      else resolve(ms);
    });
  });
}

const listen = (args: string[]) => timeTo([MAIN, 'start', '--port', '0', '--log-level', 'warn', ...args], 'listening on');

/** In a fresh process: ms to import samsa/broker, then ms for startBroker() (printed as JSON). */
async function embedded(dataDir: string | null): Promise<{ importMs: number; startMs: number }> {
  const script = `
    const t0 = performance.now();
    const { startBroker } = await import(${JSON.stringify(BROKER)});
    const t1 = performance.now();
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const broker = await startBroker({ host: '127.0.0.1', port: 0, logger: quiet, ${dataDir === null ? 'memory: true' : `dataDir: ${JSON.stringify(dataDir)}`} });
    const t2 = performance.now();
    await broker.close();
    console.log(JSON.stringify({ importMs: t1 - t0, startMs: t2 - t1 }));
    process.exit(0);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  await new Promise((resolve) => child.on('exit', resolve));
  return JSON.parse(out) as { importMs: number; startMs: number };
}

async function makeDataDir(partitions: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-listen-'));
  const store = await openLogStore({ dataDir: dir, segmentBytes: 1 << 20, retentionMs: -1, retentionBytes: -1, flushPolicy: 'interval', flushIntervalMs: 60_000, log: silentLogger, clock: systemClock });
  await store.createTopic('bench', partitions, {});
  const batch = await encodeRecordBatch({ records: [{ key: null, value: Buffer.alloc(100, 7), timestamp: Date.now() }] });
  for (let p = 0; p < partitions; p++) store.partition('bench', p)!.append(Buffer.from(batch), Date.now());
  await store.close();
  return dir;
}

export const LISTEN_NEW_DIR = 'samsa start, new data dir: listen line';
export const STARTBROKER_MEMORY = 'embedded: startBroker(), in memory';
export const STARTBROKER_NEW_DIR = 'embedded: startBroker(), new data dir';

/**
 * Writes back what the data dirs left dirty (10,000 partitions' files, a broker's checkpoints):
 * the kernel flushing them meanwhile would be measured as start-up time of whatever runs next.
 */
function settle(): void {
  execFileSync('sync');
}

export async function measureStartup(runs: number, partitions: number, say: (line: string) => void): Promise<StartupResult> {
  const dirs: string[] = [];
  try {
    say(`start-up: preparing data dirs (6 and ${partitions} partitions)`);
    const small = await makeDataDir(6);
    const many = await makeDataDir(partitions);
    dirs.push(small, many);
    const rows: Record<string, number[]> = {};
    const add = (name: string, ms: number) => (rows[name] ??= []).push(ms);
    for (let run = 0; run < runs; run++) {
      say(`start-up, run ${run + 1}/${runs}`);
      settle();
      add(NODE_FLOOR, await timeTo(['-e', '0'], null));
      add('samsa start --memory: listen line', await listen(['--memory']));
      const fresh = mkdtempSync(join(tmpdir(), 'samsa-listen-new-'));
      dirs.push(fresh);
      add(LISTEN_NEW_DIR, await listen(['--data-dir', join(fresh, 'data')]));
      add('samsa start, 6 partitions on disk: listen line', await listen(['--data-dir', small]));
      add(`samsa start, ${partitions.toLocaleString('en-US')} partitions on disk: listen line`, await listen(['--data-dir', many]));
      const mem = await embedded(null);
      add('embedded: import samsa/broker', mem.importMs);
      add(STARTBROKER_MEMORY, mem.startMs);
      add(STARTBROKER_NEW_DIR, (await embedded(join(fresh, 'embedded'))).startMs);
    }
    return { runs, partitions, rows };
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** The table: median [min-max] of the runs, the first run apart, and the ratio to `node -e 0`. */
export function startupTable(r: StartupResult): string[] {
  const floor = spread(r.rows[NODE_FLOOR] ?? []).median;
  const out = [
    `Start-up, ${r.runs} runs interleaved, median [min-max] ms; the first run apart (caches as found); x = median / node -e 0:`,
    '',
    '| measurement | median [min-max] ms | first run ms | x node -e 0 |',
    '|---|---:|---:|---:|',
  ];
  for (const [name, xs] of Object.entries(r.rows)) {
    const s = spread(xs);
    const ratio = name.startsWith('embedded: startBroker') ? '' : `${(s.median / floor).toFixed(2)}x`;
    out.push(`| ${name} | ${fmt(s, 0)} | ${xs[0]!.toFixed(0)} | ${ratio} |`);
  }
  return out;
}

/** Medians of the listen lines that need no existing data (the goal's), and of startBroker(). */
export function startupMedians(r: StartupResult): { listenMs: number; startBrokerMs: number } {
  const med = (name: string) => spread(r.rows[name] ?? []).median;
  return {
    listenMs: Math.max(med('samsa start --memory: listen line'), med(LISTEN_NEW_DIR), med('samsa start, 6 partitions on disk: listen line')),
    startBrokerMs: Math.max(med(STARTBROKER_MEMORY), med(STARTBROKER_NEW_DIR)),
  };
}
