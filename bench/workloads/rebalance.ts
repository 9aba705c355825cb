import { nowMs } from '../common.js';
import { SERIES_BUCKET_MS } from '../harness.js';
import type { SystemName } from '../ipc.js';
import { TestBed, sleep } from './setup.js';

/**
 * The rebalance workloads, at a steady producer rate:
 * - 'eager' / 'cooperative' / 'scale' (Redis, JetStream): the group grows 1 -> 2 -> 3 consumers,
 *   one step every `phaseMs`;
 * - 'static': 3 static members (KIP-345); one closes (no LeaveGroup) and a new process with the
 *   same groupInstanceId takes its place;
 * - 'failure': 3 consumers; one is SIGKILLed and the others take over its work after the failure
 *   timeout (session timeout, XAUTOCLAIM idle time, ack wait).
 */

export type RebalanceScenario = 'scale' | 'static' | 'failure';

export interface RebalanceOptions {
  system: SystemName;
  /** How the line is named in the table and the plot. */
  label: string;
  scenario: RebalanceScenario;
  assignor: 'range' | 'cooperative-sticky';
  /** 'consumer': Samsa client members join with KIP-848 (see GroupSettings.protocol). */
  protocol?: 'classic' | 'consumer';
  /** Samsa client: autoCommitIntervalMs (absent: continuous commits, its default). */
  commitIntervalMs?: number;
  ratePerSecond: number;
  phaseMs: number;
  failureTimeoutMs: number;
}

export interface RebalanceResult {
  label: string;
  system: SystemName;
  scenario: RebalanceScenario;
  ratePerSecond: number;
  /** Scale/static: longest time from a consumer's start to its first record. Failure: longest wait of a record produced from 1 s before the kill on. */
  takeoverMs: number;
  /** Longest time any partition went without a delivery after the first change. */
  longestGapMs: number;
  /** The same, over partitions whose consumer did not change across a step (NaN when every partition moved). */
  longestGapStayingMs: number;
  /** For comparison: the longest gap on any partition in steady state, before the first change. */
  steadyGapMs: number;
  /** Records handled more than once (extra deliveries). */
  redelivered: number;
  /**
   * Failure, clients that report fetch batches (the Samsa client): the records of one fetch batch
   * per partition the killed consumer owned (median batch per partition in the second before the kill, summed; and the largest).
   */
  killedBatchRecords?: { median: number; largest: number };
  /** Records produced and never handled (should be 0). */
  lost: number;
  /** Records handled per second, one value per 100 ms from the producer's start. */
  series: number[];
  /** When the group changed, ms from the producer's start. */
  eventsMs: number[];
}

export async function runRebalance(o: RebalanceOptions): Promise<RebalanceResult> {
  const totalMs = o.scenario === 'failure' ? 2 * o.phaseMs + o.failureTimeoutMs + o.phaseMs : 3 * o.phaseMs;
  const capacity = Math.ceil((o.ratePerSecond * (totalMs + 30_000)) / 1000);
  const bed = await TestBed.open({
    system: o.system,
    recordBytes: 100,
    records: capacity,
    ratePerSecond: o.ratePerSecond,
    group: { assignor: o.assignor, protocol: o.protocol ?? 'classic', staticMember: o.scenario === 'static', failureTimeoutMs: o.failureTimeoutMs, ...(o.commitIntervalMs !== undefined ? { commitIntervalMs: o.commitIntervalMs } : {}) },
    reportTimestamps: true,
  });
  try {
    const names = ['c1', 'c2', 'c3'];
    const consumers = names.map((n) => bed.spawn('consumer', n));
    const replacement = o.scenario === 'static' ? bed.spawn('consumer', 'c2') : null;
    const producer = bed.spawn('producer', 'p1');
    await bed.watch(Promise.all(bed.children.map((c) => c.waitFor('ready'))));

    const startAll = o.scenario !== 'scale';
    if (startAll) {
      for (const c of consumers) c.start();
      await bed.watch(bed.groupStable(names));
    }
    bed.resetOrigin();
    const originMs = bed.log.originMs;
    const produced = producer.waitFor('produced', totalMs + 60_000);
    producer.start();
    const events: number[] = [];
    const joins: Array<{ name: string; atMs: number; consumer: string }> = [];
    let killedOwned: number[] = [];
    const step = async (ms: number) => {
      await bed.watch(sleep(ms));
    };
    if (o.scenario === 'scale') {
      consumers[0]!.start();
      for (const i of [1, 2]) {
        await step(o.phaseMs);
        const atMs = nowMs();
        events.push(atMs - originMs);
        joins.push({ name: names[i]!, atMs, consumer: names[i]! });
        consumers[i]!.start();
      }
      await step(o.phaseMs);
    } else if (o.scenario === 'static') {
      await step(o.phaseMs);
      const atMs = nowMs();
      events.push(atMs - originMs);
      await consumers[1]!.stop();
      bed.log.firstDeliveryMs.delete('c2');
      replacement!.start();
      joins.push({ name: 'c2', atMs, consumer: 'c2' });
      await step(2 * o.phaseMs);
    } else {
      await step(o.phaseMs);
      const atMs = nowMs();
      events.push(atMs - originMs);
      killedOwned = bed.assigned.get('c2') ?? [];
      consumers[1]!.kill();
      joins.push({ name: 'c2', atMs, consumer: 'c2' });
      await step(o.failureTimeoutMs + 2 * o.phaseMs);
    }
    const endMs = nowMs();
    producer.finish();
    const p = await bed.watch(produced);
    const complete = await bed.watch(bed.log.waitForDistinct(p.records, 30_000));
    const log = bed.log;
    const firstChangeMs = joins[0]!.atMs;

    let takeoverMs: number;
    if (o.scenario === 'failure') {
      // The longest any record waited (handled - produced) among those produced from 1 s before
      // the kill on: the records stuck with the dead consumer (its partitions, its pending entries).
      takeoverMs = 0;
      const fromMs = firstChangeMs - 1000;
      for (let seq = 0; seq < p.records; seq++) {
        const producedMs = log.producedMs[seq]!;
        if (producedMs >= fromMs) takeoverMs = Math.max(takeoverMs, log.firstHandledMs[seq]! - producedMs);
      }
    } else {
      takeoverMs = Math.max(...joins.map((j) => (log.firstDeliveryMs.get(j.consumer) ?? NaN) - j.atMs));
    }
    // Partitions that kept their consumer across a step: one consumer from 1 s before to one phase after it.
    let stayingGap = NaN;
    for (const j of joins) {
      const from = j.atMs - 1000;
      const to = Math.min(j.atMs + o.phaseMs, endMs);
      const staying = new Set(Array.from({ length: 6 }, (_, p) => p).filter((p) => log.consumersOf(p, from, to).length === 1 && log.consumersOf(p, from, j.atMs).length === 1 && log.consumersOf(p, from, to)[0] === log.consumersOf(p, from, j.atMs)[0]));
      if (staying.size === 0) continue;
      const gap = log.longestGapMs(j.atMs, to, (p) => staying.has(p));
      stayingGap = Number.isNaN(stayingGap) ? gap : Math.max(stayingGap, gap);
    }
    return {
      label: o.label,
      system: o.system,
      scenario: o.scenario,
      ratePerSecond: o.ratePerSecond,
      takeoverMs,
      longestGapMs: log.longestGapMs(firstChangeMs, endMs),
      longestGapStayingMs: stayingGap,
      steadyGapMs: log.longestGapMs(originMs + 500, firstChangeMs),
      redelivered: log.deliveries - log.distinct,
      ...(o.scenario === 'failure' ? { killedBatchRecords: log.batchRecordsPerPartition('c2', killedOwned, firstChangeMs - 1000, firstChangeMs) } : {}),
      lost: complete ? 0 : p.records - log.distinct,
      series: log.series.map((n) => (n * 1000) / SERIES_BUCKET_MS),
      eventsMs: events,
    };
  } finally {
    await bed.close();
  }
}
