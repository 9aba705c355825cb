import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/common/clock.js';
import { silentLogger } from '../src/common/logger.js';
import { encodeRecordBatch } from '../src/protocol/record-batch.js';
import { openLogStore } from '../src/storage/index.js';
import { fmt, spread } from './stats.js';

/**
 * Where a broker restart's time goes, with a data dir of about 1 GiB (the restart measurement of
 * the storage work; not part of the main `npm run bench` table):
 *
 *   npm run build && node dist/bench/startup.js [--mib 1024] [--partitions 1] [--batch-bytes 1024] [--runs 5]
 *
 * Fills a data dir through the log store (1 KiB batches by default, 1 GiB segments), then times real
 * `samsa start` processes from spawn to their listen line: after a clean stop (SIGTERM) and after
 * a SIGKILL, next to an empty in-memory broker (the cost of starting Node and loading the code).
 * The broker's own `log store opened` line gives the store's share (recoveryMs). The data stays in
 * the page cache (the machine is shared, so caches are not dropped): figures are warm-cache ones.
 */

const MiB = 1024 * 1024;

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const totalMiB = argValue('--mib', 1024);
const partitions = argValue('--partitions', 1);
const runs = argValue('--runs', 5);
/** Small batches (acks=all producers sending few records at a time) make the recovery scan slow. */
const batchBytes = argValue('--batch-bytes', 1024);
const MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));

async function fill(dataDir: string): Promise<void> {
  const store = await openLogStore({
    dataDir,
    segmentBytes: 1024 * MiB,
    retentionMs: -1,
    retentionBytes: -1,
    flushPolicy: 'interval',
    flushIntervalMs: 60_000,
    log: silentLogger,
    clock: systemClock,
  });
  await store.createTopic('bench', partitions, {});
  const value = Buffer.alloc(Math.max(1, batchBytes - 80), 7);
  const template = await encodeRecordBatch({ records: [{ key: null, value, timestamp: Date.now() }] });
  const perPartition = Math.ceil((totalMiB * MiB) / template.length / partitions);
  for (let i = 0; i < perPartition; i++) {
    // The log rewrites the base offset in place, so each append gets its own copy.
    for (let p = 0; p < partitions; p++) store.partition('bench', p)!.append(Buffer.from(template), Date.now());
  }
  await store.close();
}

interface Started {
  listenMs: number;
  /** recoveryMs from the broker's `log store opened` line. */
  storeOpenMs: number;
  stop(signal: NodeJS.Signals): Promise<number>;
}

/** Spawns `samsa start`, resolves at its listen line with the time it took. */
function start(args: string[]): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN, 'start', '--port', '0', '--log-level', 'info', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString('utf8');
      if (!stdout.includes('listening on')) return;
      const listenMs = performance.now() - t0;
      const m = /log store opened .*recoveryMs=(\d+)/.exec(stderr);
      resolve({
        listenMs,
        storeOpenMs: m === null ? 0 : Number(m[1]),
        async stop(signal) {
          const s0 = performance.now();
          child.kill(signal);
          await exited;
          return performance.now() - s0;
        },
      });
    });
    void exited.then(() => reject(new Error(`broker exited before listening: ${stderr}`)));
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'samsa-startup-'));
try {
  process.stderr.write(`startup: writing ${totalMiB} MiB into ${partitions} partition(s) in ${batchBytes}-byte batches...\n`);
  await fill(dataDir);
  const empty: number[] = [];
  const clean: Started[] = [];
  const cleanStopMs: number[] = [];
  const afterKill: Started[] = [];
  for (let run = 0; run < runs; run++) {
    const memory = await start(['--memory']);
    empty.push(memory.listenMs);
    await memory.stop('SIGTERM');
    // The data dir was last closed cleanly (by the fill, or the SIGTERM below): a clean restart.
    const c = await start(['--data-dir', dataDir]);
    clean.push(c);
    // Kill this one, so the next start recovers from a crash.
    await c.stop('SIGKILL');
    const k = await start(['--data-dir', dataDir]);
    afterKill.push(k);
    cleanStopMs.push(await k.stop('SIGTERM'));
  }
  const row = (name: string, xs: number[]) => `| ${name} | ${fmt(spread(xs), 0)} |`;
  console.log(`\nRestart of a broker holding ${totalMiB} MiB in ${partitions} partition(s), batches of ${batchBytes} bytes, ${runs} runs, median [min-max] ms:\n`);
  console.log('| measurement | ms |');
  console.log('|---|---|');
  console.log(row('start, empty in-memory broker (Node + code loading)', empty));
  console.log(row('start after a clean stop: to listen line', clean.map((s) => s.listenMs)));
  console.log(row('start after a clean stop: log store open', clean.map((s) => s.storeOpenMs)));
  console.log(row('start after SIGKILL: to listen line', afterKill.map((s) => s.listenMs)));
  console.log(row('start after SIGKILL: log store open (recovery)', afterKill.map((s) => s.storeOpenMs)));
  console.log(row('clean stop (SIGTERM to exit)', cleanStopMs));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
