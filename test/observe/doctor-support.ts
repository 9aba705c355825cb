import { Kafka, logLevel, type Consumer, type ConsumerConfig, type EachMessagePayload, type Producer } from 'kafkajs';
import { createAdmin, type Admin } from '../../src/client/admin/index.js';
import { diagnose, type DoctorReport, type DoctorThresholds, type Finding, type FindingKind } from '../../src/observe/doctor/index.js';
import { watchGroup } from '../../src/observe/doctor/sampler.js';
import { waitFor, type TestBroker } from '../helpers/index.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/** A short window sampled often, so each test watches for seconds, not a minute. */
export const WINDOW_MS = 3000;
export const INTERVAL_MS = 200;

/** Runs the doctor over a group of `broker`, with its exact rebalance history. */
export async function runDoctor(broker: TestBroker, admin: Admin, groupId: string, o: { windowMs?: number; historyMs?: number; thresholds?: Partial<DoctorThresholds> } = {}): Promise<DoctorReport> {
  const input = await watchGroup({
    admin, groupId, windowMs: o.windowMs ?? WINDOW_MS, intervalMs: INTERVAL_MS,
    exactTimeline: async () => broker.context.timeline.history(groupId),
    ...(o.historyMs === undefined ? {} : { historyMs: o.historyMs }),
  });
  return diagnose(input, o.thresholds);
}

export function findingOf(report: DoctorReport, kind: FindingKind): Finding {
  const f = report.findings.find((x) => x.kind === kind);
  if (f === undefined) throw new Error(`no ${kind} finding; got ${JSON.stringify(report.findings.map((x) => [x.kind, x.title]))}\nsummary ${JSON.stringify(report.summary)}`);
  return f;
}

export function kafkaFor(broker: TestBroker, clientId = 'doctor-test'): Kafka {
  return new Kafka({ clientId, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
}

export function samsaAdmin(broker: TestBroker): Admin {
  return createAdmin({ bootstrapServers: broker.bootstrap, clientId: 'doctor' });
}

/**
 * A producer sending `perTick` records every `tickMs` (so a steady rate while the doctor
 * watches), to the partition `partitionOf(i)` with key `keyOf(i)`. `sent` counts what was acked.
 */
export class SteadyProducer {
  sent = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<unknown> = Promise.resolve();
  private producer: Producer;

  constructor(kafka: Kafka, private readonly topic: string, private readonly o: { perTick: number; tickMs: number; partitionOf: (i: number) => number; keyOf?: (i: number) => string }) {
    this.producer = kafka.producer();
  }

  async start(): Promise<this> {
    await this.producer.connect();
    let i = 0;
    this.timer = setInterval(() => {
      const messages = Array.from({ length: this.o.perTick }, () => {
        const n = i++;
        return { partition: this.o.partitionOf(n), key: this.o.keyOf?.(n) ?? `k${n}`, value: `v${n}` };
      });
      this.inFlight = this.inFlight.then(() => this.producer.send({ topic: this.topic, acks: 1, messages })).then(() => (this.sent += messages.length), () => {});
    }, this.o.tickMs);
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    await this.inFlight;
    await this.producer.disconnect();
  }
}

export interface RunningConsumer {
  readonly consumer: Consumer;
  /** The member id and assignment of its last join. */
  memberId: string | null;
  partitions: number[];
  processed: number;
  stop(): Promise<void>;
}

/** A kafkajs consumer of `topic` from the beginning, running `handler` per record (default: nothing). */
export async function startKafkajsConsumer(kafka: Kafka, groupId: string, topic: string, o: Partial<ConsumerConfig> & {
  handler?: (p: EachMessagePayload) => Promise<void>;
  autoCommitInterval?: number;
} = {}): Promise<RunningConsumer> {
  const { handler, autoCommitInterval, ...config } = o;
  const consumer = kafka.consumer({ groupId, heartbeatInterval: 300, sessionTimeout: 10_000, ...config });
  const state: RunningConsumer = {
    consumer, memberId: null, partitions: [], processed: 0,
    stop: async () => {
      await consumer.disconnect().catch(() => {});
    },
  };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    state.memberId = e.payload.memberId;
    state.partitions = (e.payload.memberAssignment[topic] ?? []).slice().sort((a, b) => a - b);
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    ...(autoCommitInterval === undefined ? {} : { autoCommitInterval }),
    eachMessage: async (p) => {
      if (handler !== undefined) await handler(p);
      state.processed++;
    },
  });
  return state;
}

/** Waits until the group has committed up to the log end on every partition of `topic`. */
export async function waitCaughtUp(admin: Admin, groupId: string, what: string): Promise<void> {
  await waitFor(async () => {
    const lags = await admin.lag(groupId);
    return lags.length > 0 && lags.every((p) => p.lag === 0);
  }, 20_000, what, 100);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
