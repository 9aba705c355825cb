import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin, Consumer, KafkaError, Producer, ErrorCode } from '../../src/client/index.js';
import { MemoryLogger } from '../../src/common/logger.js';
import { startTestBroker, type TestBroker } from '../helpers/index.js';

describe('client: transactional producer and read_committed consumer', () => {
  let broker: TestBroker;
  let admin: Admin;
  const client = () => ({ bootstrapServers: [broker.bootstrap], logger: new MemoryLogger(), retryBackoffMs: 20 });
  before(async () => {
    broker = await startTestBroker();
    admin = new Admin(client());
    await admin.createTopics({ topics: [{ name: 'ct', numPartitions: 2 }, { name: 'ct-in', numPartitions: 1 }, { name: 'ct-out', numPartitions: 1 }] });
  });
  after(async () => {
    await admin.close();
    await broker.close();
  });

  /** Reads values with a fresh group until `count` arrived (the partitions' ends with `untilEnd`). */
  async function read(topic: string, isolationLevel: 'read_committed' | 'read_uncommitted', count: number): Promise<string[]> {
    const consumer = new Consumer({ ...client(), groupId: `reader-${topic}-${isolationLevel}-${Math.random()}`, isolationLevel, autoOffsetReset: 'earliest', maxWaitMs: 50 });
    await consumer.subscribe({ topics: [topic] });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer.on('crash', reject);
      void consumer.run({
        eachMessage: ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length === count) resolve();
        },
      });
    });
    await consumer.close();
    return seen.sort();
  }

  it('commits and aborts; read_committed sees only committed records', async () => {
    const producer = new Producer({ ...client(), transactionalId: 'ct-1' });
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.send({ topic: 'ct', messages: [{ value: 'c1', partition: 0 }, { value: 'c2', partition: 1 }] });
    await producer.commitTransaction();
    producer.beginTransaction();
    const pending = producer.send({ topic: 'ct', messages: [{ value: 'a1', partition: 0 }] });
    await pending;
    await producer.abortTransaction();
    producer.beginTransaction();
    void producer.send({ topic: 'ct', messages: [{ value: 'c3', partition: 1 }] });
    // commit sends what is still buffered first.
    await producer.commitTransaction();
    await producer.close();
    assert.deepEqual(await read('ct', 'read_committed', 3), ['c1', 'c2', 'c3']);
    assert.deepEqual(await read('ct', 'read_uncommitted', 4), ['a1', 'c1', 'c2', 'c3']);
  });

  it('refuses sends outside a transaction and transaction calls on a plain producer', async () => {
    const producer = new Producer({ ...client(), transactionalId: 'ct-2' });
    await assert.rejects(producer.send({ topic: 'ct', messages: [{ value: 'x' }] }), /initTransactions/);
    await producer.initTransactions();
    await assert.rejects(producer.send({ topic: 'ct', messages: [{ value: 'x' }] }), /beginTransaction/);
    await producer.close();
    const plain = new Producer(client());
    assert.throws(() => plain.beginTransaction(), /transactionalId/);
    await plain.close();
    assert.throws(() => new Producer({ ...client(), transactionalId: 't', idempotent: false }), /idempotence/);
  });

  it('fences a zombie: the first instance cannot commit once a second one initialised', async () => {
    const zombie = new Producer({ ...client(), transactionalId: 'ct-zombie' });
    await zombie.initTransactions();
    zombie.beginTransaction();
    await zombie.send({ topic: 'ct', messages: [{ value: 'zombie', partition: 0 }] });
    const successor = new Producer({ ...client(), transactionalId: 'ct-zombie' });
    await successor.initTransactions();
    await assert.rejects(zombie.commitTransaction(), (err: KafkaError) => err.code === ErrorCode.PRODUCER_FENCED || err.code === ErrorCode.INVALID_PRODUCER_EPOCH);
    await zombie.close();
    await successor.close();
  });

  it('sendOffsetsToTransaction commits the consumer group offsets with the output', async () => {
    const seed = new Producer(client());
    await seed.send({ topic: 'ct-in', messages: ['m0', 'm1', 'm2'].map((value) => ({ value })) });
    await seed.close();
    const consumer = new Consumer({ ...client(), groupId: 'ct-eos', isolationLevel: 'read_committed', autoCommit: false, autoOffsetReset: 'earliest', maxWaitMs: 50 });
    const producer = new Producer({ ...client(), transactionalId: 'ct-eos-tx' });
    await producer.initTransactions();
    await consumer.subscribe({ topics: ['ct-in'] });
    await new Promise<void>((resolve, reject) => {
      consumer.on('crash', reject);
      void consumer.run({
        eachBatch: async ({ batch }) => {
          producer.beginTransaction();
          await producer.send({ topic: 'ct-out', messages: batch.messages.map((m) => ({ value: m.value!.toString().toUpperCase() })) });
          await producer.sendOffsetsToTransaction([{ topic: batch.topic, partition: batch.partition, offset: batch.lastOffset()! + 1 }], consumer.groupMetadata());
          await producer.commitTransaction();
          if (batch.lastOffset() === 2) resolve();
        },
      });
    });
    await consumer.close();
    await producer.close();
    const committed = await admin.fetchOffsets({ groupId: 'ct-eos', topics: [{ topic: 'ct-in' }] });
    assert.equal(committed[0]!.offset, 3);
    assert.deepEqual(await read('ct-out', 'read_committed', 3), ['M0', 'M1', 'M2']);
  });
});
