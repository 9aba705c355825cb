import assert from 'node:assert/strict';
import { appendFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { makeTempDir, readTopicRaw, spawnBroker, type BrokerProcess } from '../helpers/index.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const PARTITIONS = 3;

function kafkaFor(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'durability', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000, requestTimeout: 3000 });
}

/**
 * Sends batches of 20 records with acks=-1 until a send fails (the broker died); returns the
 * values the broker acknowledged.
 */
async function produceUntilFailure(producer: Producer, topic: string, name: string, acked: Set<string>, onBatch: () => void): Promise<void> {
  for (let batch = 0; ; batch++) {
    const values = Array.from({ length: 20 }, (_, i) => `${name}-${batch}-${i}`);
    try {
      await producer.send({ topic, acks: -1, messages: values.map((value) => ({ key: value, value })) });
    } catch {
      return;
    }
    for (const v of values) acked.add(v);
    onBatch();
  }
}

describe('broker durability: SIGKILL and torn tails', () => {
  let dir: { path: string; remove(): Promise<void> };
  let broker: BrokerProcess | null = null;
  before(async () => {
    dir = await makeTempDir('samsa-durability-');
  });
  after(async () => {
    await broker?.kill('SIGKILL');
    await dir.remove();
  });

  it('keeps every acknowledged record when killed with SIGKILL under acks=-1 producers', async () => {
    broker = await spawnBroker(['--data-dir', dir.path, '--num-partitions', String(PARTITIONS), '--log-level', 'warn']);
    const kafka = kafkaFor(broker.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'durable', numPartitions: PARTITIONS }] });
    await admin.disconnect();
    const producers = [kafka.producer(), kafka.producer()];
    await Promise.all(producers.map((p) => p.connect()));
    const acked = new Set<string>();
    let batches = 0;
    const victim = broker;
    const killAfterBatches = 40;
    const runs = producers.map((p, i) =>
      produceUntilFailure(p, 'durable', `p${i}`, acked, () => {
        // Kill mid-stream, while both producers have requests in flight.
        if (++batches === killAfterBatches) victim.child.kill('SIGKILL');
      }),
    );
    await Promise.all(runs);
    const exit = await victim.exited;
    assert.equal(exit.signal, 'SIGKILL');
    await Promise.all(producers.map((p) => p.disconnect().catch(() => {})));
    assert.ok(acked.size >= killAfterBatches * 20, `only ${acked.size} records were acknowledged`);

    broker = await spawnBroker(['--data-dir', dir.path, '--log-level', 'warn']);
    const records = await readTopicRaw(broker.port, 'durable', PARTITIONS);
    const stored = new Set(records.map((r) => r.value));
    const missing = [...acked].filter((v) => !stored.has(v));
    assert.deepEqual(missing, [], 'every acknowledged record survived');
    assert.equal(stored.size, records.length, 'no record stored twice');
    await broker.kill('SIGTERM');
  });

  it('truncates a torn tail of the active segment at startup, logs it, and serves the partition', async () => {
    broker = await spawnBroker(['--data-dir', dir.path, '--log-level', 'info']);
    const before = await readTopicRaw(broker.port, 'durable', PARTITIONS);
    const stopped = await broker.kill('SIGTERM');
    assert.equal(stopped.code, 0, 'a clean stop exits 0');
    // Half a batch at the end of partition 0's newest segment, as a crash mid-write leaves it.
    const partitionDir = join(dir.path, 'durable-0');
    const segments = (await readdir(partitionDir)).filter((f) => f.endsWith('.log')).sort();
    const active = join(partitionDir, segments[segments.length - 1]!);
    const sizeBefore = (await stat(active)).size;
    const torn = Buffer.alloc(40, 0xab);
    torn.writeBigInt64BE(999n, 0);
    torn.writeInt32BE(500, 8);
    await appendFile(active, torn);

    broker = await spawnBroker(['--data-dir', dir.path, '--log-level', 'info']);
    assert.match(broker.stderr(), /truncating a torn log tail past the recovery point/);
    assert.equal((await stat(active)).size, sizeBefore, 'the torn bytes are gone');
    const after = await readTopicRaw(broker.port, 'durable', PARTITIONS);
    assert.deepEqual(after, before, 'every whole batch is still served');
    // And the partition takes new writes at the right offset.
    const kafka = kafkaFor(broker.bootstrap);
    const producer = kafka.producer();
    await producer.connect();
    const [meta] = await producer.send({ topic: 'durable', acks: -1, messages: [{ value: 'after-recovery', partition: 0 }] });
    await producer.disconnect();
    assert.equal(Number(meta!.baseOffset), before.filter((r) => r.partition === 0).length);
    await broker.kill('SIGTERM');
  });
});
