import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdmin, createProducer, type CompressionName, type Producer } from '../../src/client/index.js';
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { CompressionType } from '../../src/protocol/record-batch-header.js';
import { LogCleaner, openLogStore } from '../../src/storage/index.js';
import { nowMs } from '../common.js';
import { startSamsa, tempDirs } from '../servers.js';

/**
 * Compaction: how fast the log cleaner compacts (the store and cleaner in this process, nothing
 * else running), how fast a producer goes on the broker while the cleaner works, and what the
 * key check on compacted topics costs Produce.
 */

export interface CleanerThroughput {
  compression: 'none' | 'lz4';
  records: number;
  keys: number;
  /** Log bytes before and after the pass. */
  bytesBefore: number;
  bytesAfter: number;
  seconds: number;
  /** Log bytes compacted per second. */
  mbPerSecond: number;
  recordsPerSecond: number;
}

export interface ProduceWhileCleaning {
  records: number;
  /** Producer records/s with the cleaner idle, and within the window the cleaner was compacting. */
  idlePerSecond: number;
  cleaningPerSecond: number;
  cleanerSeconds: number;
  /** Backlog bytes compacted per second while the producer ran. */
  cleanerMBPerSecond: number;
}

export interface KeyCheckCost {
  compression: CompressionName;
  records: number;
  /** Producer records/s and broker CPU seconds per million records, plain topic vs compacted topic. */
  plainPerSecond: number;
  compactedPerSecond: number;
  plainBrokerCpuPerM: number;
  compactedBrokerCpuPerM: number;
}

export interface CompactionResult {
  cleaner: CleanerThroughput[];
  whileCleaning: ProduceWhileCleaning;
  keyCheck: KeyCheckCost[];
}

const VALUE_BYTES = 100;
const RECORDS_PER_BATCH = 100;
/** Every key is written about this many times: a pass keeps one record in ten. */
const OVERWRITES = 10;

/** Random values, unlike each other, so that compression has little to gain (as with the throughput workloads' filler). */
function distinctValues(): Buffer[] {
  return Array.from({ length: 4093 }, () => randomBytes(VALUE_BYTES));
}

/** One cleaner pass over a partition of `records` keyed records, in a file store of its own. */
export async function cleanerThroughput(records: number, compression: 'none' | 'lz4'): Promise<CleanerThroughput> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-cleaner-'));
  tempDirs.add(dir);
  const keys = Math.ceil(records / OVERWRITES);
  const store = await openLogStore({ dataDir: dir, segmentBytes: 64 << 20, retentionMs: -1, retentionBytes: -1, flushPolicy: 'interval', flushIntervalMs: 60_000, log: silentLogger, clock: systemClock });
  try {
    await store.createTopic('c', 1, { 'cleanup.policy': 'compact' });
    const log = store.partition('c', 0)!;
    const values = distinctValues();
    for (let i = 0; i < records; i += RECORDS_PER_BATCH) {
      const batch = Array.from({ length: Math.min(RECORDS_PER_BATCH, records - i) }, (_, j) => ({ key: Buffer.from(`key-${(i + j) % keys}`), value: values[(i + j) % values.length]!, timestamp: Date.now() }));
      log.append(await encodeRecordBatch({ records: batch, compression: compression === 'lz4' ? CompressionType.Lz4 : CompressionType.None }), Date.now());
    }
    log.roll();
    await log.sync();
    const cleaner = new LogCleaner(store, { clock: systemClock, log: silentLogger });
    const started = performance.now();
    const [pass] = await cleaner.runNow();
    const seconds = (performance.now() - started) / 1000;
    if (pass === undefined) throw new Error('the cleaner did not clean the bench partition');
    return { compression, records, keys, bytesBefore: pass.bytesBefore, bytesAfter: pass.bytesAfter, seconds, mbPerSecond: pass.bytesBefore / 1e6 / seconds, recordsPerSecond: pass.recordsRead / seconds };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  }
}

/** Sends `records` keyed records in 1,000-record calls, 8 in flight; returns when each call was acknowledged. */
async function produce(producer: Producer, topic: string, records: number, keys: number): Promise<{ seconds: number; acks: Array<{ atMs: number; records: number }> }> {
  const values = distinctValues();
  const acks: Array<{ atMs: number; records: number }> = [];
  const started = nowMs();
  let next = 0;
  const worker = async () => {
    while (next < records) {
      const start = next;
      const end = Math.min(records, next + 1000);
      next = end;
      const messages = [];
      for (let i = start; i < end; i++) messages.push({ key: Buffer.from(`key-${i % keys}`), value: values[i % values.length]! });
      await producer.send({ topic, messages });
      acks.push({ atMs: nowMs(), records: end - start });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { seconds: (nowMs() - started) / 1000, acks };
}

/** The broker cleans a backlog while a producer writes to another topic; and the key check's cost. */
export async function brokerCompaction(records: number): Promise<Pick<CompactionResult, 'whileCleaning' | 'keyCheck'>> {
  const cleaned: Array<{ endMs: number; durationMs: number; bytes: number }> = [];
  const server = await startSamsa({
    startArgs: ['--log-level', 'info', '--log-cleaner-backoff-ms', '100'],
    onOutput: (text) => {
      for (const line of text.split('\n')) {
        const m = /INFO log cleaned partition=backlog-0 .*bytes=(\d+) -> \d+ .*durationMs=(\d+)/.exec(line);
        if (m !== null) cleaned.push({ endMs: nowMs(), durationMs: Number(m[2]), bytes: Number(m[1]) });
      }
    },
  });
  const bootstrapServers = `${server.host}:${server.port}`;
  const admin = createAdmin({ bootstrapServers });
  const producers: Producer[] = [];
  const producerFor = async (compression: CompressionName) => {
    const p = createProducer({ bootstrapServers, acks: -1, batchSize: 256 * 1024, compression });
    await p.connect();
    producers.push(p);
    return p;
  };
  try {
    // The backlog waits behind a dirty ratio it cannot reach until the measurement starts.
    await admin.createTopics({
      topics: [
        { name: 'backlog', numPartitions: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(8 << 20), 'min.cleanable.dirty.ratio': '1' } },
        { name: 'plain', numPartitions: 1 },
        { name: 'compacted', numPartitions: 1, configs: { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '1' } },
        { name: 'plain-lz4', numPartitions: 1 },
        { name: 'compacted-lz4', numPartitions: 1, configs: { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '1' } },
      ],
    });
    const plain = await producerFor('none');
    const lz4 = await producerFor('lz4');
    await produce(plain, 'backlog', records * 2, Math.ceil(records / 5));

    const keyCheck: KeyCheckCost[] = [];
    for (const [compression, producer, suffix] of [['none', plain, ''], ['lz4', lz4, '-lz4']] as const) {
      const cpu0 = server.cpuSeconds();
      const p = await produce(producer, `plain${suffix}`, records, 1000);
      const cpu1 = server.cpuSeconds();
      const c = await produce(producer, `compacted${suffix}`, records, 1000);
      const cpu2 = server.cpuSeconds();
      keyCheck.push({
        compression,
        records,
        plainPerSecond: records / p.seconds,
        compactedPerSecond: records / c.seconds,
        plainBrokerCpuPerM: ((cpu1 - cpu0) / records) * 1e6,
        compactedBrokerCpuPerM: ((cpu2 - cpu1) / records) * 1e6,
      });
    }

    const idle = await produce(plain, 'plain', records, 1000);
    await admin.alterConfigs({ resources: [{ type: 'topic', name: 'backlog', configs: [{ name: 'min.cleanable.dirty.ratio', value: '0.01' }] }] });
    const during = await produce(plain, 'plain', records * 4, 1000);
    const deadline = nowMs() + 120_000;
    while (cleaned.length === 0 && nowMs() < deadline) await new Promise((r) => setTimeout(r, 50));
    const pass = cleaned[0];
    if (pass === undefined) throw new Error('the broker did not clean the backlog');
    const windowStart = pass.endMs - pass.durationMs;
    const inWindow = during.acks.filter((a) => a.atMs >= windowStart && a.atMs <= pass.endMs);
    const windowRecords = inWindow.reduce((n, a) => n + a.records, 0);
    return {
      whileCleaning: {
        records: records * 4,
        idlePerSecond: records / idle.seconds,
        // Acknowledgements inside the pass's window (the pass must overlap the producer's run).
        cleaningPerSecond: inWindow.length < 2 ? NaN : windowRecords / (pass.durationMs / 1000),
        cleanerSeconds: pass.durationMs / 1000,
        cleanerMBPerSecond: pass.bytes / 1e6 / (pass.durationMs / 1000),
      },
      keyCheck,
    };
  } finally {
    for (const p of producers) await p.close();
    await admin.close();
    await server.stop();
  }
}

export async function runCompaction(records: number): Promise<CompactionResult> {
  const cleaner = [await cleanerThroughput(records, 'none'), await cleanerThroughput(records, 'lz4')];
  return { cleaner, ...(await brokerCompaction(records)) };
}
