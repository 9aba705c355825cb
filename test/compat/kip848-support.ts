import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { TestBroker } from '../helpers/index.js';
import { spawnNode, type Line, type LineProcess } from './group-support.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/**
 * Broker settings for KIP-848 tests: Kafka's bounds allow short sessions and heartbeats, which
 * keep reassignment after a crash at seconds instead of 45 s.
 */
export const KIP848_BROKER = {
  groupConsumerSessionTimeoutMs: 6000,
  groupConsumerMinSessionTimeoutMs: 1000,
  groupConsumerHeartbeatIntervalMs: 500,
  groupConsumerMinHeartbeatIntervalMs: 100,
} as const;

/**
 * A librdkafka 2.15 consumer (@confluentinc/kafka-javascript, built by scripts/test-setup.sh) with
 * `group.protocol=consumer`, in its own process. argv: JSON config. Prints `ready`, `assign` and
 * `revoke` (incremental: the partitions added or removed, as `topic-partition`), `record` and
 * `error` lines; `close` on stdin closes it cleanly (a static member then leaves with epoch -2).
 * Offsets are committed automatically every 100 ms, and on revocation.
 */
export const RDKAFKA_KIP848_CONSUMER = `
import { createRequire } from 'node:module';
import { join } from 'node:path';
const require = createRequire(join(process.cwd(), 'test/compat/librdkafka/package.json'));
const Kafka = require('@confluentinc/kafka-javascript');
const cfg = JSON.parse(process.argv[1]);
const out = (o) => process.stdout.write(JSON.stringify({ t: Date.now(), ...o }) + '\\n');
const E = Kafka.CODES.ERRORS;
const consumer = new Kafka.KafkaConsumer({
  'bootstrap.servers': cfg.bootstrap,
  'group.id': cfg.groupId,
  'group.protocol': cfg.protocol ?? 'consumer',
  ...(cfg.protocol === 'classic' ? { 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 300 } : {}),
  'client.id': cfg.name,
  'enable.auto.commit': true,
  'auto.commit.interval.ms': 100,
  'fetch.wait.max.ms': 50,
  ...(cfg.instanceId ? { 'group.instance.id': cfg.instanceId } : {}),
  'rebalance_cb': (err, assignment) => {
    const partitions = assignment.map((a) => a.topic + '-' + a.partition).sort();
    const incremental = consumer.rebalanceProtocol() === 'COOPERATIVE';
    // Stamped before assigning: librdkafka's own thread may acknowledge the assignment to the
    // coordinator before this callback gets to print, and the timeline test compares the two times.
    const t = Date.now();
    if (err.code === E.ERR__ASSIGN_PARTITIONS) { if (incremental) consumer.incrementalAssign(assignment); else consumer.assign(assignment); out({ t, type: 'assign', partitions }); }
    else if (err.code === E.ERR__REVOKE_PARTITIONS) { if (incremental) consumer.incrementalUnassign(assignment); else consumer.unassign(); out({ type: 'revoke', partitions }); }
    else out({ type: 'error', code: err.code, message: err.message });
  },
}, { 'auto.offset.reset': 'earliest' });
// Batches rather than flowing mode: a classic member's disconnect can hang while records stream in.
let running = true;
let polling = null;
const poll = () => {
  if (!running) return;
  polling = new Promise((resolve) => consumer.consume(1, (err, messages) => {
    for (const m of messages ?? []) out({ type: 'record', topic: m.topic, partition: m.partition, offset: m.offset });
    resolve();
    setImmediate(poll);
  }));
};
consumer.setDefaultConsumeTimeout(20);
consumer.on('ready', () => { out({ type: 'ready' }); consumer.subscribe(cfg.topics); poll(); });
consumer.on('event.error', (err) => out({ type: 'error', code: err.code, message: err.message }));
consumer.connect();
process.stdin.on('data', (b) => {
  if (b.toString().trim() !== 'close') return;
  running = false;
  Promise.resolve(polling).then(() => consumer.disconnect(() => { out({ type: 'closed' }); process.exit(0); }));
});
`;

export function spawnRdkafkaMember(broker: Pick<TestBroker, 'bootstrap'>, name: string, groupId: string, topics: string[], instanceId?: string, protocol: 'consumer' | 'classic' = 'consumer'): LineProcess {
  return spawnNode(name, RDKAFKA_KIP848_CONSUMER, [JSON.stringify({ bootstrap: broker.bootstrap, groupId, name, topics, instanceId, protocol })]);
}

/** What a member owns now, from its incremental `assign` and `revoke` lines. */
export function owned(p: LineProcess, untilIndex = p.lines.length): Set<string> {
  const set = new Set<string>();
  for (const l of p.lines.slice(0, untilIndex)) {
    if (l.type === 'assign') for (const tp of l['partitions'] as string[]) set.add(tp);
    if (l.type === 'revoke') for (const tp of l['partitions'] as string[]) set.delete(tp);
  }
  return set;
}

export function records(p: LineProcess, tp?: string): Line[] {
  return p.ofType('record').filter((l) => tp === undefined || `${l['topic']}-${l['partition']}` === tp);
}

/** The largest pause between consecutive records of one partition within [fromMs, toMs]. */
export function largestGapMs(lines: readonly Line[], fromMs: number, toMs: number): number {
  const times = lines.map((l) => l.t).filter((t) => t >= fromMs && t <= toMs);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
  if (times.length > 0) gap = Math.max(gap, times[0]! - fromMs, toMs - times.at(-1)!);
  return times.length === 0 ? toMs - fromMs : gap;
}

/** Produces to every partition of a topic, round robin, about `perSecond` records a second. */
export class LoadProducer {
  private producer: Producer;
  private running = false;
  private loop: Promise<void> | null = null;
  sent = 0;

  constructor(broker: Pick<TestBroker, 'bootstrap'>, private readonly topic: string, private readonly partitions: number, private readonly perSecond = 300) {
    this.producer = new Kafka({ clientId: 'kip848-load', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
  }

  async start(): Promise<void> {
    await this.producer.connect();
    this.running = true;
    this.loop = (async () => {
      const startedAt = Date.now();
      while (this.running) {
        const due = Math.floor(((Date.now() - startedAt) / 1000) * this.perSecond) - this.sent;
        const messages = [];
        for (let i = 0; i < Math.max(0, Math.min(due, 200)); i++) messages.push({ partition: (this.sent + i) % this.partitions, value: String(this.sent + i) });
        if (messages.length > 0) {
          await this.producer.send({ topic: this.topic, acks: 1, messages });
          this.sent += messages.length;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.producer.disconnect();
  }
}

/**
 * An @platformatic/kafka consumer with `groupProtocol: 'consumer'` in its own process. argv: JSON
 * config. It has no rebalance callback, so `assign`/`revoke` lines are its `assignments` as it
 * changes (sampled every 20 ms, in the same incremental form as the librdkafka member).
 * metadataMaxAge is short because @platformatic/kafka 1.35 fetches from an assigned partition
 * through its cached metadata and throws when the partition is newer than the cache (partitions
 * added to the topic): with its 5 s default it would crash on any broker, Kafka's included.
 */
export const PLATFORMATIC_KIP848_CONSUMER = `
import { Consumer, MessagesStreamModes, stringDeserializers } from '@platformatic/kafka';
const cfg = JSON.parse(process.argv[1]);
const out = (o) => process.stdout.write(JSON.stringify({ t: Date.now(), ...o }) + '\\n');
const consumer = new Consumer({
  clientId: cfg.name, groupId: cfg.groupId, bootstrapBrokers: [cfg.bootstrap], groupProtocol: 'consumer',
  rebalanceTimeout: 60000, metadataMaxAge: 100, deserializers: stringDeserializers,
});
let current = new Set();
setInterval(() => {
  const now = new Set((consumer.assignments ?? []).flatMap((a) => a.partitions.map((p) => a.topic + '-' + p)));
  const added = [...now].filter((x) => !current.has(x)).sort();
  const removed = [...current].filter((x) => !now.has(x)).sort();
  if (removed.length > 0) out({ type: 'revoke', partitions: removed });
  if (added.length > 0) out({ type: 'assign', partitions: added });
  current = now;
}, 20);
const stream = await consumer.consume({ topics: cfg.topics, mode: MessagesStreamModes.COMMITTED, fallbackMode: 'earliest', autocommit: 100, maxWaitTime: 50 });
out({ type: 'ready' });
stream.on('data', (m) => out({ type: 'record', topic: m.topic, partition: m.partition, offset: Number(m.offset) }));
stream.on('error', (e) => out({ type: 'error', message: String(e) }));
consumer.on('error', (e) => out({ type: 'error', message: String(e) }));
process.stdin.on('data', async (b) => {
  if (b.toString().trim() === 'close') { await stream.close(); await consumer.close(); out({ type: 'closed' }); process.exit(0); }
});
`;

export function spawnPlatformaticMember(broker: Pick<TestBroker, 'bootstrap'>, name: string, groupId: string, topics: string[]): LineProcess {
  return spawnNode(name, PLATFORMATIC_KIP848_CONSUMER, [JSON.stringify({ bootstrap: broker.bootstrap, groupId, name, topics })]);
}

interface RdkafkaAdmin {
  describeGroups(groups: string[], options: object, cb: (err: unknown, result: { groups: RdkafkaDescribedGroup[] }) => void): void;
  listGroups(options: object, cb: (err: unknown, result: { groups: { groupId: string; type: number; state: number }[] }) => void): void;
  disconnect(): void;
}

export interface RdkafkaDescribedGroup {
  groupId: string;
  type: number;
  state: number;
  partitionAssignor: string;
  protocolType: string;
  members: { memberId: string; clientId: string; assignment: { topicPartitions: { topic: string; partition: number }[] }; targetAssignment: { topicPartitions: { topic: string; partition: number }[] } }[];
}

/** librdkafka 2.15's admin client (kafka-javascript), in this process. */
export function rdkafkaAdmin(broker: Pick<TestBroker, 'bootstrap'>): RdkafkaAdmin {
  const require = createRequire(join(process.cwd(), 'test/compat/librdkafka/package.json'));
  const lib = require('@confluentinc/kafka-javascript') as { AdminClient: { create(config: object): RdkafkaAdmin } };
  return lib.AdminClient.create({ 'bootstrap.servers': broker.bootstrap });
}
