/**
 * The seed scenario: a producer sends 20,000 keyed records at a steady rate (2,000/s) while the
 * group scales from one consumer to three and back to two: a runs alone, b and c join, b closes
 * cleanly, c is SIGKILLed and d joins (every consumer in its own process). With the default commit-on-revoke, every key's records are
 * processed in order, none is lost, and none twice except records the killed member processed
 * after its last commit. With auto-commit only (commitOnRevoke: false, no listener: how kafkajs
 * behaves) the duplicates are measured and reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Producer } from '../../src/client/producer/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { startGroupBroker, type GroupBroker } from './consumer-broker.js';
import { spawnConsumer, type CommitLine, type ConsumerProcess, type ProcessedRecord } from './consumer-process.js';

const RECORDS = 20_000;
const KEYS = 100;
const SEND_EVERY_MS = 50;
const PER_TICK = 100; // 2,000 records/s for 10 s

interface ScenarioResult {
  records: ProcessedRecord[];
  commits: CommitLine[];
  killed: string;
  killedAtMs: number;
}

async function produceSteadily(bootstrap: string, topic: string, startedMs: number[]): Promise<void> {
  const producer = new Producer({ bootstrapServers: bootstrap, lingerMs: 5 });
  const seq = new Array<number>(KEYS).fill(0);
  let sent = 0;
  const sends: Promise<unknown>[] = [];
  startedMs.push(Date.now());
  while (sent < RECORDS) {
    const messages = [];
    for (let i = 0; i < PER_TICK && sent < RECORDS; i++, sent++) {
      const k = sent % KEYS;
      messages.push({ key: `key-${k}`, value: `key-${k}:${seq[k]!++}` });
    }
    sends.push(producer.send({ topic, messages }));
    await new Promise((r) => setTimeout(r, SEND_EVERY_MS));
  }
  await Promise.all(sends);
  await producer.close();
}

async function runScenario(broker: GroupBroker, name: string, options: object, listener: boolean): Promise<ScenarioResult> {
  const topic = `seed-${name}`;
  const groupId = `seed-${name}`;
  await broker.createTopic(topic, 4);
  const records: ProcessedRecord[] = [];
  const commits: CommitLine[] = [];
  const spawnOne = (id: string): ConsumerProcess =>
    spawnConsumer({ bootstrap: broker.bootstrap, groupId, topic, clientId: `${name}-${id}`, options: { ...broker.consumerTimeouts, ...options }, handlerDelayMs: 0, listener }, { records, commits });
  const a = spawnOne('a');
  await a.ready;
  const startedMs: number[] = [];
  const producing = produceSteadily(broker.bootstrap, topic, startedMs);
  await waitFor(() => records.length > 0, 30_000, `${name}: first record processed`);
  const b = spawnOne('b');
  const c = spawnOne('c');
  await Promise.all([b.ready, c.ready]);
  await waitFor(() => records.some((r) => r.clientId === b.clientId) && records.some((r) => r.clientId === c.clientId), 30_000, `${name}: b and c processing`);
  await b.close();
  await waitFor(() => records.filter((r) => r.clientId === c.clientId).length > 200, 30_000, `${name}: c processing after b left`);
  const killedAtMs = Date.now();
  await c.kill();
  const d = spawnOne('d');
  await d.ready;
  await producing;
  const distinct = () => new Set(records.map((r) => r.value)).size;
  await waitFor(() => distinct() === RECORDS, 60_000, `${name}: all ${RECORDS} records processed (have ${distinct()})`, 50);
  await Promise.all([a.close(), d.close()]);
  return { records, commits, killed: c.clientId, killedAtMs };
}

function analyse(r: ScenarioResult) {
  const seen = new Map<string, ProcessedRecord[]>();
  for (const rec of r.records) {
    let list = seen.get(rec.value!);
    if (list === undefined) seen.set(rec.value!, (list = []));
    list.push(rec);
  }
  // The killed member's last successful commit per partition before it died.
  const lastCommit = new Map<number, number>();
  for (const c of r.commits) {
    if (c.clientId !== r.killed || c.errorCode !== 0) continue;
    for (const o of c.offsets) lastCommit.set(o.partition, Math.max(lastCommit.get(o.partition) ?? -1, o.offset));
  }
  let duplicates = 0;
  let unexplained = 0;
  for (const list of seen.values()) {
    if (list.length < 2) continue;
    duplicates += list.length - 1;
    const first = list[0]!;
    const explained = list.length === 2 && first.clientId === r.killed && first.offset >= (lastCommit.get(first.partition) ?? -1);
    if (!explained) {
      unexplained += list.length - 1;
    }
  }
  // Per key: each consumer sees increasing sequence numbers, and first deliveries in time order are increasing.
  let orderViolations = 0;
  const byKey = new Map<string, ProcessedRecord[]>();
  for (const rec of r.records) {
    let list = byKey.get(rec.key!);
    if (list === undefined) byKey.set(rec.key!, (list = []));
    list.push(rec);
  }
  for (const list of byKey.values()) {
    // Re-deliveries (a later copy of a record already processed) are counted as duplicates above.
    const lastByClient = new Map<string, number>();
    const done = new Set<number>();
    for (const rec of list) {
      const s = Number(rec.value!.split(':')[1]);
      if (done.has(s)) continue;
      done.add(s);
      if (s <= (lastByClient.get(rec.clientId) ?? -1)) orderViolations++;
      lastByClient.set(rec.clientId, s);
    }
    const firsts = new Map<number, ProcessedRecord>();
    for (const rec of list) {
      const s = Number(rec.value!.split(':')[1]);
      if (!firsts.has(s)) firsts.set(s, rec);
    }
    const ordered = [...firsts.entries()].sort((x, y) => x[1].ms - y[1].ms || x[0] - y[0]);
    for (let i = 1; i < ordered.length; i++) if (ordered[i]![0] < ordered[i - 1]![0]) orderViolations++;
  }
  return { processed: r.records.length, distinct: seen.size, duplicates, unexplained, orderViolations };
}

test('seed scenario: 20,000 keyed records while the group goes 1 -> 3 -> 2 (one closed, one killed)', { timeout: 180_000 }, async (t) => {
  const broker = await startGroupBroker();
  try {
    const [withRevokeCommit, autoOnly] = await Promise.all([
      runScenario(broker, 'revoke', {}, true),
      runScenario(broker, 'auto', { autoCommit: true, autoCommitIntervalMs: 5_000, commitOnRevoke: false }, false),
    ]);
    const a = analyse(withRevokeCommit);
    const b = analyse(autoOnly);
    t.diagnostic(`commit-on-revoke (default): ${a.distinct} distinct of ${RECORDS}, ${a.duplicates} duplicates (all from the killed member's uncommitted records: ${a.unexplained === 0}), ${a.orderViolations} order violations`);
    t.diagnostic(`auto-commit every 5000 ms, no commit on revoke: ${b.distinct} distinct of ${RECORDS}, ${b.duplicates} duplicates, ${b.orderViolations} order violations`);
    assert.equal(a.distinct, RECORDS, 'none lost (commit-on-revoke)');
    assert.equal(a.unexplained, 0, 'no duplicates except the killed member\'s uncommitted records');
    assert.equal(a.orderViolations, 0, 'every key in order');
    assert.equal(b.distinct, RECORDS, 'none lost (auto-commit)');
    assert.equal(b.orderViolations, 0, 'every key in order within each consumer (auto-commit)');
    assert.ok(b.duplicates >= a.duplicates, 'auto-commit alone duplicates at least as much');
  } finally {
    await broker.stop();
  }
});
