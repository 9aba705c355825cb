import { formatSecurityCost, securityCostRuns } from './security-cost.js';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERIES_BUCKET_MS } from './harness.js';
import type { SystemName } from './ipc.js';
import { renderSvg } from './plot.js';
import { profileFiles, topSelfTime } from './profile.js';
import { formatReport, formatTransactions, type BenchResults } from './report.js';
import { checkPeerServers, running, SERVER_SETTINGS, tempDirs } from './servers.js';
import { clientDescriptions } from './systems/index.js';
import { runRebalance, type RebalanceOptions, type RebalanceResult } from './workloads/rebalance.js';
import { runThroughput, type FlushPolicy, type ThroughputResult } from './workloads/throughput.js';
import { runCompaction, type CompactionResult } from './workloads/compaction.js';
import { runTransactions, type TransactionsResult } from './workloads/transactions.js';
import { measureStartup } from './workloads/startup.js';
import { measureCommitCost } from './workloads/commit-cost.js';

/**
 * `npm run bench`: Samsa against Redis Streams and NATS JetStream consumer groups, and the Samsa
 * client against kafkajs and @platformatic/kafka, side by side in one run on this machine.
 *
 *   npm run bench                 full run: 3 runs of everything (about 20 minutes on 2 cores)
 *   npm run bench -- --quick      1 run of smaller workloads (about 4 minutes)
 *   npm run bench -- --runs 5     more runs
 *   npm run bench -- --profile    CPU profiles (node --cpu-prof) of the Samsa broker and clients
 *                                 during the throughput workload, with their top functions
 *                                 (--records N, --record-bytes B, --flush-policy acks-all|interval,
 *                                 --commit-interval-ms N for interval commits instead of continuous)
 *   npm run bench -- --report F   print the tables of a saved results file and redraw its plot
 *   npm run bench -- --transactions  only transactional against idempotent-only produce (Samsa alone)
 *
 * Prints markdown tables and writes bench/results/<date>.json and <date>.svg.
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS_DIR = join(REPO, 'bench', 'results');

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes('--quick');
const plan = {
  mode: quick ? 'quick' : 'full',
  runs: Number(argValue('--runs') ?? (quick ? 1 : 3)),
  /** Quick: 100,000 records of 100 B end to end took under a second and read 3x where the full run read 6x. */
  small: { records: quick ? 300_000 : 1_000_000, recordBytes: 100 },
  /**
   * 25,000 records of 1 KiB was over in a third of a second, and 100,000 in a second and a half,
   * most of it start-up of five Node processes (JIT, heaps growing). 200,000 (2 s for Samsa, 6 s
   * for the peers) still read 108,000 records/s for Samsa where 400,000 read 140,000-150,000: the
   * full run takes 500,000, so Samsa's figure is its steady state as the peers' are.
   */
  large: { records: quick ? 200_000 : 500_000, recordBytes: 1024 },
  /** Quick: enough records that the drain outlasts the group's start-up (100,000 took about 0.1 s). */
  clientRecords: quick ? 300_000 : 1_000_000,
  /** The client comparison also runs 1 KiB records (issue: 1,000,000 of each size through the broker). */
  clientLargeRecords: quick ? 300_000 : 1_000_000,
  /** Transactional against idempotent-only produce: records, and records per transaction (null: idempotent only). */
  transactionRecords: quick ? 50_000 : 500_000,
  recordsPerTransaction: [null, 10_000, 1000] as Array<number | null>,
  phaseMs: quick ? 1200 : 2500,
  /** Records of the compaction workload (the broker's backlog holds twice as many). */
  compactionRecords: quick ? 200_000 : 1_000_000,
  failureTimeoutMs: quick ? 1500 : 3000,
  /**
   * Alternated pairs of the commit-cost workload. One run's rate moves by 10-20% on a shared
   * machine (pairs of one full run read 0.85, 0.93 and 1.12), so a 5% goal needs more than three.
   */
  commitCostPairs: Math.max(quick ? 3 : 7, Number(argValue('--runs') ?? 0)),
  /** `samsa start` and startBroker() timings, interleaved runs (the goal is a median of 10). */
  startupRuns: quick ? 3 : 10,
};

const PEERS: SystemName[] = ['samsa', 'redis', 'jetstream'];
const CLIENTS: SystemName[] = ['samsa', 'kafkajs', 'platformatic'];

function say(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

/** Ctrl-C or SIGTERM: stop every server and client this run started, then leave. */
function stopEverythingOnSignal(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal}: stopping ${running.size} processes`);
    for (const child of running) child.kill('SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A bug in the benchmark itself must not leave servers running either.
  process.on('uncaughtException', (err) => {
    say(`failed: ${err.stack ?? err.message}`);
    for (const child of running) child.kill('SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    process.exit(1);
  });
}

/**
 * Samsa runs twice where durability differs: its default (every acks=-1 produce fdatasynced
 * before the answer) and synced once a second (matched to Redis `appendfsync everysec`; JetStream
 * syncs less often still). The second is the row to compare with the peers.
 */
const THROUGHPUT_ROWS: Array<{ system: SystemName; flushPolicy?: FlushPolicy }> = [
  { system: 'samsa', flushPolicy: 'acks-all' },
  { system: 'samsa', flushPolicy: 'interval' },
  ...PEERS.filter((s) => s !== 'samsa').map((system) => ({ system })),
];

async function throughputRuns(): Promise<ThroughputResult[][]> {
  const rows: ThroughputResult[][] = [];
  for (const size of [plan.small, plan.large]) {
    for (const row of THROUGHPUT_ROWS) {
      const runs: ThroughputResult[] = [];
      for (let run = 0; run < plan.runs; run++) {
        say(`throughput ${row.system}${row.flushPolicy ? ` (flush policy ${row.flushPolicy})` : ''} ${size.records} x ${size.recordBytes} B, run ${run + 1}/${plan.runs}`);
        runs.push(await runThroughput({ ...row, ...size, mode: 'concurrent' }));
      }
      rows.push(runs);
    }
  }
  return rows;
}

function rebalancePlans(rate: number): Array<Omit<RebalanceOptions, 'ratePerSecond' | 'phaseMs' | 'failureTimeoutMs'>> {
  return [
    { system: 'samsa', label: 'Samsa, eager (range)', scenario: 'scale', assignor: 'range' },
    { system: 'samsa', label: 'Samsa, cooperative-sticky', scenario: 'scale', assignor: 'cooperative-sticky' },
    { system: 'samsa', label: 'Samsa, KIP-848 consumer protocol (uniform)', scenario: 'scale', assignor: 'range', protocol: 'consumer' },
    { system: 'samsa', label: 'Samsa, static member restarts', scenario: 'static', assignor: 'cooperative-sticky' },
    { system: 'redis', label: 'Redis Streams', scenario: 'scale', assignor: 'range' },
    { system: 'jetstream', label: 'NATS JetStream', scenario: 'scale', assignor: 'range' },
    { system: 'samsa', label: 'Samsa (cooperative-sticky)', scenario: 'failure', assignor: 'cooperative-sticky' },
    { system: 'samsa', label: 'Samsa (KIP-848 consumer protocol)', scenario: 'failure', assignor: 'range', protocol: 'consumer' },
    { system: 'redis', label: 'Redis Streams', scenario: 'failure', assignor: 'range' },
    { system: 'jetstream', label: 'NATS JetStream', scenario: 'failure', assignor: 'range' },
  ].filter(() => rate > 0) as Array<Omit<RebalanceOptions, 'ratePerSecond' | 'phaseMs' | 'failureTimeoutMs'>>;
}

async function rebalanceRuns(rate: number): Promise<RebalanceResult[][]> {
  const rows: RebalanceResult[][] = [];
  for (const p of rebalancePlans(rate)) {
    const runs: RebalanceResult[] = [];
    for (let run = 0; run < plan.runs; run++) {
      say(`${p.scenario} ${p.label} at ${rate} records/s, run ${run + 1}/${plan.runs}`);
      runs.push(await runRebalance({ ...p, ratePerSecond: rate, phaseMs: plan.phaseMs, failureTimeoutMs: plan.failureTimeoutMs }));
    }
    rows.push(runs);
  }
  return rows;
}

/**
 * The client comparison measures clients, so the broker syncs once a second (as a Kafka broker
 * leaves syncing to the OS by default): synced per acks=-1 produce, every client hit the same
 * ceiling, how fast this VM's disk completes fdatasync (about 100,000 records of 1 KiB a second),
 * and the table compared the disk with itself.
 */
const CLIENT_FLUSH_POLICY: FlushPolicy = 'interval';

async function clientRuns(): Promise<ThroughputResult[][]> {
  const rows: ThroughputResult[][] = [];
  for (const [records, recordBytes] of [[plan.clientRecords, 100], [plan.clientLargeRecords, 1024]] as const) {
    for (const system of CLIENTS) {
      const runs: ThroughputResult[] = [];
      for (let run = 0; run < plan.runs; run++) {
        say(`clients: ${system} ${records} x ${recordBytes} B against Samsa, run ${run + 1}/${plan.runs}`);
        runs.push(await runThroughput({ system, records, recordBytes, mode: 'sequential', flushPolicy: CLIENT_FLUSH_POLICY }));
      }
      rows.push(runs);
    }
  }
  return rows;
}

async function transactionRuns(): Promise<TransactionsResult[][]> {
  const rows: TransactionsResult[][] = [];
  for (const recordsPerTransaction of plan.recordsPerTransaction) {
    const runs: TransactionsResult[] = [];
    for (let run = 0; run < plan.runs; run++) {
      say(`transactions: ${plan.transactionRecords} x 100 B, ${recordsPerTransaction ?? 'idempotent only'}${recordsPerTransaction === null ? '' : ' per transaction'}, run ${run + 1}/${plan.runs}`);
      runs.push(await runTransactions({ records: plan.transactionRecords, recordBytes: 100, recordsPerTransaction }));
    }
    rows.push(runs);
  }
  return rows;
}

/**
 * The cost of observing: the same Samsa throughput workload (100-byte records, producer and 3
 * consumers at once) with the broker serving /metrics and the dashboard (`--http-port`, so the
 * broker's request, produce and fetch events have a subscriber) and /metrics scraped every second,
 * against a plain broker. Runs alternate so drift on a shared machine hits both alike.
 */
async function metricsOverheadRuns(): Promise<MetricsOverhead> {
  const plain: ThroughputResult[] = [];
  const scraped: ThroughputResult[] = [];
  for (let run = 0; run < plan.runs; run++) {
    say(`metrics overhead: samsa ${plan.small.records} x 100 B without /metrics, run ${run + 1}/${plan.runs}`);
    plain.push(await runThroughput({ system: 'samsa', ...plan.small, mode: 'concurrent' }));
    say(`metrics overhead: samsa ${plan.small.records} x 100 B with /metrics scraped every second, run ${run + 1}/${plan.runs}`);
    scraped.push(await runThroughput({ system: 'samsa', ...plan.small, mode: 'concurrent', scrapeMetricsEveryMs: 1000 }));
  }
  return { plain, scraped };
}

interface MetricsOverhead {
  plain: ThroughputResult[];
  scraped: ThroughputResult[];
}

function formatMetricsOverhead(m: MetricsOverhead): string {
  const med = (runs: ThroughputResult[], key: (r: ThroughputResult) => number) => median(runs.map(key));
  const row = (label: string, runs: ThroughputResult[]) =>
    `| ${label} | ${Math.round(med(runs, (r) => r.producedPerSecond)).toLocaleString('en-US')} | ${Math.round(med(runs, (r) => r.consumedPerSecond)).toLocaleString('en-US')} | ${med(runs, (r) => r.serverCpuPerM).toFixed(2)} |`;
  const ratio = (key: (r: ThroughputResult) => number) => (med(m.scraped, key) / med(m.plain, key)).toFixed(3);
  return [
    '',
    `### Cost of /metrics (Samsa, ${m.plain[0]?.records ?? 0} x 100 B, median of ${m.plain.length})`,
    '',
    '| broker | produce records/s | end-to-end records/s | broker CPU s per million |',
    '|---|---:|---:|---:|',
    row('samsa start', m.plain),
    row(`samsa start --http-port, /metrics scraped every second (${m.scraped.map((r) => r.metricsScrapes ?? 0).join(', ')} scrapes)`, m.scraped),
    '',
    `Ratio with / without: produce ${ratio((r) => r.producedPerSecond)}, end to end ${ratio((r) => r.consumedPerSecond)}, broker CPU ${ratio((r) => r.serverCpuPerM)}.`,
    '',
  ].join('\n');
}

/** The run whose value is the median, so the plotted line is a typical one. */
function medianRun(runs: RebalanceResult[], key: (r: RebalanceResult) => number): RebalanceResult {
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function plot(rebalance: RebalanceResult[][]): string {
  const pick = (scenario: string) => rebalance.filter((runs) => runs[0]!.scenario === scenario || (scenario === 'scale' && runs[0]!.scenario === 'static'));
  const lines = (rows: RebalanceResult[][]) => rows.map((runs) => {
    const r = medianRun(runs, (x) => x.longestGapMs);
    return { label: r.label, values: r.series };
  });
  const scale = pick('scale');
  const failure = pick('failure');
  const scaleMarkers = (scale.find((r) => r[0]!.scenario === 'scale')?.[0]?.eventsMs ?? []).map((atMs, i) => ({ atMs, label: `consumer ${i + 2} joins` }));
  const staticAt = scale.find((r) => r[0]!.scenario === 'static')?.[0]?.eventsMs[0];
  if (staticAt !== undefined) scaleMarkers.push({ atMs: staticAt, label: 'static restart' });
  return renderSvg(`Consumed records/s (${SERIES_BUCKET_MS} ms buckets), producer at a steady rate; median run of each`, [
    { title: 'Scale-out 1 -> 2 -> 3 consumers (and a static member restarting)', bucketMs: SERIES_BUCKET_MS, lines: lines(scale), markers: scaleMarkers },
    { title: 'Failure: one of 3 consumers SIGKILLed', bucketMs: SERIES_BUCKET_MS, lines: lines(failure), markers: (failure[0]?.[0]?.eventsMs ?? []).map((atMs) => ({ atMs, label: 'kill' })) },
  ]);
}

async function profileRun(): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(RESULTS_DIR, `profile-${stamp}`);
  mkdirSync(dir, { recursive: true });
  const records = Number(argValue('--records') ?? 1_000_000);
  const recordBytes = Number(argValue('--record-bytes') ?? 100);
  const flushPolicy = (argValue('--flush-policy') ?? 'acks-all') as FlushPolicy;
  const commitInterval = argValue('--commit-interval-ms');
  const flags = (name: string) => ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${name}.cpuprofile`];
  say(`profiling Samsa throughput, ${records} x ${recordBytes} B, flush policy ${flushPolicy}, commits ${commitInterval === undefined ? 'continuous' : `every ${commitInterval} ms`}, profiles in ${dir}`);
  const r = await runThroughput({ system: 'samsa', records, recordBytes, mode: 'concurrent', flushPolicy, ...(commitInterval !== undefined ? { commitIntervalMs: Number(commitInterval) } : {}), profile: { server: flags('broker'), client: flags('%name%') } });
  process.stdout.write(`Samsa throughput while profiled: ${Math.round(r.consumedPerSecond).toLocaleString('en-US')} records/s end to end\n\n`);
  for (const file of profileFiles(dir).sort()) {
    const { totalMs, top } = topSelfTime(file, 15, REPO);
    process.stdout.write(`### ${file.slice(dir.length + 1)} (${(totalMs / 1000).toFixed(2)} s on CPU in JS and native code)\n\n| self ms | share | function |\n|---:|---:|---|\n`);
    for (const t of top) process.stdout.write(`| ${t.selfMs.toFixed(0)} | ${(t.share * 100).toFixed(1)}% | \`${t.name}\` |\n`);
    process.stdout.write('\n');
  }
}

function reprint(jsonPath: string): void {
  const results = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchResults;
  writeFileSync(jsonPath.replace(/\.json$/, '.svg'), plot(results.rebalance));
  process.stdout.write(formatReport(results));
  if (results.securityCost !== undefined) process.stdout.write(formatSecurityCost(results.securityCost));
}

async function main(): Promise<void> {
  const saved = argValue('--report');
  if (saved !== undefined) return reprint(saved);
  stopEverythingOnSignal();
  let versions: { redis: string; nats: string } = { redis: '-', nats: '-' };
  try {
    if (!process.argv.includes('--transactions')) versions = checkPeerServers();
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    process.exit(2);
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  if (process.argv.includes('--profile')) return profileRun();
  if (process.argv.includes('--transactions')) {
    process.stdout.write(formatTransactions(await transactionRuns()).join('\n') + '\n');
    return;
  }

  const startedMs = Date.now();
  // First, while nothing else of this run is running: start-up is measured on an idle machine.
  const startup = await measureStartup(plan.startupRuns, 10_000, say);
  const throughput = await throughputRuns();
  // The rebalance workloads run every system at the same rate: half of the slowest system's
  // measured end-to-end maximum (100-byte records), so every system can carry it.
  const slowest = Math.min(...throughput.filter((runs) => runs[0]!.recordBytes === 100).map((runs) => median(runs.map((r) => r.consumedPerSecond))));
  const rate = Math.max(1000, Math.round(slowest / 2 / 1000) * 1000);
  const rebalance = await rebalanceRuns(rate);
  const clients = await clientRuns();
  const compaction: CompactionResult[] = [];
  for (let run = 0; run < plan.runs; run++) {
    say(`compaction ${plan.compactionRecords} x 100 B, run ${run + 1}/${plan.runs}`);
    compaction.push(await runCompaction(plan.compactionRecords));
  }
  const transactions = await transactionRuns();
  const metricsOverhead = await metricsOverheadRuns();
  // Alternated pairs, three at least even in the quick mode: the two rates differ by a few percent.
  const commitCost = await measureCommitCost(plan.small.records, plan.commitCostPairs, say);
  say('security cost: PLAINTEXT, SSL and SASL_SSL listeners of one broker');
  const security = await securityCostRuns(plan.mode === 'quick' ? 50_000 : 200_000, 1024, plan.runs);

  const date = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
  const results: BenchResults = {
    date: new Date().toISOString(),
    mode: plan.mode as 'quick' | 'full',
    runs: plan.runs,
    wallSeconds: (Date.now() - startedMs) / 1000,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    servers: { redis: versions.redis, nats: versions.nats, settings: SERVER_SETTINGS },
    clients: await clientDescriptions(),
    plan: { ...plan, rebalanceRatePerSecond: rate },
    throughput,
    rebalance,
    clientComparison: clients,
    compaction,
    transactions,
    metricsOverhead,
    securityCost: security,
    startup,
    commitCost,
  };
  const jsonPath = join(RESULTS_DIR, `${date}.json`);
  const svgPath = join(RESULTS_DIR, `${date}.svg`);
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 1)}\n`);
  writeFileSync(svgPath, plot(rebalance));
  process.stdout.write(formatReport(results));
  process.stdout.write(formatMetricsOverhead(metricsOverhead));
  process.stdout.write(formatSecurityCost(security));
  process.stdout.write(`\nResults: ${relativeToRepo(jsonPath)}; plot: ${relativeToRepo(svgPath)}; wall time ${results.wallSeconds.toFixed(0)} s\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

function relativeToRepo(p: string): string {
  return p.startsWith(REPO) ? p.slice(REPO.length) : p;
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  for (const child of running) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}
process.exit(0);
