import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Producer as KafkaJsProducer } from 'kafkajs';
import { Consumer } from '../../src/client/consumer/index.js';
import { makeTempDir, startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';
import { parseTable, samsa, samsaOk } from './helpers.js';

const RECORDS = 20;
const STEP_MS = 5000;

/** The offset a group has committed for partition 0 of `topic`, read through the CLI. */
async function committedOffset(bs: string[], group: string, topic: string): Promise<number | null> {
  const out = JSON.parse((await samsaOk(['groups', 'describe', '--group', group, '--format', 'json', ...bs])).stdout);
  return out.groups[0].partitions.find((p: { topic: string; partition: number }) => p.topic === topic && p.partition === 0)?.currentOffset ?? null;
}

/** Where a fresh Samsa consumer of `group` starts: the offset of the first record it receives. Commits nothing. */
async function samsaResumesAt(bootstrap: string, group: string, topic: string): Promise<number> {
  const consumer = new Consumer({ bootstrapServers: bootstrap, groupId: group, autoCommit: false, commitOnRevoke: false, sessionTimeoutMs: 6000, heartbeatIntervalMs: 300 });
  await consumer.subscribe({ topics: [topic] });
  let first: number | null = null;
  await consumer.run({ eachMessage: ({ message }) => void (first ??= message.offset) });
  try {
    return await waitFor(() => (first === null ? null : { offset: first }), 15_000, `a record for ${group}`).then((x) => x.offset);
  } finally {
    await consumer.close();
  }
}

/** The same check with a kafkajs consumer. */
async function kafkajsResumesAt(kafka: Kafka, group: string, topic: string): Promise<number> {
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 300 });
  await consumer.connect();
  await consumer.subscribe({ topic });
  let first: number | null = null;
  await consumer.run({ autoCommit: false, eachMessage: async ({ message }) => void (first ??= Number(message.offset)) });
  try {
    return await waitFor(() => (first === null ? null : { offset: first }), 15_000, `a record for ${group}`).then((x) => x.offset);
  } finally {
    await consumer.disconnect();
  }
}

describe('samsa groups reset-offsets, delete and delete-offsets', () => {
  let broker: TestBroker;
  let bs: string[];
  let kafka: Kafka;
  let producer: KafkaJsProducer;
  let baseMs: number;
  const topic = 'cli-g-reset';
  const group = 'cli-reset';

  before(async () => {
    broker = await startTestBroker();
    bs = ['--bootstrap-server', broker.bootstrap];
    kafka = new Kafka({ clientId: 'cli-reset-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    producer = kafka.producer();
    await producer.connect();
    await samsaOk(['topics', 'create', '--topic', topic, '--partitions', '1', ...bs]);
    // Record i was written at baseMs + i * 5 s; the last one 5 s ago.
    baseMs = Date.now() - RECORDS * STEP_MS;
    await producer.send({ topic, messages: Array.from({ length: RECORDS }, (_, i) => ({ value: `r${i}`, timestamp: String(baseMs + i * STEP_MS) })) });
    // The group reads everything with `samsa consume --group`, which commits what it printed.
    const consumed = await samsaOk(['consume', '--topic', topic, '--group', group, '--from-beginning', '--max-messages', String(RECORDS), ...bs]);
    assert.equal(consumed.stdout, Array.from({ length: RECORDS }, (_, i) => `r${i}\n`).join(''));
    assert.equal(await committedOffset(bs, group, topic), RECORDS);
  });

  after(async () => {
    await producer?.disconnect();
    await broker?.close();
  });

  it('consume --group commits exactly what it printed', async () => {
    const g = 'cli-consume-partial';
    const r = await samsaOk(['consume', '--topic', topic, '--group', g, '--from-beginning', '--max-messages', '7', '--format', 'json', ...bs]);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => JSON.parse(l).offset), [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(await committedOffset(bs, g, topic), 7);
  });

  it('is refused while the group has members', async () => {
    const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 300 });
    await consumer.connect();
    await consumer.subscribe({ topic });
    await consumer.run({ autoCommit: false, eachMessage: async () => {} });
    try {
      await waitFor(async () => JSON.parse((await samsaOk(['groups', 'describe', '--group', group, '--state', '--format', 'json', ...bs])).stdout).groups[0].state === 'Stable', 15_000, 'a stable group', 100);
      const r = await samsa(['groups', 'reset-offsets', '--group', group, '--topic', topic, '--to-earliest', '--execute', ...bs]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `error: group ${group} has 1 active member(s) (state Stable); offsets can only be reset while the group is inactive: stop its consumers first\n`);
      const del = await samsa(['groups', 'delete', '--group', group, ...bs]);
      assert.equal(del.code, 1);
      assert.equal(del.stderr, `error: group ${group} has active members; stop its consumers before deleting it\n`);
    } finally {
      await consumer.disconnect();
    }
    assert.equal(await committedOffset(bs, group, topic), RECORDS);
  });

  it('--to-datetime: the dry run (the default) prints the plan and changes nothing; --execute moves the group there', async () => {
    const at = new Date(baseMs + 12 * STEP_MS - 1000).toISOString();
    const dry = await samsaOk(['groups', 'reset-offsets', '--group', group, '--topic', topic, '--to-datetime', at, ...bs]);
    assert.deepEqual(parseTable(dry.stdout), [{ GROUP: group, TOPIC: topic, PARTITION: '0', 'CURRENT-OFFSET': String(RECORDS), 'NEW-OFFSET': '12' }]);
    assert.match(dry.stderr, /dry run: nothing was changed; add --execute/);
    assert.equal(await committedOffset(bs, group, topic), RECORDS);

    const run = JSON.parse((await samsaOk(['groups', 'reset-offsets', '--group', group, '--topic', `${topic}:0`, '--to-datetime', at, '--execute', '--format', 'json', ...bs])).stdout);
    assert.deepEqual(run, { group, executed: true, partitions: [{ topic, partition: 0, currentOffset: RECORDS, newOffset: 12 }] });
    assert.equal(await committedOffset(bs, group, topic), 12);
    assert.equal(await samsaResumesAt(broker.bootstrap, group, topic), 12);
  });

  it('--shift-by moves back from the committed offset; a kafkajs consumer resumes there', async () => {
    await samsaOk(['groups', 'reset-offsets', '--group', group, '--topic', topic, '--shift-by', '-5', '--execute', ...bs]);
    assert.equal(await committedOffset(bs, group, topic), 7);
    assert.equal(await kafkajsResumesAt(kafka, group, topic), 7);
  });

  it('--by-duration, --to-offset (clamped), --export and --from-file', async () => {
    // The first record written at most 52 s before the command ran.
    const firstSince = (cutoffMs: number) => Math.min(RECORDS, Math.max(0, Math.ceil((cutoffMs - baseMs) / STEP_MS)));
    const lowest = firstSince(Date.now() - 52_000);
    const byDuration = JSON.parse((await samsaOk(['groups', 'reset-offsets', '--group', group, '--all-topics', '--by-duration', 'PT52S', '--format', 'json', ...bs])).stdout);
    const highest = firstSince(Date.now() - 52_000);
    const found = byDuration.partitions[0].newOffset;
    assert.ok(found >= lowest && found <= highest && lowest < RECORDS, `${found} in ${lowest}..${highest}`);
    assert.equal(byDuration.executed, false);

    const clamped = await samsaOk(['groups', 'reset-offsets', '--group', group, '--topic', topic, '--to-offset', '1000', '--export', ...bs]);
    assert.equal(clamped.stdout, `${topic},0,${RECORDS}\n`);
    assert.match(clamped.stderr, /offset 1000 is outside the log; using 20/);

    const dir = await makeTempDir('samsa-cli-');
    try {
      const file = join(dir.path, 'offsets.csv');
      await writeFile(file, `# exported plan\n${topic},0,3\n`);
      await samsaOk(['groups', 'reset-offsets', '--group', group, '--from-file', file, '--execute', ...bs]);
      assert.equal(await committedOffset(bs, group, topic), 3);
    } finally {
      await dir.remove();
    }
  });

  it('delete-offsets removes one topic\'s offsets; delete removes the group', async () => {
    const other = 'cli-g-other';
    await samsaOk(['topics', 'create', '--topic', other, '--partitions', '1', ...bs]);
    await samsaOk(['groups', 'reset-offsets', '--group', group, '--topic', other, '--to-latest', '--execute', ...bs]);
    const before = JSON.parse((await samsaOk(['groups', 'describe', '--group', group, '--format', 'json', ...bs])).stdout);
    assert.deepEqual(before.groups[0].partitions.map((p: { topic: string }) => p.topic), [other, topic]);

    const deleted = await samsaOk(['groups', 'delete-offsets', '--group', group, '--topic', other, ...bs]);
    assert.deepEqual(parseTable(deleted.stdout), [{ TOPIC: other, PARTITION: '0', STATUS: 'Successful' }]);
    const afterDelete = JSON.parse((await samsaOk(['groups', 'describe', '--group', group, '--format', 'json', ...bs])).stdout);
    assert.deepEqual(afterDelete.groups[0].partitions.map((p: { topic: string }) => p.topic), [topic]);

    assert.equal((await samsaOk(['groups', 'delete', '--group', group, ...bs])).stdout, `Deleted group ${group}.\n`);
    const gone = await samsa(['groups', 'describe', '--group', group, ...bs]);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, `error: group "${group}" does not exist\n`);
  });
});
