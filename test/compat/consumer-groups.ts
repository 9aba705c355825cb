import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Consumer } from '../../src/client/consumer/index.js';
import { Producer } from '../../src/client/producer/index.js';
import { SYSTEM_PYTHON } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait-for.js';
import type { GroupBroker } from '../integration/consumer-broker.js';

/**
 * Group members of two kinds behind one small interface, so a test can mix Samsa consumers with
 * confluent-kafka-python (librdkafka 2.0.2) consumers and check who owns what.
 */
export interface GroupMemberUnderTest {
  readonly name: string;
  /** The partitions this member owns now. */
  owned(): number[];
  /** Records this member processed (partition:offset). */
  processed(): string[];
  close(): Promise<void>;
}

export interface MemberConfig {
  bootstrap: string;
  groupId: string;
  topic: string;
  strategy: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
}

export async function samsaMember(name: string, c: MemberConfig): Promise<GroupMemberUnderTest> {
  const seen: string[] = [];
  const consumer = new Consumer({
    bootstrapServers: c.bootstrap,
    clientId: name,
    groupId: c.groupId,
    partitionAssignmentStrategy: [c.strategy],
    sessionTimeoutMs: c.sessionTimeoutMs,
    heartbeatIntervalMs: c.heartbeatIntervalMs,
    autoOffsetReset: 'earliest',
    autoCommitIntervalMs: 500,
  });
  await consumer.subscribe({ topics: [c.topic] });
  await consumer.run({ eachMessage: ({ message }) => void seen.push(`${message.partition}:${message.offset}`) });
  return {
    name,
    owned: () => consumer.assignment().map((tp) => tp.partition),
    processed: () => seen,
    close: () => consumer.close(),
  };
}

const PYTHON_MEMBER = String.raw`
import json, sys, threading
from confluent_kafka import Consumer
bootstrap, group, topic, strategy, session, heartbeat = sys.argv[1:7]
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'partition.assignment.strategy': strategy,
              'session.timeout.ms': int(session), 'heartbeat.interval.ms': int(heartbeat),
              'auto.offset.reset': 'earliest', 'enable.auto.commit': True, 'auto.commit.interval.ms': 500})
c.subscribe([topic])
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
last = None
while not stop.is_set():
    m = c.poll(0.05)
    if m is not None and not m.error():
        print(json.dumps({'rec': '%d:%d' % (m.partition(), m.offset())}), flush=True)
    a = sorted(tp.partition for tp in c.assignment())
    if a != last:
        print(json.dumps({'assignment': a}), flush=True)
        last = a
c.close()
print(json.dumps({'closed': True}), flush=True)
`;

/** A confluent-kafka-python consumer in a child process (Debian's python3-confluent-kafka). */
export async function pythonMember(name: string, c: MemberConfig): Promise<GroupMemberUnderTest> {
  const child = spawn(SYSTEM_PYTHON, ['-c', PYTHON_MEMBER, c.bootstrap, c.groupId, c.topic, c.strategy, String(c.sessionTimeoutMs), String(c.heartbeatIntervalMs)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let owned: number[] = [];
  const seen: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`${SYSTEM_PYTHON} could not run (install python3-confluent-kafka): ${e.message}`)));
    child.on('exit', (code) => resolve(code));
  });
  let closed = false;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const o = JSON.parse(line) as { assignment?: number[]; rec?: string; closed?: boolean };
    if (o.assignment !== undefined) owned = o.assignment;
    if (o.rec !== undefined) seen.push(o.rec);
    if (o.closed) closed = true;
  });
  return {
    name,
    owned: () => owned,
    processed: () => seen,
    async close() {
      child.stdin!.end();
      const code = await exited;
      if (code !== 0 || !closed) throw new Error(`python member ${name} exited with ${code}: ${stderr}`);
      owned = [];
    },
  };
}

/**
 * Waits until the members own every partition exactly once, each member at least one, and the
 * picture holds for `stableMs` (a cooperative rebalance has two rounds).
 */
export async function waitForConvergence(members: GroupMemberUnderTest[], partitions: number, timeoutMs: number, stableMs = 1_500): Promise<Record<string, number[]>> {
  let since = -1;
  let last = '';
  return waitFor(() => {
    const owned = members.map((m) => m.owned());
    const all = owned.flat().sort((a, b) => a - b);
    const ok = all.length === partitions && all.every((p, i) => p === i) && owned.every((o) => o.length > 0);
    const picture = JSON.stringify(owned);
    const now = Date.now();
    if (!ok || picture !== last) {
      since = ok ? now : -1;
      last = picture;
      return null;
    }
    return now - since >= stableMs ? Object.fromEntries(members.map((m, i) => [m.name, owned[i]!])) : null;
  }, timeoutMs, `convergence of ${members.map((m) => m.name).join(', ')} (last: ${last})`, 50);
}

export async function produceKeyed(bootstrap: string, topic: string, count: number): Promise<void> {
  const producer = new Producer({ bootstrapServers: bootstrap });
  try {
    await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` })) });
  } finally {
    await producer.close();
  }
}

/**
 * Two members (Samsa + Samsa, or Samsa + confluent-kafka-python when `mixed`), then a third
 * (Samsa), then the first leaves: after each step the group must converge with every partition
 * owned exactly once, and in the end every record must have been consumed. Returns a log line
 * per step.
 */
export async function convergenceScenario(broker: GroupBroker, strategy: string, mixed: boolean, partitions: number, convergeMs: number, records = 200): Promise<string[]> {
  const name = `${strategy}-${mixed ? 'mixed' : 'samsa'}`;
  const config: MemberConfig = { bootstrap: broker.bootstrap, groupId: `g-${name}`, topic: `t-${name}`, strategy, ...broker.consumerTimeouts };
  await broker.createTopic(config.topic, partitions);
  await produceKeyed(broker.bootstrap, config.topic, records);
  const log: string[] = [];
  const members: GroupMemberUnderTest[] = [];
  try {
    const first = await samsaMember('samsa-1', config);
    members.push(first);
    const second = mixed ? await pythonMember('python-1', config) : await samsaMember('samsa-2', config);
    members.push(second);
    log.push(`${name} 2 members: ${JSON.stringify(await waitForConvergence([first, second], partitions, convergeMs))}`);
    const third = await samsaMember('samsa-3', config);
    members.push(third);
    log.push(`${name} 3 members: ${JSON.stringify(await waitForConvergence([first, second, third], partitions, convergeMs))}`);
    await first.close();
    members.shift();
    log.push(`${name} after one left: ${JSON.stringify(await waitForConvergence([second, third], partitions, convergeMs))}`);
    const seen = new Set([...first.processed(), ...second.processed(), ...third.processed()]);
    if (seen.size !== records) throw new Error(`${name}: ${seen.size} of ${records} records consumed`);
    return log;
  } finally {
    await Promise.allSettled(members.map((m) => m.close()));
  }
}
