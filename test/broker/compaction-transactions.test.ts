import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeRecordBatches, encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { RawConnection, startTestBroker, type TestBroker } from '../helpers/index.js';

const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;
const TOPIC = 'txn-compacted';

/**
 * The log cleaner and transactions together, as Kafka's cleaner behaves: records of an aborted
 * transaction never stand in for their key's latest value (else the committed value would be
 * cleaned away and a read_committed consumer would see no value at all), and nothing from the
 * first open transaction on is cleaned.
 */
describe('broker: compacting a topic written by transactions', () => {
  let broker: TestBroker;
  let c: RawConnection;
  before(async () => {
    broker = await startTestBroker({ logCleanerEnable: false, logCleanerMinCleanableRatio: 0 });
    c = await RawConnection.connect(broker.port);
    await c.request(19, 4, {
      topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
      timeoutMs: 1000,
    });
  });
  after(async () => {
    c.close();
    await broker.close();
  });

  type Producer = { producerId: number; producerEpoch: number };

  async function transaction(transactionalId: string, entries: Array<[string, string]>, commit: boolean | null): Promise<Producer> {
    const p: Producer = await c.request(22, 4, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    await c.request(24, 3, { v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: p.producerId, v3AndBelowProducerEpoch: p.producerEpoch, v3AndBelowTopics: [{ name: TOPIC, partitions: [0] }] });
    const batch = await encodeRecordBatch({
      records: entries.map(([k, v]) => ({ key: Buffer.from(k), value: Buffer.from(v), timestamp: 1 })),
      producerId: p.producerId,
      producerEpoch: p.producerEpoch,
      baseSequence: 0,
      transactional: true,
    });
    const res = await c.request(0, 7, { transactionalId, acks: -1, timeoutMs: 1000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }] });
    assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, 0);
    if (commit !== null) assert.equal((await c.request(26, 3, { transactionalId, producerId: p.producerId, producerEpoch: p.producerEpoch, committed: commit })).errorCode, 0);
    return p;
  }

  async function readValues(isolationLevel: number): Promise<{ latest: Map<string, string>; all: string[] }> {
    const res = await c.request(1, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const p = res.responses[0]!.partitions[0]!;
    const aborted = (p.abortedTransactions ?? []).map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }));
    const batches = p.records === null || p.records.length === 0 ? [] : await decodeRecordBatches(p.records);
    const latest = new Map<string, string>();
    const all: string[] = [];
    for (const b of batches) {
      if (b.isControl) continue;
      // What a read_committed consumer does with the aborted-transactions list.
      if (isolationLevel === READ_COMMITTED && aborted.some((t) => t.producerId === b.header.producerId && b.header.baseOffset >= t.firstOffset)) continue;
      for (const r of b.records) {
        latest.set(r.key!.toString(), r.value!.toString());
        all.push(r.value!.toString());
      }
    }
    return { latest, all };
  }

  it('keeps the committed value of a key whose latest write was aborted, and does not clean past an open transaction', async () => {
    await transaction('committer', [['k', 'committed'], ['other', 'one']], true);
    await transaction('aborter', [['k', 'aborted']], false);
    await transaction('latecomer', [['other', 'two']], true);
    const log = broker.context.store.partition(TOPIC, 0)!;
    log.roll();
    const open = await transaction('still-open', [['other', 'open']], null);
    await transaction('after-open', [['other', 'three']], true);
    log.roll();
    const passes = await broker.cleanLogs();
    assert.equal(passes.length, 1, 'the log was cleaned');
    const unstable = log.producers.firstUnstableOffset()!;
    assert.ok(passes[0]!.firstUncleanableOffset <= unstable, `the pass stopped at ${passes[0]!.firstUncleanableOffset}, before the open transaction at ${unstable}`);
    const { latest: committed } = await readValues(READ_COMMITTED);
    assert.equal(committed.get('k'), 'committed', 'the aborted write did not hide the committed value');
    assert.equal(committed.get('other'), 'two', 'read_committed stops at the open transaction');
    const uncommitted = await readValues(READ_UNCOMMITTED);
    assert.deepEqual(uncommitted.all.slice(-2), ['open', 'three'], 'nothing from the open transaction on was cleaned');
    assert.ok(!uncommitted.all.includes('one'), 'the cleaned section dropped superseded values');
    assert.equal((await c.request(26, 3, { transactionalId: 'still-open', producerId: open.producerId, producerEpoch: open.producerEpoch, committed: true })).errorCode, 0);
  });
});
