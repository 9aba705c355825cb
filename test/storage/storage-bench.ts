// Storage throughput and recovery figures (not part of `npm test`):
//   npx tsx test/storage/storage-bench.ts [append|groupcommit|read|recovery|all] [runs]
// Prints one line per measurement and the median over runs. Uses a fresh temp dir per run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { openLogStore, type LogStore, type LogStoreOptions } from '../../src/storage/index.js';
import { buildBatchOfSize } from './batch-builder.js';

const BATCH_BYTES = 16 * 1024;
const MiB = 1024 * 1024;
const batches = Array.from({ length: 16 }, () => buildBatchOfSize(BATCH_BYTES));

function options(dataDir: string, overrides: Partial<LogStoreOptions> = {}): LogStoreOptions {
  return {
    dataDir,
    segmentBytes: 1024 * MiB,
    retentionMs: -1,
    retentionBytes: -1,
    flushPolicy: 'acks-all',
    flushIntervalMs: 1000,
    log: silentLogger,
    clock: systemClock,
    ...overrides,
  };
}

async function withStore<T>(overrides: Partial<LogStoreOptions>, fn: (store: LogStore, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'samsa-bench-'));
  const store = await openLogStore(options(dir, overrides));
  try {
    await store.createTopic('bench', 1, {});
    return await fn(store, dir);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function appendBytes(store: LogStore, totalBytes: number): number {
  const log = store.partition('bench', 0)!;
  const count = totalBytes / BATCH_BYTES;
  for (let i = 0; i < count; i++) log.append(batches[i % batches.length]!, Date.now());
  return count;
}

const line = (name: string, seconds: number, bytes: number, count: number, extra = '') =>
  console.log(`${name}: ${(bytes / MiB / seconds).toFixed(0)} MiB/s, ${Math.round(count / seconds)} batches/s${extra}`);

async function benchAppend(): Promise<number> {
  return withStore({}, async (store) => {
    const total = 1024 * MiB;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const count = appendBytes(store, total);
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    await store.partition('bench', 0)!.sync();
    const t2 = performance.now();
    line('append 1 GiB, no sync', (t1 - t0) / 1000, total, count, `; CPU ${((cpu.user + cpu.system) / count).toFixed(1)} µs/batch (${(cpu.system / count).toFixed(1)} in the kernel); then one fdatasync ${(t2 - t1).toFixed(0)} ms`);
    return total / MiB / ((t1 - t0) / 1000);
  });
}

/** `producers` loops each appending one batch and awaiting sync(), as acks=-1 producers would. */
async function benchGroupCommit(producers: number, totalBytes: number): Promise<number> {
  return withStore({}, async (store) => {
    const log = store.partition('bench', 0)!;
    const perProducer = totalBytes / BATCH_BYTES / producers;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: producers }, async (_, p) => {
        for (let i = 0; i < perProducer; i++) {
          log.append(batches[(p + i) % batches.length]!, Date.now());
          await log.sync();
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const syncs = (log as unknown as { fdatasyncCount: number }).fdatasyncCount;
    line(`append+sync, ${producers} concurrent producers`, seconds, totalBytes, perProducer * producers, `; ${syncs} fdatasyncs for ${perProducer * producers} sync() calls`);
    return totalBytes / MiB / seconds;
  });
}

async function benchRead(tailCacheBytes: number): Promise<number> {
  return withStore({ tailCacheBytes }, async (store) => {
    const log = store.partition('bench', 0)!;
    const total = 48 * MiB;
    const count = appendBytes(store, total);
    let bytes = 0;
    let fetches = 0;
    const t0 = performance.now();
    for (let round = 0; round < 10; round++) {
      let offset = 0;
      while (offset < log.logEndOffset) {
        const r = await log.read(offset, MiB);
        bytes += r.bytes;
        fetches++;
        offset += r.bytes / BATCH_BYTES;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    line(tailCacheBytes > 0 ? 'tail reads (cache), 1 MiB fetches' : 'file reads (page cache), 1 MiB fetches', seconds, bytes, count * 10, `, ${Math.round(fetches / seconds)} fetches/s`);
    return bytes / MiB / seconds;
  });
}

async function benchRecovery(segmentBytes: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'samsa-bench-'));
  try {
    let store = await openLogStore(options(dir, { segmentBytes }));
    await store.createTopic('bench', 1, {});
    appendBytes(store, 1024 * MiB);
    await store.close();
    const t0 = performance.now();
    store = await openLogStore(options(dir, { segmentBytes }));
    const ms = performance.now() - t0;
    const log = store.partition('bench', 0)!;
    console.log(`recovery of a 1 GiB log in ${segmentBytes / MiB} MiB segments: ${ms.toFixed(0)} ms (log end ${log.logEndOffset})`);
    await store.close();
    return ms;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function repeat(name: string, runs: number, fn: () => Promise<number>, unit: string): Promise<void> {
  const results: number[] = [];
  for (let i = 0; i < runs; i++) results.push(await fn());
  console.log(`== ${name}: median ${median(results).toFixed(0)} ${unit} [${results.map((r) => r.toFixed(0)).join(', ')}]`);
}

const which = process.argv[2] ?? 'all';
const runs = Number(process.argv[3] ?? 3);
if (which === 'append' || which === 'all') await repeat('append, no sync', runs, benchAppend, 'MiB/s');
if (which === 'groupcommit' || which === 'all') {
  await repeat('append+sync, 1 producer', runs, () => benchGroupCommit(1, 64 * MiB), 'MiB/s');
  await repeat('append+sync, 8 producers', runs, () => benchGroupCommit(8, 256 * MiB), 'MiB/s');
  await repeat('append+sync, 64 producers', runs, () => benchGroupCommit(64, 256 * MiB), 'MiB/s');
}
if (which === 'read' || which === 'all') {
  await repeat('tail reads from cache', runs, () => benchRead(64 * MiB), 'MiB/s');
  await repeat('reads from files', runs, () => benchRead(0), 'MiB/s');
}
if (which === 'recovery' || which === 'all') {
  await repeat('recovery, one 1 GiB active segment', runs, () => benchRecovery(1024 * MiB), 'ms');
  await repeat('recovery, 128 MiB segments', runs, () => benchRecovery(128 * MiB), 'ms');
}
