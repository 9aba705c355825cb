import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin, compatibilityPartitioner, Consumer, MessagesStreamModes, Producer, ProduceAcks, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { checkWorkload, readTopicRaw, startTestBroker, workloadKey, workloadValue, type ReadRecord, type TestBroker } from '../helpers/index.js';

const COUNT = 10_000;
const PARTITIONS = 6;
const CHUNK = 1000;

describe('compat: @platformatic/kafka 1.x', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
  });
  after(() => broker.close());

  it('creates a 6-partition topic, produces 10,000 keyed records on murmur2 partitions, all fetched back once in order', async () => {
    const bootstrapBrokers = [broker.bootstrap];
    const admin = new Admin({ clientId: 'compat-admin', bootstrapBrokers });
    await admin.createTopics({ topics: ['plt'], partitions: PARTITIONS, replicas: 1 });
    const metadata = await admin.metadata({ topics: ['plt'] });
    assert.equal(metadata.topics.get('plt')!.partitionsCount, PARTITIONS);
    const topicId = metadata.topics.get('plt')!.id;
    await admin.close();

    // The default partitioner hashes to an unsigned murmur2; the compatibility one is Java's.
    const producer = new Producer({ clientId: 'compat-producer', bootstrapBrokers, serializers: stringSerializers, partitioner: compatibilityPartitioner, acks: ProduceAcks.ALL, idempotent: true });
    for (let start = 0; start < COUNT; start += CHUNK) {
      const messages = [];
      for (let i = start; i < start + CHUNK; i++) messages.push({ topic: 'plt', key: workloadKey(i), value: workloadValue(i) });
      await producer.send({ messages });
    }
    await producer.close();

    // Group-less reads with the client's own Fetch (v16: topics by id) and record decoder.
    const consumer = new Consumer({ clientId: 'compat-consumer', groupId: 'plt-reader', bootstrapBrokers, deserializers: stringDeserializers });
    const records: ReadRecord[] = [];
    for (let partition = 0; partition < PARTITIONS; partition++) {
      let offset = 0n;
      for (;;) {
        const res = await consumer.fetch({
          node: broker.config.nodeId,
          maxWaitTime: 0,
          topics: [{ topicId, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
        });
        const p = res.responses[0]!.partitions[0]!;
        assert.equal(p.errorCode, 0);
        const before = offset;
        for (const batch of p.records ?? []) {
          for (const r of batch.records) {
            const at = batch.firstOffset + BigInt(r.offsetDelta);
            if (at < offset) continue;
            records.push({ partition, offset: Number(at), key: r.key?.toString() ?? null, value: r.value?.toString() ?? null });
            offset = at + 1n;
          }
        }
        if (offset === before || offset >= p.highWatermark) break;
      }
    }
    checkWorkload(records, { count: COUNT, partitions: PARTITIONS, murmur2: true });

    // The same records through the client's consumer-group stream.
    const stream = await consumer.consume({ topics: ['plt'], mode: MessagesStreamModes.EARLIEST, autocommit: false, maxWaitTime: 100 });
    const streamed: ReadRecord[] = [];
    for await (const m of stream) {
      streamed.push({ partition: m.partition, offset: Number(m.offset), key: m.key ?? null, value: m.value ?? null });
      if (streamed.length === COUNT) break;
    }
    await stream.close();
    await consumer.close();
    streamed.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    assert.deepEqual(streamed, records);
    // Our own decoder agrees byte for byte.
    const raw = await readTopicRaw(broker.port, 'plt', PARTITIONS);
    assert.deepEqual(raw.map(({ compression: _, ...r }) => r), records);
  });
});
