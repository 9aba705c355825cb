import { spawn, type ChildProcess } from 'node:child_process';
import { subscribeCoordinatorEvent, type CoordinatorEventName, type CoordinatorEventPayloads } from '../../src/broker/groups/index.js';
import { COORDINATOR_EVENTS } from '../../src/broker/groups/events.js';
import { SYSTEM_PYTHON } from '../helpers/index.js';

/** One JSON line a child process printed, with `t` (its Date.now()) and `type`. */
export type Line = { t: number; type: string } & Record<string, unknown>;

/**
 * A long-running child (a consumer in another process, so it can be SIGKILLed) that reports on
 * stdout one JSON object per line.
 */
export class LineProcess {
  readonly lines: Line[] = [];
  private err = '';
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly name: string, readonly child: ChildProcess) {
    let buffered = '';
    child.stdout!.on('data', (b: Buffer) => {
      buffered += b.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const text = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (text.startsWith('{')) this.lines.push(JSON.parse(text) as Line);
      }
      for (const w of [...this.waiters]) w();
    });
    child.stderr!.on('data', (b: Buffer) => (this.err += b.toString('utf8')));
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    child.on('exit', () => {
      for (const w of [...this.waiters]) w();
    });
  }

  stderr(): string {
    return this.err;
  }

  ofType(type: string): Line[] {
    return this.lines.filter((l) => l.type === type);
  }

  last(type: string): Line | undefined {
    return this.ofType(type).at(-1);
  }

  /** Resolves with the first line (after `fromIndex`) that matches, once it is printed. */
  waitForLine(match: (line: Line) => boolean, timeoutMs: number, what = 'a line', fromIndex = 0): Promise<Line> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.lines.slice(fromIndex).find(match);
        if (found !== undefined) {
          done();
          resolve(found);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          done();
          reject(new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}\nstderr: ${this.err.slice(-3000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what}\nstderr: ${this.err.slice(-3000)}\nlast lines: ${JSON.stringify(this.lines.slice(-5))}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Sends `text` + newline to its stdin (commands for the Python scripts). */
  send(text: string): void {
    this.child.stdin!.write(`${text}\n`);
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

/** Runs a Python script with Debian's Python (it sees confluent_kafka and kafka). */
export function spawnPython(name: string, script: string, args: readonly string[]): LineProcess {
  return new LineProcess(name, spawn(SYSTEM_PYTHON, ['-u', '-c', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }));
}

/** Runs an ES module given as source text with this Node; it resolves packages from the repository. */
export function spawnNode(name: string, source: string, args: readonly string[]): LineProcess {
  return new LineProcess(name, spawn(process.execPath, ['--input-type=module', '-e', source, ...args], { stdio: ['pipe', 'pipe', 'pipe'], cwd: process.cwd() }));
}

/** Coordinator events of one broker, collected in order while the test runs. */
export class CoordinatorEvents {
  readonly seen: Array<{ name: CoordinatorEventName; atMs: number; payload: CoordinatorEventPayloads[CoordinatorEventName] }> = [];
  private readonly stops: Array<() => void> = [];

  constructor(port: number) {
    for (const name of Object.values(COORDINATOR_EVENTS)) {
      this.stops.push(
        subscribeCoordinatorEvent(name, (payload) => {
          if (payload.port === port) this.seen.push({ name, atMs: Date.now(), payload });
        }),
      );
    }
  }

  of<N extends CoordinatorEventName>(name: N, groupId?: string): Array<CoordinatorEventPayloads[N] & { receivedAtMs: number }> {
    return this.seen
      .filter((e) => e.name === name && (groupId === undefined || (e.payload as { groupId?: string }).groupId === groupId))
      .map((e) => ({ ...(e.payload as CoordinatorEventPayloads[N]), receivedAtMs: e.atMs }));
  }

  stop(): void {
    for (const s of this.stops) s();
  }
}

/** A kafkajs consumer in its own process: prints `assigned` (per GROUP_JOIN) and `record` lines. */
export const KAFKAJS_CONSUMER = `
import { Kafka, logLevel } from 'kafkajs';
const cfg = JSON.parse(process.argv[1]);
const out = (o) => process.stdout.write(JSON.stringify({ t: Date.now(), ...o }) + '\\n');
const kafka = new Kafka({ clientId: cfg.clientId, brokers: [cfg.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
const consumer = kafka.consumer({
  groupId: cfg.groupId,
  sessionTimeout: cfg.sessionTimeoutMs,
  rebalanceTimeout: cfg.rebalanceTimeoutMs,
  heartbeatInterval: cfg.heartbeatIntervalMs,
  maxWaitTimeInMs: 100,
});
consumer.on(consumer.events.GROUP_JOIN, (e) =>
  out({ type: 'assigned', memberId: e.payload.memberId, leader: e.payload.isLeader, partitions: (e.payload.memberAssignment[cfg.topic] ?? []).slice().sort((a, b) => a - b) }));
await consumer.connect();
await consumer.subscribe({ topic: cfg.topic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ partition, message }) => out({ type: 'record', partition, offset: Number(message.offset), value: message.value.toString() }),
});
out({ type: 'running' });
process.on('SIGTERM', async () => { await consumer.disconnect(); process.exit(0); });
`;

/**
 * A librdkafka consumer (confluent-kafka-python) in its own process. argv: bootstrap, topic,
 * JSON config overrides. Prints `assign`, `revoke`, `record` and `error` lines. Reads commands
 * on stdin: `stall <seconds>` (stop polling, as a stuck handler would), `close` (close and exit).
 */
export const RDKAFKA_CONSUMER = `
import sys, json, time, select
from confluent_kafka import Consumer
bootstrap, topic, overrides = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
def out(**o):
    o['t'] = int(time.time() * 1000)
    print(json.dumps(o), flush=True)
def on_error(err):
    out(type='error', code=err.code(), name=err.name(), fatal=err.fatal(), text=err.str())
config = {'bootstrap.servers': bootstrap, 'auto.offset.reset': 'earliest', 'session.timeout.ms': 6000,
          'heartbeat.interval.ms': 300, 'fetch.wait.max.ms': 50, 'error_cb': on_error}
config.update(overrides)
c = Consumer(config)
c.subscribe([topic],
            on_assign=lambda consumer, ps: out(type='assign', partitions=sorted(p.partition for p in ps)),
            on_revoke=lambda consumer, ps: out(type='revoke', partitions=sorted(p.partition for p in ps)))
out(type='started')
while True:
    if select.select([sys.stdin], [], [], 0)[0]:
        command = sys.stdin.readline().split()
        if not command or command[0] == 'close':
            c.close()
            out(type='closed')
            break
        if command[0] == 'stall':
            out(type='stalling')
            time.sleep(float(command[1]))
            out(type='resumed')
    m = c.poll(0.05)
    if m is None:
        continue
    if m.error():
        out(type='error', code=m.error().code(), name=m.error().name(), fatal=m.error().fatal(), text=m.error().str())
        if m.error().fatal():
            break
        continue
    out(type='record', partition=m.partition(), offset=m.offset(), value=m.value().decode())
`;

/** The same, for a group of consumers in one process driven by a schedule (cooperative test). */
export const RDKAFKA_JOINING_CONSUMERS = `
import sys, json, time
from confluent_kafka import Consumer, Producer
bootstrap, topic, strategy, group = sys.argv[1:5]
def out(**o):
    o['t'] = int(time.time() * 1000)
    print(json.dumps(o), flush=True)
producer = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 5})
def make(name):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'partition.assignment.strategy': strategy,
                  'session.timeout.ms': 6000, 'heartbeat.interval.ms': 200, 'auto.offset.reset': 'earliest',
                  'fetch.wait.max.ms': 50, 'client.id': name})
    c.subscribe([topic],
                on_assign=lambda consumer, ps: out(type='assign', consumer=name, partitions=sorted(p.partition for p in ps)),
                on_revoke=lambda consumer, ps: out(type='revoke', consumer=name, partitions=sorted(p.partition for p in ps)))
    return c
consumers = {}
start = time.time()
schedule = [(0, 'c1'), (3, 'c2'), (6, 'c3')]
produced = 0
while time.time() - start < 10:
    now = time.time() - start
    for at, name in schedule:
        if now >= at and name not in consumers:
            out(type='started', consumer=name)
            consumers[name] = make(name)
    # About 60 records a second, spread over the six partitions.
    if produced < now * 60:
        producer.produce(topic, value=str(produced).encode(), partition=produced % 6)
        produced += 1
    producer.poll(0)
    for name, c in consumers.items():
        m = c.poll(0.005)
        if m is not None and not m.error():
            out(type='record', consumer=name, partition=m.partition(), offset=m.offset())
for name, c in consumers.items():
    out(type='final', consumer=name, partitions=sorted(p.partition for p in c.assignment()))
for c in consumers.values():
    c.close()
producer.flush()
out(type='done')
`;
