import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { subscribeTxnEvent, TXN_EVENTS } from '../../src/broker/txn/events.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { RawConnection, startTestBroker, type TestBroker } from '../helpers/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;

describe('broker: transactions (KIP-98)', () => {
  let broker: TestBroker;
  let c: RawConnection;
  before(async () => {
    broker = await startTestBroker();
    c = await RawConnection.connect(broker.port);
    await c.request(19, 4, { topics: [{ name: 'tx', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 });
  });
  after(async () => {
    c.close();
    await broker.close();
  });

  async function init(transactionalId: string, transactionTimeoutMs = 60_000): Promise<{ producerId: number; producerEpoch: number; errorCode: number }> {
    return c.request(22, 4, { transactionalId, transactionTimeoutMs, producerId: -1, producerEpoch: -1 });
  }

  async function addPartitions(transactionalId: string, p: { producerId: number; producerEpoch: number }, partitions: number[], version = 3): Promise<number[]> {
    const res = await c.request(24, version, { v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: p.producerId, v3AndBelowProducerEpoch: p.producerEpoch, v3AndBelowTopics: [{ name: 'tx', partitions }] });
    return res.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((r) => r.partitionErrorCode));
  }

  async function produce(transactionalId: string | null, p: { producerId: number; producerEpoch: number }, partition: number, sequence: number, values: string[], transactional = true): Promise<{ errorCode: number; baseOffset: number }> {
    const batch = await encodeRecordBatch({ records: values.map((v) => ({ value: Buffer.from(v), timestamp: 1 })), producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence: sequence, transactional });
    const res = await c.request(0, 7, { transactionalId, acks: -1, timeoutMs: 1000, topicData: [{ name: 'tx', partitionData: [{ index: partition, records: batch }] }] });
    return res.responses[0]!.partitionResponses[0]!;
  }

  async function endTxn(transactionalId: string, p: { producerId: number; producerEpoch: number }, committed: boolean, version = 3): Promise<number> {
    return (await c.request(26, version, { transactionalId, producerId: p.producerId, producerEpoch: p.producerEpoch, committed })).errorCode;
  }

  async function fetch(partition: number, isolationLevel: number, fetchOffset = 0) {
    const res = await c.request(1, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'tx', partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const p = res.responses[0]!.partitions[0]!;
    const batches = p.records === null || p.records.length === 0 ? [] : await decodeRecordBatches(p.records);
    return { ...p, batches, values: batches.filter((b) => !b.isControl).flatMap((b) => b.records.map((r) => r.value!.toString())) };
  }

  /** The next completion of a transactional id's transaction. */
  function completed(transactionalId: string): Promise<{ result: string }> {
    return new Promise((resolve) => {
      const stop = subscribeTxnEvent(TXN_EVENTS.transactionCompleted, (e) => {
        if (e.transactionalId !== transactionalId || e.port !== broker.port) return;
        stop();
        resolve(e);
      });
    });
  }

  it('finds this broker as the transaction coordinator', async () => {
    const res = await c.request(10, 3, { key: 'any', keyType: 1 });
    assert.deepEqual([res.errorCode, res.nodeId, res.port], [0, broker.config.nodeId, broker.port]);
  });

  it('commits: read_committed sees nothing until the COMMIT marker, then everything; the LSO holds at the first offset', async () => {
    const p = await init('commit');
    assert.equal(p.errorCode, 0);
    assert.deepEqual(await addPartitions('commit', p, [0]), [0]);
    const start = (await fetch(0, READ_UNCOMMITTED)).highWatermark;
    const first = await produce('commit', p, 0, 0, ['a', 'b']);
    assert.equal(first.errorCode, 0);
    await produce('commit', p, 0, 2, ['c']);
    const before = await fetch(0, READ_COMMITTED, start);
    assert.deepEqual(before.values, []);
    assert.equal(before.lastStableOffset, first.baseOffset);
    assert.deepEqual((await fetch(0, READ_UNCOMMITTED, start)).values, ['a', 'b', 'c']);
    const latest = await c.request(2, 5, { replicaId: -1, isolationLevel: READ_COMMITTED, topics: [{ name: 'tx', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] });
    assert.equal(latest.topics[0]!.partitions[0]!.offset, first.baseOffset, 'ListOffsets READ_COMMITTED latest is the LSO');
    assert.equal(await endTxn('commit', p, true), 0);
    const afterCommit = await fetch(0, READ_COMMITTED, start);
    assert.deepEqual(afterCommit.values, ['a', 'b', 'c']);
    assert.equal(afterCommit.lastStableOffset, afterCommit.highWatermark);
    assert.deepEqual(afterCommit.abortedTransactions, []);
    const markerBatch = afterCommit.batches.at(-1)!;
    assert.equal(markerBatch.isControl, true);
    assert.equal(markerBatch.header.producerId, p.producerId);
  });

  it('aborts: read_committed fetches carry the aborted transaction so consumers drop its records', async () => {
    const p = await init('abort');
    await addPartitions('abort', p, [1]);
    const start = (await fetch(1, READ_UNCOMMITTED)).highWatermark;
    const data = await produce('abort', p, 1, 0, ['x']);
    assert.equal(await endTxn('abort', p, false), 0);
    const res = await fetch(1, READ_COMMITTED, start);
    assert.deepEqual(res.abortedTransactions, [{ producerId: p.producerId, firstOffset: data.baseOffset }]);
    assert.equal(res.lastStableOffset, res.highWatermark);
    // A retried EndTxn gets the same answer; the other outcome is refused.
    assert.equal(await endTxn('abort', p, false), 0);
    assert.equal(await endTxn('abort', p, true), ErrorCode.INVALID_TXN_STATE);
  });

  it('refuses transactional data for a partition not in the transaction, and plain data while one is open', async () => {
    const p = await init('strict');
    await addPartitions('strict', p, [0]);
    assert.equal((await produce('strict', p, 1, 0, ['nope'])).errorCode, ErrorCode.INVALID_TXN_STATE);
    assert.equal((await produce(null, p, 0, 0, ['nope'])).errorCode, ErrorCode.INVALID_TXN_STATE, 'no transactional id');
    assert.equal((await produce('strict', p, 0, 0, ['ok'])).errorCode, 0);
    assert.equal((await produce('strict', p, 0, 1, ['plain'], false)).errorCode, ErrorCode.INVALID_TXN_STATE, 'a plain batch inside the transaction');
    await endTxn('strict', p, false);
  });

  it('fences a zombie: a second instance aborts its transaction, and its late writes are refused', async () => {
    const zombie = await init('fence');
    await addPartitions('fence', zombie, [0]);
    assert.equal((await produce('fence', zombie, 0, 0, ['z1'])).errorCode, 0);
    // The new instance: first CONCURRENT_TRANSACTIONS while the zombie's transaction is aborted, then a bumped epoch.
    const aborted = completed('fence');
    assert.equal((await init('fence')).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    assert.equal((await aborted).result, 'abort');
    const fresh = await init('fence');
    assert.equal(fresh.errorCode, 0);
    assert.equal(fresh.producerId, zombie.producerId);
    assert.equal(fresh.producerEpoch, zombie.producerEpoch + 2);
    assert.equal((await produce('fence', zombie, 0, 1, ['z2'])).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
    assert.deepEqual(await addPartitions('fence', zombie, [1]), [ErrorCode.PRODUCER_FENCED]);
    assert.deepEqual(await addPartitions('fence', zombie, [1], 1), [ErrorCode.INVALID_PRODUCER_EPOCH], 'v0-1 clients get INVALID_PRODUCER_EPOCH');
    assert.equal(await endTxn('fence', zombie, true), ErrorCode.PRODUCER_FENCED);
  });

  it('keeps transactional offsets pending (RequireStable: UNSTABLE_OFFSET_COMMIT) until the commit', async () => {
    const p = await init('offsets');
    assert.equal((await c.request(25, 3, { transactionalId: 'offsets', producerId: p.producerId, producerEpoch: p.producerEpoch, groupId: 'g' })).errorCode, 0);
    const commit = await c.request(28, 3, {
      transactionalId: 'offsets', groupId: 'g', producerId: p.producerId, producerEpoch: p.producerEpoch, generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 'tx', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: null }, { partitionIndex: 9, committedOffset: 1 }] }, { name: 'nope', partitions: [{ partitionIndex: 0, committedOffset: 1 }] }],
    });
    assert.deepEqual(commit.topics.map((t) => t.partitions.map((x) => x.errorCode)), [[0], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
    const fetchOffsets = (requireStable: boolean) => c.request(9, 7, { groupId: 'g', topics: [{ name: 'tx', partitionIndexes: [0] }], requireStable });
    assert.equal((await fetchOffsets(true)).topics![0]!.partitions[0]!.errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT);
    assert.equal((await fetchOffsets(false)).topics![0]!.partitions[0]!.committedOffset, -1);
    assert.equal(await endTxn('offsets', p, true), 0);
    const done = (await fetchOffsets(true)).topics![0]!.partitions[0]!;
    assert.deepEqual([done.errorCode, done.committedOffset], [0, 42]);
    // Offsets for a group the producer did not add are refused.
    const stray = await c.request(28, 3, { transactionalId: 'offsets', groupId: 'other', producerId: p.producerId, producerEpoch: p.producerEpoch, topics: [{ name: 'tx', partitions: [{ partitionIndex: 0, committedOffset: 1 }] }] });
    assert.equal(stray.topics[0]!.partitions[0]!.errorCode, ErrorCode.INVALID_TXN_STATE);
  });

  it('describes and lists transactions, describes producers, and aborts a hanging transaction with WriteTxnMarkers', async () => {
    const p = await init('tools');
    await addPartitions('tools', p, [1]);
    const data = await produce('tools', p, 1, 0, ['t']);
    const described = await c.request(65, 0, { transactionalIds: ['tools', 'unknown'] });
    assert.equal(described.transactionStates[0]!.transactionState, 'Ongoing');
    assert.deepEqual(described.transactionStates[0]!.topics, [{ topic: 'tx', partitions: [1] }]);
    assert.equal(described.transactionStates[1]!.errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    const listed = await c.request(66, 1, { stateFilters: ['Ongoing'], producerIdFilters: [], durationFilter: -1 });
    assert.ok(listed.transactionStates.some((t) => t.transactionalId === 'tools'));
    const producers = await c.request(61, 0, { topics: [{ name: 'tx', partitionIndexes: [1] }] });
    const mine = producers.topics[0]!.partitions[0]!.activeProducers.find((x) => x.producerId === p.producerId)!;
    assert.equal(mine.currentTxnStartOffset, data.baseOffset);
    const marked = await c.request(27, 1, { markers: [{ producerId: p.producerId, producerEpoch: p.producerEpoch, transactionResult: false, coordinatorEpoch: 0, topics: [{ name: 'tx', partitionIndexes: [1] }] }] });
    assert.equal(marked.markers[0]!.topics[0]!.partitions[0]!.errorCode, 0);
    const res = await fetch(1, READ_COMMITTED, data.baseOffset);
    assert.equal(res.lastStableOffset, res.highWatermark);
    assert.deepEqual(res.abortedTransactions, [{ producerId: p.producerId, firstOffset: data.baseOffset }]);
    const stale = await c.request(27, 1, { markers: [{ producerId: p.producerId, producerEpoch: p.producerEpoch - 1, transactionResult: false, coordinatorEpoch: 0, topics: [{ name: 'tx', partitionIndexes: [1] }] }] });
    assert.equal(stale.markers[0]!.topics[0]!.partitions[0]!.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
    await endTxn('tools', p, false);
  });

  it('aborts a transaction that outlives its timeout', async () => {
    const p = await init('slow', 200);
    await addPartitions('slow', p, [0]);
    const aborted = completed('slow');
    await produce('slow', p, 0, 0, ['late']);
    assert.equal((await aborted).result, 'abort');
    assert.equal((await c.request(65, 0, { transactionalIds: ['slow'] })).transactionStates[0]!.transactionState, 'CompleteAbort');
    assert.equal(await endTxn('slow', p, true), ErrorCode.PRODUCER_FENCED);
  });
});

describe('broker: transactions across a restart', () => {
  it('keeps transactional ids, open transactions and the LSO through a restart, and completes them after', async () => {
    const dir = await makeTempDir('samsa-txn-restart-');
    after(() => dir.remove());
    const first = await startTestBroker({ dataDir: dir.path });
    let c = await RawConnection.connect(first.port);
    await c.request(19, 4, { topics: [{ name: 'r', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 });
    const p = await c.request(22, 4, { transactionalId: 'r', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    await c.request(24, 3, { v3AndBelowTransactionalId: 'r', v3AndBelowProducerId: p.producerId, v3AndBelowProducerEpoch: p.producerEpoch, v3AndBelowTopics: [{ name: 'r', partitions: [0] }] });
    const batch = await encodeRecordBatch({ records: [{ value: Buffer.from('v'), timestamp: 1 }], producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence: 0, transactional: true });
    const produced = await c.request(0, 7, { transactionalId: 'r', acks: -1, timeoutMs: 1000, topicData: [{ name: 'r', partitionData: [{ index: 0, records: batch }] }] });
    const offset = produced.responses[0]!.partitionResponses[0]!.baseOffset;
    c.close();
    await first.close();
    const second = await startTestBroker({ dataDir: dir.path });
    try {
      c = await RawConnection.connect(second.port);
      const log = second.context.store.partition('r', 0)!;
      assert.equal(log.producers.lastStableOffset(log.logEndOffset), offset, 'the open transaction still holds the LSO');
      assert.equal(second.context.txn.coordinator.transaction('r')!.state, 'Ongoing');
      const end = await c.request(26, 3, { transactionalId: 'r', producerId: p.producerId, producerEpoch: p.producerEpoch, committed: true });
      assert.equal(end.errorCode, 0);
      assert.equal(log.producers.lastStableOffset(log.logEndOffset), log.logEndOffset);
      c.close();
    } finally {
      await second.close();
    }
  });
});
