import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin, Consumer, MessagesStreamModes, Producer, ProduceAcks, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { startTestBroker, type TestBroker } from '../helpers/index.js';

const READ_COMMITTED = 1;

/** Reads `count` values of a topic with a read_committed group consumer (no commits). */
async function readCommitted(bootstrapBrokers: string[], topic: string, count: number): Promise<string[]> {
  const consumer = new Consumer({ clientId: 'plt-txn-reader', groupId: `${topic}-reader`, bootstrapBrokers, deserializers: stringDeserializers, isolationLevel: READ_COMMITTED });
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false, maxWaitTime: 100 });
  const values: string[] = [];
  for await (const m of stream) {
    values.push(m.value!);
    if (values.length === count) break;
  }
  await stream.close();
  await consumer.close();
  return values;
}

describe('compat: @platformatic/kafka 1.x transactions', () => {
  let broker: TestBroker;
  let bootstrapBrokers: string[];
  before(async () => {
    broker = await startTestBroker();
    bootstrapBrokers = [broker.bootstrap];
    const admin = new Admin({ clientId: 'plt-txn-admin', bootstrapBrokers });
    await admin.createTopics({ topics: ['plt-txn', 'plt-in', 'plt-out'], partitions: 1, replicas: 1 });
    await admin.close();
  });
  after(() => broker.close());

  it('commits and aborts transactions; a read_committed consumer sees only committed records', async () => {
    const producer = new Producer({ clientId: 'plt-txn', bootstrapBrokers, serializers: stringSerializers, acks: ProduceAcks.ALL, idempotent: true, transactionalId: 'plt-tx' });
    const aborted = await producer.beginTransaction();
    await aborted.send({ messages: [{ topic: 'plt-txn', value: 'aborted' }] });
    await aborted.abort();
    const committed = await producer.beginTransaction();
    await committed.send({ messages: [{ topic: 'plt-txn', value: 'one' }, { topic: 'plt-txn', value: 'two' }] });
    await committed.commit();
    await producer.close();
    assert.deepEqual(await readCommitted(bootstrapBrokers, 'plt-txn', 2), ['one', 'two']);
  });

  it('consume-transform-produce: the consumed offsets commit with the output (addConsumer, addOffset)', async () => {
    const seed = new Producer({ clientId: 'plt-seed', bootstrapBrokers, serializers: stringSerializers, acks: ProduceAcks.ALL });
    await seed.send({ messages: ['a', 'b', 'c'].map((value) => ({ topic: 'plt-in', value })) });
    await seed.close();

    const consumer = new Consumer({ clientId: 'plt-eos', groupId: 'plt-eos', bootstrapBrokers, deserializers: stringDeserializers, isolationLevel: READ_COMMITTED });
    const producer = new Producer({ clientId: 'plt-eos-out', bootstrapBrokers, serializers: stringSerializers, acks: ProduceAcks.ALL, idempotent: true, transactionalId: 'plt-eos-tx' });
    const stream = await consumer.consume({ topics: ['plt-in'], mode: MessagesStreamModes.EARLIEST, autocommit: false, maxWaitTime: 100 });
    const txn = await producer.beginTransaction();
    await txn.addConsumer(consumer);
    let seen = 0;
    for await (const m of stream) {
      await txn.send({ messages: [{ topic: 'plt-out', value: m.value!.toUpperCase() }] });
      await txn.addOffset(m);
      if (++seen === 3) break;
    }
    await txn.commit();
    await stream.close();
    await consumer.close();
    await producer.close();

    const admin = new Admin({ clientId: 'plt-txn-admin', bootstrapBrokers });
    const offsets = await admin.listConsumerGroupOffsets({ groups: ['plt-eos'] });
    await admin.close();
    const committed = offsets[0]!.topics.find((t) => t.name === 'plt-in')!.partitions[0]!.committedOffset;
    assert.equal(committed, 3n);
    assert.deepEqual(await readCommitted(bootstrapBrokers, 'plt-out', 3), ['A', 'B', 'C']);
  });
});
