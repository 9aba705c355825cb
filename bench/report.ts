import type { SecurityCostRow } from './security-cost.js';
import type { SystemName } from './ipc.js';
import { fmt, ratio, spread, type Spread } from './stats.js';
import type { RebalanceResult } from './workloads/rebalance.js';
import type { ThroughputResult } from './workloads/throughput.js';
import type { CompactionResult } from './workloads/compaction.js';
import type { TransactionsResult } from './workloads/transactions.js';
import { commitCostRatio, commitCostTable, type CommitCostResult } from './workloads/commit-cost.js';
import { startupMedians, startupTable, type StartupResult } from './workloads/startup.js';

/** The markdown report printed at the end of `npm run bench`. */

export interface BenchResults {
  date: string;
  mode: 'quick' | 'full';
  runs: number;
  wallSeconds: number;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  servers: { redis: string; nats: string; settings: Record<string, string> };
  clients: Record<SystemName, string>;
  plan: { small: { records: number }; large: { records: number }; clientRecords: number; clientLargeRecords?: number; phaseMs: number; failureTimeoutMs: number; rebalanceRatePerSecond: number };
  throughput: ThroughputResult[][];
  rebalance: RebalanceResult[][];
  clientComparison: ThroughputResult[][];
  /** One entry per run (absent in results saved before the workload existed). */
  compaction?: CompactionResult[];
  /** Absent in results saved before the transactions workload existed. */
  transactions?: TransactionsResult[][];
  /** Samsa with and without /metrics scraped every second (older result files lack it). */
  metricsOverhead?: { plain: ThroughputResult[]; scraped: ThroughputResult[] };
  /** PLAINTEXT, SSL and SASL_SSL on the same workload (absent from older result files). */
  securityCost?: SecurityCostRow[][];
  /** `samsa start` to its listen line and the embedded startBroker() (absent from older result files). */
  startup?: StartupResult;
  /** Continuous against interval commits of the Samsa consumer (absent from older result files). */
  commitCost?: CommitCostResult;
}

const NAMES: Record<SystemName, string> = {
  samsa: 'Samsa',
  redis: 'Redis Streams',
  jetstream: 'NATS JetStream',
  kafkajs: 'kafkajs',
  platformatic: '@platformatic/kafka',
};

const num = (n: number) => n.toLocaleString('en-US');
const of = <T>(runs: T[], f: (r: T) => number): Spread => spread(runs.map(f));

/** A throughput row's name: Samsa's says its flush policy and which rows it compares with. */
function throughputName(r: ThroughputResult): string {
  if (r.system !== 'samsa' || r.flushPolicy === undefined) return NAMES[r.system];
  return r.flushPolicy === 'interval'
    ? 'Samsa, fsync every 1 s (compare with Redis everysec and JetStream)'
    : 'Samsa, fsync per acks=-1 produce (default; stronger than the peers)';
}

function throughputTable(rows: ThroughputResult[][]): string[] {
  const out = [
    '| system | records | produced rec/s | consumed rec/s (end to end) | MB/s | latency p50 ms | p99 ms | server CPU s/M | producer CPU s/M | consumers CPU s/M | total CPU s/M |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const runs of rows) {
    const r0 = runs[0]!;
    out.push(
      `| ${throughputName(r0)} | ${num(r0.records)} x ${r0.recordBytes} B | ${fmt(of(runs, (r) => r.producedPerSecond))} | ${fmt(of(runs, (r) => r.consumedPerSecond))} | ` +
        `${fmt(of(runs, (r) => r.consumedMBPerSecond))} | ${fmt(of(runs, (r) => r.p50Ms))} | ${fmt(of(runs, (r) => r.p99Ms))} | ${fmt(of(runs, (r) => r.serverCpuPerM), 2)} | ` +
        `${fmt(of(runs, (r) => r.producerCpuPerM), 2)} | ${fmt(of(runs, (r) => r.consumersCpuPerM), 2)} | ${fmt(of(runs, (r) => r.serverCpuPerM + r.producerCpuPerM + r.consumersCpuPerM), 2)} |`,
    );
  }
  return out;
}

/** Median of `f` over the row of `system` (Samsa: its flush policy; acks-all also matches rows saved without one). */
function medianOf(rows: ThroughputResult[][], system: SystemName, recordBytes: number, f: (r: ThroughputResult) => number, flushPolicy: 'acks-all' | 'interval' = 'acks-all'): number {
  const runs = rows.find((r) => r[0]!.system === system && r[0]!.recordBytes === recordBytes && (system !== 'samsa' || (r[0]!.flushPolicy ?? 'acks-all') === flushPolicy));
  return runs === undefined ? NaN : of(runs, f).median;
}

export function rebalanceTable(rows: RebalanceResult[][], scenario: 'scale' | 'failure'): string[] {
  const pick = rows.filter((runs) => (scenario === 'failure' ? runs[0]!.scenario === 'failure' : runs[0]!.scenario !== 'failure'));
  const out =
    scenario === 'failure'
      ? ['| system | longest wait of a record around the kill ms | longest delivery gap ms (any partition) | records processed twice | one fetch batch per partition the killed consumer owned (median / largest) | lost |', '|---|---:|---:|---:|---:|---:|']
      : ['| system | time until the new consumer receives data ms | longest delivery gap ms (any partition) | longest gap on partitions that did not move ms | steady-state longest gap ms | records redelivered | lost |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const runs of pick) {
    const r0 = runs[0]!;
    if (scenario === 'failure') {
      const batch = r0.killedBatchRecords === undefined || Number.isNaN(r0.killedBatchRecords.median)
        ? '-'
        : `${fmt(of(runs, (r) => r.killedBatchRecords!.median), 0)} / ${fmt(of(runs, (r) => r.killedBatchRecords!.largest), 0)}`;
      out.push(`| ${r0.label} | ${fmt(of(runs, (r) => r.takeoverMs), 0)} | ${fmt(of(runs, (r) => r.longestGapMs), 0)} | ${fmt(of(runs, (r) => r.redelivered), 0)} | ${batch} | ${fmt(of(runs, (r) => r.lost), 0)} |`);
    } else {
      out.push(
        `| ${r0.label} | ${fmt(of(runs, (r) => r.takeoverMs), 0)} | ${fmt(of(runs, (r) => r.longestGapMs), 0)} | ${fmt(of(runs, (r) => r.longestGapStayingMs), 0)} | ${fmt(of(runs, (r) => r.steadyGapMs), 0)} | ` +
          `${fmt(of(runs, (r) => r.redelivered), 0)} | ${fmt(of(runs, (r) => r.lost), 0)} |`,
      );
    }
  }
  return out;
}

/** Transactional against idempotent-only produce: throughput, commit rate and CPU, with the ratio to idempotent-only. */
export function formatTransactions(rows: TransactionsResult[][]): string[] {
  const base = rows.find((runs) => runs[0]!.recordsPerTransaction === null);
  const baseRate = base === undefined ? NaN : of(base, (r) => r.producedPerSecond).median;
  const out = [
    '| producer (Samsa client, acks=-1) | records | produced rec/s | MB/s | vs idempotent only | commits/s | broker CPU s/M | producer CPU s/M | marker offsets |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const runs of rows) {
    const r0 = runs[0]!;
    const rate = of(runs, (r) => r.producedPerSecond);
    out.push(
      `| ${r0.label} | ${num(r0.records)} x ${r0.recordBytes} B | ${fmt(rate)} | ${fmt(of(runs, (r) => r.producedMBPerSecond))} | ${(rate.median / baseRate).toFixed(2)}x | ` +
        `${r0.transactionsPerSecond === null ? '-' : fmt(of(runs, (r) => r.transactionsPerSecond!))} | ${fmt(of(runs, (r) => r.serverCpuPerM), 2)} | ${fmt(of(runs, (r) => r.producerCpuPerM), 2)} | ${num(r0.markers)} |`,
    );
  }
  return out;
}

/** Seconds per million records of `bytes` each, as seconds per MB of payload. */
const perMB = (cpuPerM: number, bytes: number): number => cpuPerM / bytes;

function clientTable(rows: ThroughputResult[][]): string[] {
  const out = [
    '| client | records | produce rec/s | produce MB/s | consume rec/s | consume MB/s | producer CPU s/M | consumers CPU s/M | broker CPU s/MB while producing | while consuming | records consumed twice |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const runs of rows) {
    const r0 = runs[0]!;
    const mb = r0.recordBytes / 1e6;
    out.push(
      `| ${NAMES[r0.system]} | ${num(r0.records)} x ${r0.recordBytes} B | ${fmt(of(runs, (r) => r.producedPerSecond))} | ${fmt(of(runs, (r) => r.producedPerSecond * mb), 1)} | ` +
        `${fmt(of(runs, (r) => r.consumedPerSecond))} | ${fmt(of(runs, (r) => r.consumedPerSecond * mb), 1)} | ${fmt(of(runs, (r) => r.producerCpuPerM), 2)} | ` +
        `${fmt(of(runs, (r) => r.consumersCpuPerM), 2)} | ${fmt(of(runs, (r) => perMB(r.serverProduceCpuPerM, r.recordBytes)), 4)} | ${fmt(of(runs, (r) => perMB(r.serverCpuPerM, r.recordBytes)), 4)} | ${fmt(of(runs, (r) => r.duplicates), 0)} |`,
    );
  }
  return out;
}

/** Whether the broker is the bottleneck: its CPU against the client process it served, per phase. */
function brokerVersusClients(rows: ThroughputResult[][]): string {
  const exceptions: string[] = [];
  for (const runs of rows) {
    const r0 = runs[0]!;
    const name = `${NAMES[r0.system]} ${r0.recordBytes} B`;
    const median = (f: (r: ThroughputResult) => number) => of(runs, f).median;
    if (median((r) => r.serverProduceCpuPerM) >= median((r) => r.producerCpuPerM)) exceptions.push(`${name} while producing`);
    if (median((r) => r.serverCpuPerM) >= median((r) => r.consumersCpuPerM)) exceptions.push(`${name} while consuming`);
  }
  return exceptions.length === 0
    ? 'In every row the client processes used more CPU than the broker.'
    : `The client processes used more CPU than the broker except: ${exceptions.join('; ')}.`;
}

export function compactionSection(runs: CompactionResult[] | undefined): string[] {
  if (runs === undefined || runs.length === 0) return [];
  const r0 = runs[0]!;
  const out = [
    `## Compaction: ${num(r0.cleaner[0]!.records)} keyed records of 100 B, each key written ${Math.round(r0.cleaner[0]!.records / r0.cleaner[0]!.keys)} times`,
    '',
    'The log cleaner alone (a file store and the cleaner in one process, one pass over one partition, default settings):',
    '',
    '| batches | log MB before -> after | cleaner MB/s (log bytes compacted) | cleaner records/s |',
    '|---|---:|---:|---:|',
  ];
  for (let i = 0; i < r0.cleaner.length; i++) {
    const rows = runs.map((r) => r.cleaner[i]!);
    out.push(
      `| ${rows[0]!.compression === 'none' ? 'uncompressed' : rows[0]!.compression} | ${(rows[0]!.bytesBefore / 1e6).toFixed(1)} -> ${(rows[0]!.bytesAfter / 1e6).toFixed(1)} | ${fmt(of(rows, (x) => x.mbPerSecond), 1)} | ${fmt(of(rows, (x) => x.recordsPerSecond))} |`,
    );
  }
  const w = runs.map((r) => r.whileCleaning);
  out.push(
    '',
    `A Samsa broker compacts a backlog of ${num(r0.cleaner[0]!.records * 2)} records while one Samsa producer (acks=-1, 1,000 records per send, 8 in flight) writes to another topic:`,
    '',
    '| producer records/s, cleaner idle | while the cleaner runs | cleaner pass s | cleaner MB/s meanwhile |',
    '|---:|---:|---:|---:|',
    `| ${fmt(of(w, (x) => x.idlePerSecond))} | ${fmt(of(w, (x) => x.cleaningPerSecond))} | ${fmt(of(w, (x) => x.cleanerSeconds), 2)} | ${fmt(of(w, (x) => x.cleanerMBPerSecond), 1)} |`,
    '',
    'Produce to a compacted topic reads every record\'s key (to refuse keyless records); other topics never decode records. Same producer, same records:',
    '',
    '| producer compression | records/s to a plain topic | to a compacted topic | broker CPU s/M, plain | compacted |',
    '|---|---:|---:|---:|---:|',
  );
  for (let i = 0; i < r0.keyCheck.length; i++) {
    const rows = runs.map((r) => r.keyCheck[i]!);
    out.push(
      `| ${rows[0]!.compression} | ${fmt(of(rows, (x) => x.plainPerSecond))} | ${fmt(of(rows, (x) => x.compactedPerSecond))} | ${fmt(of(rows, (x) => x.plainBrokerCpuPerM), 2)} | ${fmt(of(rows, (x) => x.compactedBrokerCpuPerM), 2)} |`,
    );
  }
  out.push('');
  return out;
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'NOT met';
}

export function formatReport(b: BenchResults): string {
  const runsNote = b.runs === 1 ? '1 run per figure (quick mode: no medians; the full run takes the median of 3)' : `median [min–max] of ${b.runs} runs per figure`;
  const t = b.throughput;
  const e2e = (s: SystemName, bytes: number) => medianOf(t, s, bytes, (r) => r.consumedPerSecond);
  /** Samsa synced once a second: the row matched to the peers' durability (NaN in older result files). */
  const matched = (bytes: number) => medianOf(t, 'samsa', bytes, (r) => r.consumedPerSecond, 'interval');
  const clientMedian = (s: SystemName, f: (r: ThroughputResult) => number, bytes = 100) => {
    const runs = b.clientComparison.find((r) => r[0]!.system === s && r[0]!.recordBytes === bytes);
    return runs === undefined ? NaN : of(runs, f).median;
  };
  const bestOther = (f: (r: ThroughputResult) => number, bytes = 100) => Math.max(clientMedian('kafkajs', f, bytes), clientMedian('platformatic', f, bytes));
  /** Samsa client / the faster other client, for records of `bytes` (NaN when that size did not run). */
  const clientRatio = (f: (r: ThroughputResult) => number, bytes: number) => clientMedian('samsa', f, bytes) / bestOther(f, bytes);
  const reb = (label: string, f: (r: RebalanceResult) => number) => {
    const runs = b.rebalance.find((r) => r[0]!.label === label && r[0]!.scenario !== 'failure');
    return runs === undefined ? NaN : of(runs, f).median;
  };
  const lines: string[] = [
    `# Samsa benchmark (${b.mode}), ${b.date.slice(0, 19)}Z`,
    '',
    `${runsNote}. Machine: ${b.machine.cpus} × ${b.machine.cpuModel}, ${b.machine.memoryGiB} GiB, Node ${b.machine.node}; every server and client shares these cores.`,
    '',
    'Servers (each its own process on a free loopback port, data directory on disk):',
    `- Samsa: ${b.servers.settings.samsa}`,
    `- Redis Streams (${b.servers.redis}): ${b.servers.settings.redis}`,
    `- NATS JetStream (${b.servers.nats}): ${b.servers.settings.jetstream}`,
    '',
    'Clients, one process each:',
    ...(Object.keys(NAMES) as SystemName[]).map((s) => `- ${b.clients[s]}`),
    '',
    'Records: keyed (1,000 keys) over 6 partitions — Kafka: one topic with 6 partitions (murmur2 of the key); Redis: 6 streams (murmur2 of the key picks one), each consumer reads all six with one XREADGROUP; JetStream: one stream with 6 subjects.',
    'CPU is utime + stime from /proc/<pid>/stat of each process, in seconds per million records (s/M).',
    '',
    `## Throughput: 1 producer and a group of 3 consumers at the same time`,
    '',
    ...throughputTable(t),
    '',
    `Ratios of end-to-end records/s, Samsa fsyncing every 1 s (durability matched): / Redis Streams ${ratio(matched(100), e2e('redis', 100))} (100 B), ${ratio(matched(1024), e2e('redis', 1024))} (1 KiB); ` +
      `/ JetStream ${ratio(matched(100), e2e('jetstream', 100))} (100 B), ${ratio(matched(1024), e2e('jetstream', 1024))} (1 KiB). ` +
      `Samsa fsyncing every acks=-1 produce (its default, stronger than the peers): / Redis Streams ${ratio(e2e('samsa', 100), e2e('redis', 100))} (100 B), ${ratio(e2e('samsa', 1024), e2e('redis', 1024))} (1 KiB); ` +
      `/ JetStream ${ratio(e2e('samsa', 100), e2e('jetstream', 100))} (100 B), ${ratio(e2e('samsa', 1024), e2e('jetstream', 1024))} (1 KiB). ` +
      `Default / matched (the price of the stronger durability): ${ratio(e2e('samsa', 100), matched(100))} (100 B), ${ratio(e2e('samsa', 1024), matched(1024))} (1 KiB).`,
    '',
    `## Scale-out: the group grows 1 -> 2 -> 3 consumers, one step every ${b.plan.phaseMs} ms, producer at ${num(b.plan.rebalanceRatePerSecond)} records/s (100 B)`,
    '',
    'The rate is half of the slowest system\'s end-to-end maximum above, the same for every system. "Static member restarts": 3 static members (groupInstanceId); one closes without LeaveGroup and a new process with the same id replaces it. A partition "did not move" when one consumer handled it from 1 s before a step to one step after it; Redis and JetStream spread every subject over all consumers, so none qualifies there.',
    '',
    ...rebalanceTable(b.rebalance, 'scale'),
    '',
    `## Failure: one of 3 consumers is SIGKILLed, producer at ${num(b.plan.rebalanceRatePerSecond)} records/s`,
    '',
    `Failure timeout ${b.plan.failureTimeoutMs} ms everywhere: Samsa session timeout, Redis XAUTOCLAIM min idle time (each consumer claims every 250 ms), JetStream ack wait. The first column is the longest time any record produced from 1 s before the kill on waited to be handled: the records the dead consumer held (its partitions, its pending entries) wait until another consumer takes them over. Records processed twice are those the dead consumer had handled but not yet committed or acknowledged.`,
    '',
    ...rebalanceTable(b.rebalance, 'failure'),
    '',
    `## Clients against the Samsa broker: ${num(b.plan.clientRecords)} records of 100 B${b.plan.clientLargeRecords ? ` and ${num(b.plan.clientLargeRecords)} of 1 KiB` : ''}, keyed, 6 partitions`,
    '',
    `${b.clientComparison[0]?.[0]?.flushPolicy === 'interval' ? 'The broker syncs its log once a second (`--flush-policy interval`, as a Kafka broker leaves syncing to the OS by default), so that the disk\'s fdatasync rate does not cap every client at the same figure. ' : 'The broker fdatasyncs every acks=-1 produce (its default). '}The producer runs alone (acks=-1, 1,000 records per send() call, 8 calls in flight), then a group of 3 consumers of the same library drains the topic (consume rate from the moment every member has its partitions, the group having formed in one generation after a 1 s initial rebalance delay, to the last record handled). Records consumed twice: the group's members start together, and a client that does not commit before giving up partitions in the join rebalances hands them over from older offsets.`,
    '',
    ...clientTable(b.clientComparison),
    '',
    'Broker CPU per MB is the broker process\'s CPU seconds divided by the payload megabytes it carried.',
    brokerVersusClients(b.clientComparison),
    '',
    ...[100, 1024].filter((bytes) => !Number.isNaN(clientRatio((r) => r.producedPerSecond, bytes))).map((bytes) =>
      `Samsa client / best other client (${bytes === 100 ? '100 B' : '1 KiB'}): produce ${clientRatio((r) => r.producedPerSecond, bytes).toFixed(2)}×, consume ${clientRatio((r) => r.consumedPerSecond, bytes).toFixed(2)}×.`),
    '',
    ...compactionSection(b.compaction),
    ...(b.transactions === undefined ? [] : [
      '## Transactions: transactional against idempotent-only produce (Samsa client and broker)',
      '',
      'The same records (100 B, keyed, 6 partitions) sent in chunks of 1,000 with 8 in flight; transactional producers wait for each commit (COMMIT markers written to every partition and fsynced) before the next transaction.',
      '',
      ...formatTransactions(b.transactions),
      '',
    ]),
    ...(b.commitCost === undefined ? [] : commitCostTable(b.commitCost)),
    ...(b.startup === undefined ? [] : [`## Start-up (before the other workloads, the machine otherwise idle)`, '', ...startupTable(b.startup), '']),
    '## Goals',
    '',
  ];
  const vsRedis = e2e('samsa', 100) / e2e('redis', 100);
  const vsJs = e2e('samsa', 100) / e2e('jetstream', 100);
  const coopGap = reb('Samsa, cooperative-sticky', (r) => r.longestGapStayingMs);
  const eagerGap = reb('Samsa, eager (range)', (r) => r.longestGapStayingMs);
  const coopSteady = reb('Samsa, cooperative-sticky', (r) => r.steadyGapMs);
  const coopDup = reb('Samsa, cooperative-sticky', (r) => r.redelivered);
  const eagerDup = reb('Samsa, eager (range)', (r) => r.redelivered);
  const clientGoals = [100, 1024].flatMap((bytes) => {
    const prodRatio = clientRatio((r) => r.producedPerSecond, bytes);
    const consRatio = clientRatio((r) => r.consumedPerSecond, bytes);
    if (Number.isNaN(prodRatio)) return [];
    return [`- Samsa client ≥ 1.5× the faster other client, ${bytes === 100 ? '100 B' : '1 KiB'}: produce ${prodRatio.toFixed(2)}× — ${verdict(prodRatio >= 1.5)}; consume ${consRatio.toFixed(2)}× — ${verdict(consRatio >= 1.5)}`];
  });
  const matchedGoals = [100, 1024].flatMap((bytes) => {
    const size = bytes === 100 ? '100 B' : '1 KiB';
    const m = matched(bytes);
    if (Number.isNaN(m)) return [];
    const vsPeers = Math.min(m / e2e('redis', bytes), m / e2e('jetstream', bytes));
    const price = m / e2e('samsa', bytes);
    return [
      `- durability matched (fsync every 1 s), ${size}: Samsa ≥ 3× Redis Streams and ≥ 3× JetStream end to end: ${vsPeers.toFixed(2)}× the faster — ${verdict(vsPeers >= 3)}`,
      `- fsync per acks=-1 produce within 1.5× of fsync every 1 s, ${size}: matched / default ${price.toFixed(2)}× — ${verdict(price <= 1.5)}`,
    ];
  });
  lines.push(
    ...matchedGoals,
    `- Samsa end-to-end records/s ≥ 2× Redis Streams (100 B): ${vsRedis.toFixed(2)}× — ${verdict(vsRedis >= 2)}`,
    `- Samsa end-to-end records/s ≥ 4× JetStream (100 B): ${vsJs.toFixed(2)}× — ${verdict(vsJs >= 4)}`,
    `- cooperative-sticky: longest gap on partitions that did not move ${fmtMs(coopGap)} (eager: ${fmtMs(eagerGap)}; steady state before any change: ${fmtMs(coopSteady)}) — ${verdict(coopGap <= Math.max(coopSteady * 1.5, coopSteady + 50))} (zero gap read as: no longer than the steady-state spacing of deliveries)`,
    `- commit-on-revoke, graceful scale-out: ${coopDup} duplicates (cooperative-sticky), ${eagerDup} (eager) — ${verdict(coopDup === 0 && eagerDup === 0)}`,
    ...clientGoals,
    ...failureGoals(b.rebalance),
    ...(b.commitCost === undefined ? [] : [`- continuous commits cost ≤ 5% of the end-to-end rate: ${commitCostRatio(b.commitCost).toFixed(3)} of commits every 5 s — ${verdict(commitCostRatio(b.commitCost) >= 0.95)}`]),
    ...startupGoals(b.startup),
    '',
  );
  return lines.join('\n');
}

/** Failure workload, Samsa rows: records processed twice ≤ one fetch batch per partition the killed consumer owned (medians of the runs). */
function failureGoals(rebalance: RebalanceResult[][]): string[] {
  return rebalance
    // Redis Streams and JetStream rows carry no fetch batch (NaN): the goal is about Samsa's consumers.
    .filter((runs) => runs[0]!.scenario === 'failure' && runs[0]!.killedBatchRecords !== undefined && !Number.isNaN(runs[0]!.killedBatchRecords.median))
    .map((runs) => {
      const twice = of(runs, (r) => r.redelivered);
      const batch = of(runs, (r) => r.killedBatchRecords!.median);
      return `- ${runs[0]!.label}, SIGKILLed consumer: records processed twice ${fmt(twice, 0)} ≤ one fetch batch per partition it owned ${fmt(batch, 0)} — ${verdict(twice.median <= batch.median)}`;
    });
}

function startupGoals(startup: StartupResult | undefined): string[] {
  if (startup === undefined) return [];
  const { listenMs, startBrokerMs } = startupMedians(startup);
  return [
    `- \`samsa start\` listen line ≤ 300 ms (median of ${startup.runs}; the slowest of in memory, a new data dir and 6 partitions on disk): ${Math.round(listenMs)} ms — ${verdict(listenMs <= 300)}`,
    `- in-process \`startBroker()\` ≤ 50 ms (median; the slower of in memory and a new data dir): ${Math.round(startBrokerMs)} ms — ${verdict(startBrokerMs <= 50)}`,
  ];
}

function fmtMs(x: number): string {
  return Number.isNaN(x) ? '–' : `${Math.round(x)} ms`;
}
