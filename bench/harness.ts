import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AckPolicy, DeliverPolicy, StorageType, connect, nanos } from 'nats';
import { Redis } from 'ioredis';
import { createAdmin } from '../src/client/index.js';
import { PARTITIONS } from './common.js';
import type { ChildConfig, ChildMessage, GroupSettings, SystemName } from './ipc.js';
import { processCpuSeconds, running, type Server } from './servers.js';
import { streamNames } from './systems/redis.js';

/** Forks benchmark processes, creates topics/streams, and collects what the consumers report. */

const CHILD_MAIN = fileURLToPath(new URL('./child.js', import.meta.url));

export class ChildHandle {
  readonly proc: ChildProcess;
  readonly exited: Promise<void>;
  private readonly waiters: Array<{ ev: ChildMessage['ev']; resolve: (m: ChildMessage) => void }> = [];
  private failure: Error | null = null;
  cpuAtStop = NaN;
  /** Set once the main process asked it to stop or killed it (an exit is then expected). */
  stopping = false;

  constructor(readonly cfg: ChildConfig, nodeArgs: string[], private readonly onMessage: (h: ChildHandle, m: ChildMessage) => void) {
    this.proc = fork(CHILD_MAIN, [JSON.stringify(cfg)], { serialization: 'advanced', execArgv: nodeArgs.map((a) => a.replace('%name%', `${cfg.role}-${cfg.consumerName}`)), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    running.add(this.proc);
    // A send to a process that just died fails with EPIPE; its exit is handled below.
    this.proc.on('error', () => {});
    this.exited = new Promise((resolve) => this.proc.once('exit', () => {
      running.delete(this.proc);
      resolve();
    }));
    this.proc.on('message', (m: ChildMessage) => {
      if (m.ev === 'error') this.failure = new Error(`${cfg.system} ${cfg.role} ${cfg.consumerName}: ${m.message}`);
      this.onMessage(this, m);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        if (this.waiters[i]!.ev === m.ev) this.waiters.splice(i, 1)[0]!.resolve(m);
      }
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get error(): Error | null {
    return this.failure;
  }

  cpuSeconds(): number {
    return processCpuSeconds(this.pid);
  }

  waitFor<E extends ChildMessage['ev']>(ev: E, timeoutMs = 30_000): Promise<Extract<ChildMessage, { ev: E }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.cfg.system} ${this.cfg.consumerName}: no '${ev}' within ${timeoutMs} ms${this.failure ? `: ${this.failure.message}` : ''}`)), timeoutMs);
      const done = (m: ChildMessage) => {
        clearTimeout(timer);
        resolve(m as Extract<ChildMessage, { ev: E }>);
      };
      this.waiters.push({ ev, resolve: done });
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${this.cfg.system} ${this.cfg.consumerName} exited before '${ev}'${this.failure ? `: ${this.failure.message}` : ''}`));
      });
    });
  }

  start(): void {
    this.send({ cmd: 'start' });
  }

  send(m: { cmd: 'start' | 'stop' }): void {
    if (this.proc.connected) this.proc.send(m, (err) => void err);
  }

  /**
   * Asks a producer to stop producing: it reports what it produced, then closes and exits on its
   * own, which is expected from here on.
   */
  finish(): void {
    this.stopping = true;
    this.send({ cmd: 'stop' });
  }

  /** Reads the CPU time, asks the process to finish, and waits for it (killing it after `timeoutMs`). */
  async stop(timeoutMs = 15_000): Promise<void> {
    this.stopping = true;
    this.cpuAtStop = this.cpuSeconds();
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.send({ cmd: 'stop' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): void {
    this.stopping = true;
    this.cpuAtStop = this.cpuSeconds();
    this.proc.kill('SIGKILL');
  }
}

/** Creates the topic (Kafka clients), the six streams and their group (Redis) or the stream and durable consumer (JetStream). */
export async function prepareTarget(system: SystemName, server: Server, target: string, groupId: string, group: GroupSettings): Promise<void> {
  if (system === 'redis') {
    const redis = new Redis({ host: server.host, port: server.port });
    for (const s of streamNames(target)) await redis.xgroup('CREATE', s, groupId, '0', 'MKSTREAM');
    await redis.quit();
  } else if (system === 'jetstream') {
    const nc = await connect({ servers: `${server.host}:${server.port}` });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: target, subjects: ['bench.*'], storage: StorageType.File, num_replicas: 1 });
    await jsm.consumers.add(target, {
      durable_name: groupId,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(group.failureTimeoutMs),
      max_ack_pending: 10_000,
    });
    await nc.drain();
  } else {
    const admin = createAdmin({ bootstrapServers: `${server.host}:${server.port}` });
    await admin.createTopics({ topics: [{ name: target, numPartitions: PARTITIONS, replicationFactor: 1 }] });
    await admin.close();
  }
}

export const SERIES_BUCKET_MS = 100;
const SLOT_MS = 5;

/**
 * What the consumers of one run reported: which records were handled how often, when, by whom,
 * and on which partition.
 */
export class DeliveryLog {
  /** Times each record was handled (saturating at 255). */
  readonly handled: Uint8Array;
  /** When each record was first handled (NaN: not yet). */
  readonly firstHandledMs: Float64Array;
  /** Producer timestamp of each record, when the consumers report them. */
  readonly producedMs: Float64Array;
  distinct = 0;
  deliveries = 0;
  /** Records handled per SERIES_BUCKET_MS since `originMs`, all consumers together. */
  readonly series: number[] = [];
  /** Per consumer, per partition: the 5 ms slots in which it handled records of that partition. */
  readonly slots = new Map<string, Array<Set<number>>>();
  /** Per consumer, per partition: [atMs, records] of the fetch batches it reported (clients that report them). */
  readonly batches = new Map<string, Array<Array<[number, number]>>>();
  /** Per consumer: when it first handled a record. */
  readonly firstDeliveryMs = new Map<string, number>();
  /** When the last new (never handled before) record was handled. */
  lastNewMs = NaN;
  private completeWaiters: Array<() => void> = [];
  target = Infinity;

  constructor(capacity: number, readonly originMs: number) {
    this.handled = new Uint8Array(capacity);
    this.firstHandledMs = new Float64Array(capacity).fill(NaN);
    this.producedMs = new Float64Array(capacity).fill(NaN);
  }

  add(consumer: string, m: Extract<ChildMessage, { ev: 'delivered' }>): void {
    const { seqs, partitions, atMs, timestamps } = m;
    if (!this.firstDeliveryMs.has(consumer)) this.firstDeliveryMs.set(consumer, atMs);
    let slots = this.slots.get(consumer);
    if (slots === undefined) {
      slots = Array.from({ length: PARTITIONS }, () => new Set<number>());
      this.slots.set(consumer, slots);
    }
    if (m.batchRecords !== undefined) {
      let perPartition = this.batches.get(consumer);
      if (perPartition === undefined) this.batches.set(consumer, (perPartition = Array.from({ length: PARTITIONS }, () => [])));
      m.batchRecords.forEach((n, p) => {
        if (n > 0) perPartition![p]?.push([atMs, n]);
      });
    }
    const bucket = Math.floor((atMs - this.originMs) / SERIES_BUCKET_MS);
    while (this.series.length <= bucket) this.series.push(0);
    if (bucket >= 0) this.series[bucket]! += seqs.length;
    const slot = Math.floor(atMs / SLOT_MS);
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i]!;
      if (seq >= this.handled.length) continue;
      const p = partitions[i]!;
      if (this.handled[seq] === 0) {
        this.distinct++;
        this.firstHandledMs[seq] = atMs;
        this.lastNewMs = atMs;
        if (timestamps !== null) this.producedMs[seq] = timestamps[i]!;
      }
      if (this.handled[seq]! < 255) this.handled[seq]!++;
      slots[p]!.add(slot);
    }
    this.deliveries += seqs.length;
    if (this.distinct >= this.target) {
      for (const w of this.completeWaiters) w();
      this.completeWaiters = [];
    }
  }

  /** Resolves once `records` distinct records have been handled. */
  waitForDistinct(records: number, timeoutMs: number): Promise<boolean> {
    this.target = records;
    if (this.distinct >= records) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.completeWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * The records of one fetch batch per partition `consumer` owned: for each of `partitions`, the
   * median size of the batches it handled between `fromMs` and `toMs`, summed (NaN when the client
   * does not report batches).
   */
  batchRecordsPerPartition(consumer: string, partitions: readonly number[], fromMs: number, toMs: number): { median: number; largest: number } {
    const perPartition = this.batches.get(consumer);
    if (perPartition === undefined) return { median: NaN, largest: NaN };
    let median = 0;
    let largest = 0;
    for (const p of partitions) {
      const sizes = (perPartition[p] ?? []).filter(([at]) => at >= fromMs && at <= toMs).map(([, n]) => n).sort((a, b) => a - b);
      if (sizes.length === 0) continue;
      median += sizes[Math.floor(sizes.length / 2)]!;
      largest += sizes.at(-1)!;
    }
    return { median, largest };
  }

  /** Consumers that handled records of partition `p` between `fromMs` and `toMs`. */
  consumersOf(p: number, fromMs: number, toMs: number): string[] {
    const from = Math.floor(fromMs / SLOT_MS);
    const to = Math.floor(toMs / SLOT_MS);
    const out: string[] = [];
    for (const [consumer, slots] of this.slots) {
      for (const s of slots[p]!) {
        if (s >= from && s <= to) {
          out.push(consumer);
          break;
        }
      }
    }
    return out;
  }

  /**
   * The longest time one of the partitions `which` selects went without a delivery (by any
   * consumer) between `fromMs` and `toMs`, at 5 ms resolution.
   */
  longestGapMs(fromMs: number, toMs: number, which: (p: number) => boolean = () => true): number {
    const from = Math.floor(fromMs / SLOT_MS);
    const to = Math.floor(toMs / SLOT_MS);
    let longest = 0;
    for (let p = 0; p < PARTITIONS; p++) {
      if (!which(p)) continue;
      const union = new Set<number>();
      for (const slots of this.slots.values()) for (const s of slots[p]!) union.add(s);
      let prev = NaN;
      for (const s of [...union].sort((a, b) => a - b)) {
        if (s > to) break;
        if (s >= from && !Number.isNaN(prev)) longest = Math.max(longest, (s - Math.max(prev, from)) * SLOT_MS);
        prev = s;
      }
    }
    return longest;
  }
}
