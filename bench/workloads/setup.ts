import { nowMs } from '../common.js';
import { ChildHandle, DeliveryLog, prepareTarget } from '../harness.js';
import { groupHeartbeatIntervalMs, type ChildConfig, type ChildMessage, type GroupSettings, type SystemName } from '../ipc.js';
import { startNats, startRedis, startSamsa, type Server } from '../servers.js';

/** One system under test for one run: its server, its producer and consumer processes, and what they reported. */

export type ServerKind = 'samsa' | 'redis' | 'jetstream';

export function serverKind(system: SystemName): ServerKind {
  return system === 'redis' ? 'redis' : system === 'jetstream' ? 'jetstream' : 'samsa';
}

export interface ProfileArgs {
  /** Node flags for the Samsa broker process. */
  server: string[];
  /** Node flags for producer and consumer processes. */
  client: string[];
}

export interface BedOptions {
  system: SystemName;
  recordBytes: number;
  /** Most records the producer sends (and size of the delivery log). */
  records: number;
  ratePerSecond: number;
  group: GroupSettings;
  reportTimestamps: boolean;
  acks?: 1 | -1;
  batchBytes?: number;
  profile?: ProfileArgs;
  /** Samsa only: serve /metrics (the caller scrapes it). */
  metrics?: boolean;
  /** Samsa only: more `samsa start` flags (e.g. the flush policy). */
  samsaArgs?: string[];
}

/**
 * The Samsa producer's batchSize in the benchmark. Its default (16 KiB, Java's) is made for many
 * producers sharing a broker; kafkajs and @platformatic/kafka put each send() call (1,000 records
 * here) in one request whatever its size, so Samsa gets room for the same.
 */
export const SAMSA_BATCH_BYTES = 256 * 1024;

export class TestBed {
  readonly children: ChildHandle[] = [];
  readonly assigned = new Map<string, number[]>();
  log: DeliveryLog;
  private constructor(readonly opts: BedOptions, readonly server: Server, readonly target: string, readonly groupId: string) {
    this.log = new DeliveryLog(opts.records, nowMs());
    this.failed.catch(() => {});
  }

  /** `p`, or the first process failure, whichever comes first. */
  watch<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.failed]);
  }

  static async open(opts: BedOptions): Promise<TestBed> {
    const kind = serverKind(opts.system);
    const consumerProtocol = opts.group.protocol === 'consumer'
      ? { groupConsumer: { sessionTimeoutMs: opts.group.failureTimeoutMs, heartbeatIntervalMs: groupHeartbeatIntervalMs(opts.group.failureTimeoutMs) } }
      : {};
    const server = kind === 'redis' ? await startRedis() : kind === 'jetstream' ? await startNats() : await startSamsa({ nodeArgs: opts.profile?.server ?? [], ...consumerProtocol, ...(opts.metrics ? { metrics: true } : {}), ...(opts.samsaArgs ? { startArgs: opts.samsaArgs } : {}) });
    const target = kind === 'jetstream' ? 'BENCH' : 'bench';
    const groupId = 'workers';
    try {
      await prepareTarget(opts.system, server, target, groupId, opts.group);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return new TestBed(opts, server, target, groupId);
  }

  /** Starts the clock of the delivery log's time series now. */
  resetOrigin(): void {
    this.log = new DeliveryLog(this.opts.records, nowMs());
  }

  spawn(role: 'producer' | 'consumer', name: string): ChildHandle {
    const o = this.opts;
    const cfg: ChildConfig = {
      system: o.system,
      role,
      host: this.server.host,
      port: this.server.port,
      target: this.target,
      groupId: this.groupId,
      consumerName: name,
      records: o.records,
      recordBytes: o.recordBytes,
      ratePerSecond: o.ratePerSecond,
      reportTimestamps: o.reportTimestamps,
      acks: o.acks ?? -1,
      batchBytes: o.batchBytes ?? SAMSA_BATCH_BYTES,
      group: o.group,
    };
    const h = new ChildHandle(cfg, o.profile?.client ?? [], (child, m) => this.onMessage(child, m));
    this.children.push(h);
    void h.exited.then(() => {
      if (!h.stopping) this.reportFailure(h.error ?? new Error(`${o.system} ${role} ${name} exited unexpectedly (code ${h.proc.exitCode}, signal ${h.proc.signalCode})`));
    });
    return h;
  }

  // Declared before `failed`, whose initializer sets it: a field declared after would be
  // redefined as undefined once that initializer ran (class fields are defined in order).
  private reportFailure: (err: Error) => void = () => {};
  /** Rejects when a process fails or exits before it was told to stop. */
  readonly failed: Promise<never> = new Promise<never>((_, reject) => {
    this.reportFailure = reject;
  });

  private onMessage(child: ChildHandle, m: ChildMessage): void {
    if (m.ev === 'delivered') this.log.add(child.cfg.consumerName, m);
    else if (m.ev === 'assigned') this.assigned.set(child.cfg.consumerName, m.partitions);
    else if (m.ev === 'error') this.reportFailure(child.error!);
  }

  /**
   * Kafka clients: resolves once the named consumers own every partition between them, each at
   * least one (the group is stable). The other systems have nothing to wait for.
   */
  async groupStable(names: string[], timeoutMs = 30_000): Promise<void> {
    if (serverKind(this.opts.system) !== 'samsa') return;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const owned = names.map((n) => this.assigned.get(n) ?? []);
      const all = new Set(owned.flat());
      if (owned.every((o) => o.length > 0) && all.size === 6 && owned.reduce((a, o) => a + o.length, 0) === 6) return;
      const failed = this.children.find((c) => c.error !== null);
      if (failed) throw failed.error!;
      if (Date.now() > deadline) throw new Error(`${this.opts.system}: group not stable after ${timeoutMs} ms: ${JSON.stringify(Object.fromEntries(this.assigned))}`);
      await sleep(20);
    }
  }

  /** Stops every process still running and then the server. */
  async close(): Promise<void> {
    await Promise.all(this.children.map((c) => c.stop().catch(() => {})));
    await this.server.stop();
  }

  /** First error any process reported. */
  failure(): Error | null {
    return this.children.find((c) => c.error !== null)?.error ?? null;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
