import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { decodeRecordBatches, encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { RawConnection, runKcat, startTestBroker, workloadKey, workloadValue, type TestBroker } from '../helpers/index.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const TOPIC = 'recycled';
const PARTITIONS = 3;
const RECORDS = 6000;
const PER_SEND = 300;
/** 1 KiB values: a send of 300 is a ~300 KiB Produce frame, which spans socket reads. */
const valueOf = (i: number) => `${workloadValue(i)}|${'x'.repeat(1000)}`;

/**
 * Produce frames are assembled in recycled buffers, and the tail cache serves fetches from views of
 * them. With a tail cache of 1 MiB, buffers go back to the free list and are handed out again
 * while consumers read; every recycled buffer is poisoned. A view kept past its release would hand
 * a consumer poison or another request's bytes: each value is checked whole, in order, by a kafkajs
 * consumer reading while the producer writes, and by kcat reading everything afterwards.
 */
describe('broker: recycled Produce frames', () => {
  let broker: TestBroker;
  const poisonBefore = process.env.SAMSA_POISON_RECYCLED_BUFFERS;
  before(async () => {
    process.env.SAMSA_POISON_RECYCLED_BUFFERS = '1';
    broker = await startTestBroker({ durable: true, tailCacheBytes: 1024 * 1024 });
  });
  after(async () => {
    await broker.close();
    if (poisonBefore === undefined) delete process.env.SAMSA_POISON_RECYCLED_BUFFERS;
    else process.env.SAMSA_POISON_RECYCLED_BUFFERS = poisonBefore;
  });

  it('hands every record back intact to a consumer reading while buffers are reused', async () => {
    const kafka = new Kafka({ clientId: 'recycled', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await admin.disconnect();

    const consumer = kafka.consumer({ groupId: 'recycled-reader', maxWaitTimeInMs: 50, maxBytesPerPartition: 512 * 1024 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const next = new Array<number>(PARTITIONS).fill(-1);
    let seen = 0;
    const problems: string[] = [];
    const allSeen = new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const i = Number(message.key!.toString().split('-').pop());
            if (message.value?.toString() !== valueOf(i) || message.key?.toString() !== workloadKey(i)) problems.push(`p${partition} offset ${message.offset}: record ${i} damaged`);
            if (i <= next[partition]!) problems.push(`p${partition}: record ${i} after ${next[partition]}`);
            next[partition] = i;
            if (++seen === RECORDS) resolve();
          },
        })
        .catch(reject);
    });

    const producer = kafka.producer();
    await producer.connect();
    for (let start = 0; start < RECORDS; start += PER_SEND) {
      const messages = [];
      // Each send goes to one partition, so it is one large batch in one frame.
      const partition = (start / PER_SEND) % PARTITIONS;
      for (let i = start; i < start + PER_SEND; i++) messages.push({ key: workloadKey(i), value: valueOf(i), partition });
      await producer.send({ topic: TOPIC, acks: -1, messages });
    }
    await producer.disconnect();
    // A damaged batch stalls the consumer rather than failing it: give up with what went wrong.
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([allSeen, new Promise<void>((resolve) => (deadline = setTimeout(resolve, 30_000)))]);
    clearTimeout(deadline);
    assert.equal(seen, RECORDS, `all records consumed; problems: ${problems.slice(0, 5).join('; ')}`);
    await consumer.disconnect();
    assert.deepEqual(problems, []);

    const recycler = broker.recycler!;
    assert.ok(recycler.reused > 0, `frames were recycled (${recycler.reused} of ${recycler.acquired})`);

    const kcat = await runKcat(['-C', '-b', broker.bootstrap, '-t', TOPIC, '-e', '-q', '-f', '%k\t%s\n', '-X', 'check.crcs=true']);
    assert.equal(kcat.code, 0, kcat.stderr);
    const lines = kcat.stdout.trim().split('\n');
    assert.equal(lines.length, RECORDS);
    for (const line of lines) {
      const [key, value] = line.split('\t');
      const i = Number(key!.split('-').pop());
      assert.equal(value, valueOf(i), `kcat read record ${i} intact`);
    }
  });

  it('keeps the tail-cache views of a fetch response waiting in the socket until it is written', async () => {
    const topic = 'stalled-reader';
    const c = await RawConnection.connect(broker.port);
    const created = await c.request(19, 7, { topics: [{ name: topic, numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 1000 });
    assert.equal(created.topics[0]!.errorCode, 0);
    const RECORDS_PER_BATCH = 200;
    const value = (offset: number) => Buffer.from(`${offset}:${'v'.repeat(1200)}`);
    let produced = 0;
    const produceBatches = async (count: number) => {
      for (let b = 0; b < count; b++) {
        const records = Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({ key: null, value: value(produced + i), timestamp: 1_700_000_000_000 }));
        const r = await c.request(0, 9, { acks: 1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records: await encodeRecordBatch({ records }) }] }] });
        assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, 0);
        produced += RECORDS_PER_BATCH;
      }
    };
    // 20 MiB on disk, the last ~1 MiB of it in the tail cache.
    await produceBatches(80);
    const reader = await RawConnection.connect(broker.port);
    reader.socket.pause();
    // The first answer (from the files) is bigger than the kernel buffers take, so the second,
    // made of tail-cache views, waits in the broker's socket behind it.
    const fetch = (fetchOffset: number, maxBytes: number) =>
      reader.send(1, 12, { maxWaitMs: 0, minBytes: 0, maxBytes, isolationLevel: 0, topics: [{ topic, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: maxBytes }] }] });
    const first = fetch(0, 18 * 1024 * 1024);
    const tailOffset = produced - 2 * RECORDS_PER_BATCH;
    const second = fetch(tailOffset, 1024 * 1024);
    // Meanwhile the cache moves on: everything the second answer points at is evicted and its
    // buffers would be recycled (and poisoned) if the answer did not hold them.
    const reusedBefore = broker.recycler!.reused;
    await produceBatches(12);
    assert.ok(broker.recycler!.reused > reusedBefore, 'buffers were recycled while the answer waited');
    reader.socket.resume();
    await reader.receive(1, 12, first, 30_000);
    const answer = await reader.receive(1, 12, second, 30_000);
    const records = answer.responses[0]!.partitions[0]!.records!;
    const batches = await decodeRecordBatches(records, { verifyCrc: true });
    assert.ok(batches.length >= 2);
    let offset = tailOffset;
    for (const batch of batches) {
      for (const record of batch.records) {
        assert.deepEqual(record.value, value(offset), `record at offset ${offset} intact`);
        offset++;
      }
    }
    reader.close();
    c.close();
  });
});
