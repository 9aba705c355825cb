import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Consumer, type EachBatchPayload } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/index.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

interface Seen {
  values: string[];
  /** Every batch eachBatch was handed, with its offsets (empty ones included). */
  batches: Array<{ partition: number; size: number; firstOffset: string | null; lastOffset: string }>;
}

/** A read_committed (or not) kafkajs consumer that records what reaches eachBatch until `done` holds. */
async function consume(kafka: Kafka, groupId: string, topic: string, readUncommitted: boolean, done: (seen: Seen) => boolean): Promise<{ seen: Seen; consumer: Consumer }> {
  const consumer = kafka.consumer({ groupId, readUncommitted, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: Seen = { values: [], batches: [] };
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {
          seen.batches.push({ partition: batch.partition, size: batch.messages.length, firstOffset: batch.firstOffset(), lastOffset: batch.lastOffset() });
          for (const m of batch.messages) {
            seen.values.push(m.value!.toString());
            resolveOffset(m.offset);
          }
          await heartbeat();
          if (done(seen)) resolve();
        },
      })
      .catch(reject);
  });
  return { seen, consumer };
}

describe('compat: kafkajs 2.2.4 transactions', () => {
  let broker: TestBroker;
  let kafka: Kafka;
  before(async () => {
    broker = await startTestBroker();
    kafka = new Kafka({ clientId: 'compat-kafkajs-txn', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kjs-txn', numPartitions: 2 }, { topic: 'kjs-in', numPartitions: 1 }, { topic: 'kjs-out', numPartitions: 1 }] });
    await admin.disconnect();
  });
  after(() => broker.close());

  it('commits and aborts: a readUncommitted:false consumer sees only committed records; a readUncommitted:true one sees all', async () => {
    const producer = kafka.producer({ transactionalId: 'kjs-tx', maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic: 'kjs-txn', messages: [{ value: 'c1', partition: 0 }, { value: 'c2', partition: 1 }] });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'kjs-txn', messages: [{ value: 'a1', partition: 0 }, { value: 'a2', partition: 1 }] });
    await aborted.abort();
    const last = await producer.transaction();
    await last.send({ topic: 'kjs-txn', messages: [{ value: 'c3', partition: 0 }] });
    await last.commit();
    await producer.disconnect();

    const { seen, consumer } = await consume(kafka, 'kjs-committed', 'kjs-txn', false, (s) => s.values.length >= 3);
    assert.deepEqual([...seen.values].sort(), ['c1', 'c2', 'c3']);
    // Batches made only of aborted records and markers are skipped by kafkajs, which resolves the
    // offset past them: the group's position ends at the log end, markers included.
    const admin = kafka.admin();
    await admin.connect();
    await consumer.commitOffsets([]);
    const ends = await admin.fetchTopicOffsets('kjs-txn');
    await consumer.disconnect();
    const positions = await admin.fetchOffsets({ groupId: 'kjs-committed', topics: ['kjs-txn'] });
    for (const p of positions[0]!.partitions) {
      const end = ends.find((e) => e.partition === p.partition)!;
      assert.equal(p.offset, end.high, `partition ${p.partition}: committed position passes the markers`);
    }
    await admin.disconnect();

    const all = await consume(kafka, 'kjs-all', 'kjs-txn', true, (s) => s.values.length >= 5);
    assert.deepEqual([...all.seen.values].sort(), ['a1', 'a2', 'c1', 'c2', 'c3']);
    await all.consumer.disconnect();
  });

  it('sendOffsets: consume-transform-produce commits the output and the group offset together', async () => {
    const seed = kafka.producer();
    await seed.connect();
    await seed.send({ topic: 'kjs-in', messages: ['x', 'y', 'z'].map((value) => ({ value })) });
    await seed.disconnect();

    const producer = kafka.producer({ transactionalId: 'kjs-eos', maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    // First attempt aborts: neither its output nor its offsets count.
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'kjs-out', messages: [{ value: 'X?' }] });
    await aborted.sendOffsets({ consumerGroupId: 'kjs-eos-group', topics: [{ topic: 'kjs-in', partitions: [{ partition: 0, offset: '3' }] }] });
    await aborted.abort();
    const admin = kafka.admin();
    await admin.connect();
    const none = await admin.fetchOffsets({ groupId: 'kjs-eos-group', topics: ['kjs-in'] });
    assert.equal(none[0]!.partitions[0]!.offset, '-1', 'aborted offsets are not committed');

    const txn = await producer.transaction();
    await txn.send({ topic: 'kjs-out', messages: ['X', 'Y', 'Z'].map((value) => ({ value })) });
    await txn.sendOffsets({ consumerGroupId: 'kjs-eos-group', topics: [{ topic: 'kjs-in', partitions: [{ partition: 0, offset: '3' }] }] });
    await txn.commit();
    await producer.disconnect();
    const offsets = await admin.fetchOffsets({ groupId: 'kjs-eos-group', topics: ['kjs-in'] });
    assert.equal(offsets[0]!.partitions[0]!.offset, '3');
    await admin.disconnect();

    const out = await consume(kafka, 'kjs-out-reader', 'kjs-out', false, (s) => s.values.length >= 3);
    assert.deepEqual(out.seen.values, ['X', 'Y', 'Z']);
    await out.consumer.disconnect();
  });

  it('fences a zombie: a second producer with the same transactional id makes the first fail', async () => {
    const zombie = kafka.producer({ transactionalId: 'kjs-zombie', maxInFlightRequests: 1, idempotent: true, retry: { retries: 1, initialRetryTime: 20 } });
    await zombie.connect();
    const open = await zombie.transaction();
    await open.send({ topic: 'kjs-txn', messages: [{ value: 'zombie', partition: 0 }] });
    const successor = kafka.producer({ transactionalId: 'kjs-zombie', maxInFlightRequests: 1, idempotent: true });
    await successor.connect();
    // kafkajs initialises the producer id with its first transaction: that fences the zombie.
    const next = await successor.transaction();
    await assert.rejects(open.commit(), (err: Error) => /fenced|epoch/i.test(`${err.name} ${err.message}`));
    await assert.rejects(open.send({ topic: 'kjs-txn', messages: [{ value: 'late', partition: 1 }] }));
    await next.send({ topic: 'kjs-txn', messages: [{ value: 'successor', partition: 0 }] });
    await next.commit();
    await successor.disconnect();
    await zombie.disconnect().catch(() => undefined);
    const { seen, consumer } = await consume(kafka, 'kjs-zombie-reader', 'kjs-txn', false, (s) => s.values.includes('successor'));
    assert.ok(!seen.values.includes('zombie') && !seen.values.includes('late'), 'nothing of the zombie is visible');
    await consumer.disconnect();
  });
});
