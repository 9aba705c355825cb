import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { RawConnection, startTestBroker, type TestBroker } from '../helpers/index.js';

describe('broker: idempotent producers (KIP-98)', () => {
  let broker: TestBroker;
  let c: RawConnection;
  before(async () => {
    broker = await startTestBroker();
    c = await RawConnection.connect(broker.port);
    await c.request(19, 4, { topics: [{ name: 'idem', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 });
  });
  after(async () => {
    c.close();
    await broker.close();
  });

  async function produce(producerId: number, producerEpoch: number, baseSequence: number, count = 2): Promise<{ errorCode: number; baseOffset: number }> {
    const records = Array.from({ length: count }, (_, i) => ({ value: Buffer.from(`s${baseSequence + i}`), timestamp: 1 }));
    const batch = await encodeRecordBatch({ records, producerId, producerEpoch, baseSequence });
    const res = await c.request(0, 7, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'idem', partitionData: [{ index: 0, records: batch }] }] });
    return res.responses[0]!.partitionResponses[0]!;
  }

  it('hands out distinct producer ids at epoch 0, also to a producer naming its old id (as Kafka does)', async () => {
    const a = await c.request(22, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
    const b = await c.request(22, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
    assert.equal(a.errorCode, 0);
    assert.equal(a.producerEpoch, 0);
    assert.notEqual(a.producerId, b.producerId);
    const again = await c.request(22, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: b.producerId, producerEpoch: 0 });
    assert.equal(again.errorCode, 0);
    assert.notEqual(again.producerId, b.producerId);
    assert.equal(again.producerEpoch, 0);
    const half = await c.request(22, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: b.producerId, producerEpoch: -1 });
    assert.equal(half.errorCode, ErrorCode.INVALID_REQUEST);
  });

  it('acknowledges a retried batch with its original offset and appends it once', async () => {
    const { producerId } = await c.request(22, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
    const log = broker.context.store.partition('idem', 0)!;
    const first = await produce(producerId, 0, 0);
    const second = await produce(producerId, 0, 2);
    assert.equal(first.errorCode, 0);
    assert.equal(second.baseOffset, first.baseOffset + 2);
    const end = log.logEndOffset;
    const retryFirst = await produce(producerId, 0, 0);
    const retrySecond = await produce(producerId, 0, 2);
    assert.deepEqual(retryFirst, { ...retryFirst, errorCode: 0, baseOffset: first.baseOffset });
    assert.equal(retrySecond.baseOffset, second.baseOffset);
    assert.equal(log.logEndOffset, end, 'duplicates are not appended');
    // The sequence continues after the last batch.
    const third = await produce(producerId, 0, 4);
    assert.equal(third.baseOffset, end);
  });

  it('rejects a sequence gap and a stale epoch; accepts a producer it does not know from any sequence', async () => {
    const { producerId } = await c.request(22, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
    const log = broker.context.store.partition('idem', 0)!;
    // Kafka (since KIP-360) no longer answers UNKNOWN_PRODUCER_ID: the state may have expired.
    assert.equal((await produce(producerId, 0, 5)).errorCode, 0);
    assert.equal((await produce(producerId, 0, 0)).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await produce(producerId, 0, 7)).errorCode, 0);
    const end = log.logEndOffset;
    assert.equal((await produce(producerId, 0, 12)).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    // A new epoch restarts the sequence at 0; the old epoch is then fenced.
    assert.equal((await produce(producerId, 1, 1)).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await produce(producerId, 1, 0)).errorCode, 0);
    assert.equal((await produce(producerId, 0, 9)).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
    assert.equal(log.logEndOffset, end + 2);
  });

  it('forgets only the oldest of more than five batches', async () => {
    const { producerId } = await c.request(22, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
    const offsets: number[] = [];
    for (let i = 0; i < 6; i++) offsets.push((await produce(producerId, 0, i * 2)).baseOffset);
    // Batches 1..5 are remembered; batch 0 is too old to be recognised as a duplicate.
    assert.equal((await produce(producerId, 0, 2)).baseOffset, offsets[1]);
    assert.equal((await produce(producerId, 0, 0)).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });
});
