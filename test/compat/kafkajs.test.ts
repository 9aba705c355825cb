import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { checkWorkload, readTopicRaw, startTestBroker, workloadKey, workloadValue, type ReadRecord, type TestBroker } from '../helpers/index.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const COUNT = 10_000;
const PARTITIONS = 6;
const CHUNK = 1000;

async function produceWorkload(producer: Producer, topic: string): Promise<void> {
  for (let start = 0; start < COUNT; start += CHUNK) {
    const messages = [];
    for (let i = start; i < start + CHUNK; i++) messages.push({ key: workloadKey(i), value: workloadValue(i) });
    const meta = await producer.send({ topic, acks: -1, messages });
    assert.ok(meta.every((m) => m.errorCode === 0));
  }
}

/** Reads `count` records with a kafkajs consumer group from the beginning of the topic. */
async function consumeAll(kafka: Kafka, topic: string, count: number): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId: `${topic}-reader`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const records: ReadRecord[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          records.push({ partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value?.toString() ?? null });
          if (records.length === count) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return records;
}

describe('compat: kafkajs 2.2.4', () => {
  let broker: TestBroker;
  let kafka: Kafka;
  before(async () => {
    broker = await startTestBroker();
    kafka = new Kafka({ clientId: 'compat-kafkajs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 50 } });
  });
  after(() => broker.close());

  it('creates a 6-partition topic, produces 10,000 keyed records on murmur2 partitions, all read back once in order', async () => {
    const admin = kafka.admin();
    await admin.connect();
    assert.equal(await admin.createTopics({ topics: [{ topic: 'kjs', numPartitions: PARTITIONS, replicationFactor: 1 }] }), true);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await produceWorkload(producer, 'kjs');
    await producer.disconnect();
    const offsets = await admin.fetchTopicOffsets('kjs');
    assert.equal(offsets.reduce((n, o) => n + Number(o.high), 0), COUNT);
    const metadata = await admin.fetchTopicMetadata({ topics: ['kjs'] });
    assert.equal(metadata.topics[0]!.partitions.length, PARTITIONS);
    await admin.disconnect();
    const consumed = await consumeAll(kafka, 'kjs', COUNT);
    consumed.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    checkWorkload(consumed, { count: COUNT, partitions: PARTITIONS, murmur2: true });
    // What kafkajs decoded is what the broker stores, record for record.
    const raw = await readTopicRaw(broker.port, 'kjs', PARTITIONS);
    assert.deepEqual(raw.map(({ compression: _, ...r }) => r), consumed);
  });

  it('auto-creates a topic for an idempotent producer (acks=-1), with no duplicates', async () => {
    const numPartitions = broker.config.numPartitions;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: 'kjs-auto', messages: [{ key: workloadKey(0), value: workloadValue(0) }] });
    for (let i = 1; i < 500; i += 100) {
      const messages = [];
      for (let j = i; j < i + 100 && j < 500; j++) messages.push({ key: workloadKey(j), value: workloadValue(j) });
      await producer.send({ topic: 'kjs-auto', messages });
    }
    await producer.disconnect();
    const records = await readTopicRaw(broker.port, 'kjs-auto', numPartitions);
    assert.equal(records.length, 500);
    assert.equal(new Set(records.map((r) => r.value)).size, 500);
  });

  it('lists offsets by timestamp and deletes topics through the admin client', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const byTime = await admin.fetchTopicOffsetsByTimestamp('kjs', 0);
    assert.deepEqual(byTime.map((p) => p.offset).sort(), Array(PARTITIONS).fill('0'));
    // Past the newest record the broker answers -1, which kafkajs turns into the high watermark.
    const high = new Map((await admin.fetchTopicOffsets('kjs')).map((o) => [o.partition, o.high]));
    const future = await admin.fetchTopicOffsetsByTimestamp('kjs', Date.now() + 3_600_000);
    assert.ok(future.every((p) => p.offset === high.get(p.partition)));
    await admin.deleteTopics({ topics: ['kjs-auto'] });
    assert.ok(!(await admin.listTopics()).includes('kjs-auto'));
    await admin.disconnect();
  });
});
