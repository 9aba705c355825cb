import { LatencyHistogram, nowMs } from '../common.js';
import type { SystemName } from '../ipc.js';
import { TestBed, type ProfileArgs } from './setup.js';

/**
 * Throughput: one producer process sends `records` keyed records as fast as its client goes while
 * a group of 3 consumer processes handles and acknowledges them ('concurrent'); or the producer
 * runs alone first and the group then drains the backlog ('sequential', the client comparison).
 */

export interface ThroughputResult {
  system: SystemName;
  mode: 'concurrent' | 'sequential';
  records: number;
  recordBytes: number;
  producedPerSecond: number;
  /** Concurrent: records / (producer start -> last record handled). Sequential: from the group owning every partition (or the first record handled, if sooner) to the last record handled. */
  consumedPerSecond: number;
  consumedMBPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU seconds per million records. */
  serverCpuPerM: number;
  /** Sequential only: server CPU while the producer ran alone. */
  serverProduceCpuPerM: number;
  producerCpuPerM: number;
  consumersCpuPerM: number;
  duplicates: number;
  /** With scrapeMetricsEveryMs: how many scrapes of /metrics completed during the run. */
  metricsScrapes?: number;
  /** Offset commits the consumers reported (the Samsa client; absent for the others). */
  commits?: number;
  /** Samsa broker runs: its flush policy (absent in older result files: acks-all). */
  flushPolicy?: FlushPolicy;
}

export interface ThroughputOptions {
  system: SystemName;
  records: number;
  recordBytes: number;
  mode: 'concurrent' | 'sequential';
  consumers?: number;
  acks?: 1 | -1;
  batchBytes?: number;
  profile?: ProfileArgs;
  /** Samsa only: run the broker with --http-port and scrape /metrics this often during the run. */
  scrapeMetricsEveryMs?: number;
  /** Samsa client: autoCommitIntervalMs (absent: continuous commits, its default). */
  commitIntervalMs?: number;
  /**
   * Samsa broker: 'acks-all' (default: an acks=-1 produce is answered after its fdatasync) or
   * 'interval' (`--flush-policy interval --flush-interval-ms 1000`: synced once a second, as Redis
   * `appendfsync everysec`; the durability-matched comparison with the peers).
   */
  flushPolicy?: FlushPolicy;
}

export type FlushPolicy = 'acks-all' | 'interval';

/** The `samsa start` flags of a flush policy. */
export function flushPolicyArgs(policy: FlushPolicy): string[] {
  return policy === 'interval' ? ['--flush-policy', 'interval', '--flush-interval-ms', '1000'] : [];
}

const DEFAULT_GROUP = { assignor: 'range', staticMember: false, failureTimeoutMs: 10_000 } as const;
const SEQUENTIAL_JOIN_DELAY_MS = 1000;

export async function runThroughput(o: ThroughputOptions): Promise<ThroughputResult> {
  const bed = await TestBed.open({
    system: o.system,
    recordBytes: o.recordBytes,
    records: o.records,
    ratePerSecond: 0,
    group: o.commitIntervalMs === undefined ? DEFAULT_GROUP : { ...DEFAULT_GROUP, commitIntervalMs: o.commitIntervalMs },
    reportTimestamps: false,
    ...(o.acks !== undefined ? { acks: o.acks } : {}),
    ...(o.batchBytes !== undefined ? { batchBytes: o.batchBytes } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.scrapeMetricsEveryMs !== undefined ? { metrics: true } : {}),
    // Sequential (the client comparison): the consumers start together once the backlog is
    // written; a group initial rebalance delay (Kafka's default is 3 s) lets all three join the
    // first generation, so no client drains part of the backlog alone and then stops for a second
    // rebalance, and the consume rate measures consuming, not how each client's joins interleave.
    samsaArgs: [...(o.flushPolicy !== undefined ? flushPolicyArgs(o.flushPolicy) : []), ...(o.mode === 'sequential' ? ['--group-initial-rebalance-delay-ms', String(SEQUENTIAL_JOIN_DELAY_MS)] : [])],
  });
  let scrapes = 0;
  const scraper = o.scrapeMetricsEveryMs === undefined || bed.server.httpUrl === undefined ? null : setInterval(() => {
    void fetch(`${bed.server.httpUrl}metrics`).then((r) => r.text()).then(() => void scrapes++, () => undefined);
  }, o.scrapeMetricsEveryMs);
  try {
    const names = Array.from({ length: o.consumers ?? 3 }, (_, i) => `c${i + 1}`);
    const consumers = names.map((n) => bed.spawn('consumer', n));
    const producer = bed.spawn('producer', 'p1');
    await bed.watch(Promise.all([...consumers, producer].map((c) => c.waitFor('ready'))));
    const timeoutMs = Math.max(60_000, (o.records / 10_000) * 1000);

    const startConsumers = async () => {
      for (const c of consumers) c.start();
      await bed.watch(bed.groupStable(names));
    };
    if (o.mode === 'concurrent') await startConsumers();
    const server0 = bed.server.cpuSeconds();
    const producer0 = producer.cpuSeconds();
    const consumers0 = consumers.map((c) => c.cpuSeconds());
    bed.resetOrigin();
    const startedMs = nowMs();
    const produced = producer.waitFor('produced', timeoutMs);
    producer.start();
    let serverProduceCpu = 0;
    let consumeStartMs = startedMs;
    if (o.mode === 'sequential') {
      await bed.watch(produced);
      serverProduceCpu = bed.server.cpuSeconds() - server0;
      await startConsumers();
      // From the moment every member has its partitions: a client that prefetches and decodes a
      // large part of the backlog before handing over its first record would look faster if the
      // clock started at its first delivery.
      consumeStartMs = nowMs();
    }
    const complete = await bed.watch(bed.log.waitForDistinct(o.records, timeoutMs));
    const failure = bed.failure();
    if (failure) throw failure;
    if (!complete) throw new Error(`${o.system}: only ${bed.log.distinct} of ${o.records} records handled within ${timeoutMs} ms`);
    const p = await produced;
    const serverCpu = bed.server.cpuSeconds() - server0;
    const producerCpu = producer.cpuSeconds() - producer0;
    const consumersCpu = consumers.reduce((a, c, i) => a + c.cpuSeconds() - consumers0[i]!, 0);
    const finals = consumers.map((c) => c.waitFor('final'));
    await Promise.all([...consumers, producer].map((c) => c.stop()));
    const latency = new LatencyHistogram();
    let commits: number | undefined;
    for (const f of await Promise.all(finals)) {
      latency.merge(new LatencyHistogram(f.latencyCounts));
      if (f.commits !== undefined) commits = (commits ?? 0) + f.commits;
    }

    // A member may get records before the last one reports its assignment: start no later than that.
    if (o.mode === 'sequential') consumeStartMs = Math.min(consumeStartMs, ...bed.log.firstDeliveryMs.values());
    const consumeSeconds = (bed.log.lastNewMs - consumeStartMs) / 1000;
    const perM = (s: number) => (s / o.records) * 1e6;
    return {
      system: o.system,
      mode: o.mode,
      records: o.records,
      recordBytes: o.recordBytes,
      producedPerSecond: p.records / ((p.endedMs - p.startedMs) / 1000),
      consumedPerSecond: o.records / consumeSeconds,
      consumedMBPerSecond: (o.records * o.recordBytes) / 1e6 / consumeSeconds,
      p50Ms: o.mode === 'concurrent' ? latency.quantileMs(0.5) : NaN,
      p99Ms: o.mode === 'concurrent' ? latency.quantileMs(0.99) : NaN,
      serverCpuPerM: perM(o.mode === 'sequential' ? serverCpu - serverProduceCpu : serverCpu),
      serverProduceCpuPerM: o.mode === 'sequential' ? perM(serverProduceCpu) : NaN,
      producerCpuPerM: perM(producerCpu),
      consumersCpuPerM: perM(consumersCpu),
      duplicates: bed.log.deliveries - bed.log.distinct,
      ...(scraper !== null ? { metricsScrapes: scrapes } : {}),
      ...(o.flushPolicy !== undefined ? { flushPolicy: o.flushPolicy } : {}),
      ...(commits !== undefined ? { commits } : {}),
    };
  } finally {
    if (scraper !== null) clearInterval(scraper);
    await bed.close();
  }
}
