import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BROKER_EVENTS, subscribeBrokerEvent } from '../../src/broker/index.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { RawConnection, startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';

describe('broker: the retention timer', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker({ durable: true, logRetentionCheckIntervalMs: 50 });
  });
  after(() => broker.close());

  it('deletes segments past retention.ms on its own schedule and moves the log start offset', async () => {
    const c = await RawConnection.connect(broker.port);
    const created = await c.request(19, 7, {
      topics: [{ name: 'old', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'segment.bytes', value: '1024' }, { name: 'retention.ms', value: '60000' }] }],
      timeoutMs: 1000,
    });
    assert.equal(created.topics[0]!.errorCode, 0);
    let deleted = 0;
    const unsubscribe = subscribeBrokerEvent(BROKER_EVENTS.retentionApplied, (e) => {
      if (e.port === broker.port) deleted += e.segmentsDeleted;
    });
    try {
      // Records stamped in 1970: every closed segment is far past retention.ms.
      for (let i = 0; i < 6; i++) {
        const batch = await encodeRecordBatch({ records: [{ value: Buffer.alloc(600, i), timestamp: 1000 + i }] });
        const res = await c.request(0, 7, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'old', partitionData: [{ index: 0, records: batch }] }] });
        assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, 0);
      }
      await waitFor(() => deleted > 0, 10_000, 'a retention pass that deletes segments');
      const earliest = await c.request(2, 7, { replicaId: -1, topics: [{ name: 'old', partitions: [{ partitionIndex: 0, timestamp: -2 }] }] });
      assert.ok(earliest.topics[0]!.partitions[0]!.offset > 0, 'the log start offset moved forward');
      assert.ok(broker.logger.lines.some((l) => l.message === 'retention deleted segments'));
    } finally {
      unsubscribe();
      c.close();
    }
  });
});
