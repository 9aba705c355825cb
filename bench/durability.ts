/**
 * The end-to-end throughput rows alone (no rebalance, client or other workloads), Samsa with both
 * flush policies beside Redis Streams and NATS JetStream, runs interleaved so drift on a shared
 * machine hits every row alike:
 *
 *   npm run build && node dist/bench/durability.js [--quick] [--runs 3] [--sizes 100,1024]
 *
 * Prints the same table and ratios as `npm run bench` (its "Throughput" section).
 */
import { rmSync } from 'node:fs';
import { checkPeerServers, running, tempDirs } from './servers.js';
import { fmt, ratio, spread } from './stats.js';
import type { SystemName } from './ipc.js';
import { runThroughput, type FlushPolicy, type ThroughputResult } from './workloads/throughput.js';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes('--quick');
const runs = Number(argValue('--runs') ?? (quick ? 1 : 3));
const sizes = (argValue('--sizes') ?? '100,1024').split(',').map(Number);
const recordsFor = (bytes: number) => (bytes <= 100 ? (quick ? 100_000 : 1_000_000) : quick ? 25_000 : 500_000);
const rows: Array<{ system: SystemName; flushPolicy?: FlushPolicy; name: string }> = [
  { system: 'samsa', flushPolicy: 'acks-all', name: 'Samsa, fsync per acks=-1 produce (default)' },
  { system: 'samsa', flushPolicy: 'interval', name: 'Samsa, fsync every 1 s (matched: compare with the peers)' },
  { system: 'redis', name: 'Redis Streams (appendfsync everysec)' },
  { system: 'jetstream', name: 'NATS JetStream (file storage, server defaults)' },
];

try {
  checkPeerServers();
  const results = new Map<string, ThroughputResult[]>();
  for (const bytes of sizes) {
    for (let run = 0; run < runs; run++) {
      for (const row of rows) {
        process.stderr.write(`durability: ${row.name}, ${recordsFor(bytes)} x ${bytes} B, run ${run + 1}/${runs}\n`);
        const r = await runThroughput({ system: row.system, ...(row.flushPolicy ? { flushPolicy: row.flushPolicy } : {}), records: recordsFor(bytes), recordBytes: bytes, mode: 'concurrent' });
        const key = `${row.name}|${bytes}`;
        results.set(key, [...(results.get(key) ?? []), r]);
      }
    }
  }
  const med = (name: string, bytes: number) => spread((results.get(`${name}|${bytes}`) ?? []).map((r) => r.consumedPerSecond)).median;
  const out = ['| system | records | consumed rec/s (end to end) | latency p50 ms | p99 ms | server CPU s/M |', '|---|---:|---:|---:|---:|---:|'];
  for (const bytes of sizes) {
    for (const row of rows) {
      const rs = results.get(`${row.name}|${bytes}`) ?? [];
      out.push(`| ${row.name} | ${recordsFor(bytes).toLocaleString('en-US')} x ${bytes} B | ${fmt(spread(rs.map((r) => r.consumedPerSecond)))} | ${fmt(spread(rs.map((r) => r.p50Ms)))} | ${fmt(spread(rs.map((r) => r.p99Ms)))} | ${fmt(spread(rs.map((r) => r.serverCpuPerM)), 2)} |`);
    }
  }
  out.push('');
  for (const bytes of sizes) {
    const [durable, matched, redis, js] = rows.map((r) => med(r.name, bytes));
    out.push(`${bytes} B: matched / Redis ${ratio(matched!, redis!)}, matched / JetStream ${ratio(matched!, js!)}; default / Redis ${ratio(durable!, redis!)}, default / JetStream ${ratio(durable!, js!)}; matched / default ${ratio(matched!, durable!)} (median of ${runs}).`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
} catch (err) {
  process.stderr.write(`durability: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  for (const child of running) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}
process.exit(0);
