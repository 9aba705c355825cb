import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../protocol/errors.js';
import type { InitProducerIdResponseInit } from '../../protocol/messages/index.js';
import { decodeTxnRecord, encodeTxnRecordKey, encodeTxnRecordValue, type TxnRecord } from './records.js';
import { initBody, TxnCoordinatorKit } from './test-kit.js';

interface Init {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

function init(kit: TxnCoordinatorKit, transactionalId: string | null, overrides: Parameters<typeof initBody>[1] = {}): Init {
  return kit.call('init-producer-id', initBody(transactionalId, overrides)) as InitProducerIdResponseInit as Init;
}

function add(kit: TxnCoordinatorKit, id: string, producer: { producerId: number; producerEpoch: number }, partitions: Array<[string, number]>): number {
  const r = kit.call('add-partitions', {
    transactionalId: id,
    producerId: producer.producerId,
    producerEpoch: producer.producerEpoch,
    partitions: partitions.map(([topic, partition]) => ({ topic, partition })),
  });
  return (r as { errorCode: number }).errorCode;
}

function end(kit: TxnCoordinatorKit, id: string, producer: { producerId: number; producerEpoch: number }, committed: boolean) {
  return kit.call('end-txn', { transactionalId: id, producerId: producer.producerId, producerEpoch: producer.producerEpoch, committed });
}

describe('transaction coordinator: producer ids', () => {
  it('hands idempotent producers fresh ids at epoch 0, reserving a block durably first', () => {
    const kit = new TxnCoordinatorKit({ config: { producerIdBlockSize: 3, firstProducerId: 100 } });
    const ids = Array.from({ length: 4 }, () => init(kit, null));
    assert.deepEqual(ids.map((r) => [r.errorCode, r.producerId, r.producerEpoch]), [[0, 100, 0], [0, 101, 0], [0, 102, 0], [0, 103, 0]]);
    assert.deepEqual(kit.records(), [
      { type: 'producer-id-block', firstProducerId: 100, size: 3 },
      { type: 'producer-id-block', firstProducerId: 103, size: 3 },
    ]);
  });

  it('never hands out an id twice across restarts (a restart starts a new block)', () => {
    const kit = new TxnCoordinatorKit({ config: { producerIdBlockSize: 10 } });
    const before = init(kit, null).producerId;
    kit.restart();
    const after = init(kit, null).producerId;
    assert.equal(before, 0);
    assert.equal(after, 10);
  });

  it('gives an idempotent producer recovering with its id and epoch (KIP-360) a new id, as Kafka does', () => {
    const kit = new TxnCoordinatorKit();
    const first = init(kit, null);
    const again = init(kit, null, { producerId: first.producerId, producerEpoch: first.producerEpoch });
    assert.notEqual(again.producerId, first.producerId);
    assert.equal(again.producerEpoch, 0);
  });

  it('rejects a producer id without an epoch, an empty transactional id and a timeout above the maximum', () => {
    const kit = new TxnCoordinatorKit();
    assert.equal(init(kit, null, { producerId: 5 }).errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(init(kit, '').errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(init(kit, 't', { transactionTimeoutMs: 900_001 }).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    assert.equal(init(kit, 't', { transactionTimeoutMs: 0 }).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  });
});

describe('transaction coordinator: transactional ids', () => {
  it('starts a transactional id at epoch 0 and bumps the epoch for every new instance', () => {
    const kit = new TxnCoordinatorKit();
    const a = init(kit, 'tx');
    const b = init(kit, 'tx');
    assert.equal(a.producerEpoch, 0);
    assert.equal(b.producerId, a.producerId);
    assert.equal(b.producerEpoch, 1);
    assert.equal(add(kit, 'tx', a, [['t', 0]]), ErrorCode.PRODUCER_FENCED);
    assert.equal(add(kit, 'tx', b, [['t', 0]]), ErrorCode.NONE);
  });

  it('commits: Ongoing, PrepareCommit with markers for every partition and group, then CompleteCommit and the parked EndTxn answered', () => {
    const kit = new TxnCoordinatorKit();
    const p = init(kit, 'tx');
    assert.equal(add(kit, 'tx', p, [['b', 1], ['a', 0]]), ErrorCode.NONE);
    assert.equal((kit.call('add-offsets', { transactionalId: 'tx', producerId: p.producerId, producerEpoch: p.producerEpoch, groupId: 'g' }) as { errorCode: number }).errorCode, ErrorCode.NONE);
    assert.equal(kit.core.transaction('tx')!.state, 'Ongoing');
    assert.equal(kit.core.verifyPartition('tx', p.producerId, p.producerEpoch, 'a', 0), ErrorCode.NONE);
    assert.equal(kit.core.verifyPartition('tx', p.producerId, p.producerEpoch, 'a', 1), ErrorCode.TRANSACTION_ABORTABLE);
    assert.equal(kit.core.verifyGroup('tx', p.producerId, p.producerEpoch, 'g'), ErrorCode.NONE);
    const ended = end(kit, 'tx', p, true) as { parked: number };
    assert.ok('parked' in ended);
    assert.equal(kit.core.transaction('tx')!.state, 'PrepareCommit');
    assert.deepEqual(kit.pendingMarkers, [
      { transactionalId: 'tx', producerId: p.producerId, producerEpoch: 0, result: 'commit', partitions: [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 1 }], groups: ['g'], coordinatorEpoch: 0 },
    ]);
    // While the markers are being written the producer must wait.
    assert.equal(add(kit, 'tx', p, [['a', 0]]), ErrorCode.CONCURRENT_TRANSACTIONS);
    kit.writeMarkers();
    assert.equal(kit.completions.get(ended.parked)!.errorCode, ErrorCode.NONE);
    const meta = kit.core.transaction('tx')!;
    assert.equal(meta.state, 'CompleteCommit');
    assert.deepEqual(meta.partitions, []);
    // A retried EndTxn is answered NONE; the other outcome is INVALID_TXN_STATE.
    assert.equal((end(kit, 'tx', p, true) as { errorCode: number }).errorCode, ErrorCode.NONE);
    assert.equal((end(kit, 'tx', p, false) as { errorCode: number }).errorCode, ErrorCode.INVALID_TXN_STATE);
  });

  it('answers EndTxn with nothing in the transaction INVALID_TXN_STATE and unknown ids INVALID_PRODUCER_ID_MAPPING', () => {
    const kit = new TxnCoordinatorKit();
    const p = init(kit, 'tx');
    assert.equal((end(kit, 'tx', p, true) as { errorCode: number }).errorCode, ErrorCode.INVALID_TXN_STATE);
    assert.equal((end(kit, 'nope', p, true) as { errorCode: number }).errorCode, ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    assert.equal(add(kit, 'tx', { producerId: p.producerId + 1, producerEpoch: 0 }, [['a', 0]]), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  });

  it('fences a running transaction: a new instance aborts it under a bumped epoch and retries', () => {
    const kit = new TxnCoordinatorKit();
    const old = init(kit, 'tx');
    add(kit, 'tx', old, [['a', 0]]);
    const first = init(kit, 'tx');
    assert.equal(first.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    const meta = kit.core.transaction('tx')!;
    assert.equal(meta.state, 'PrepareAbort');
    assert.equal(meta.producerEpoch, 1);
    assert.equal(kit.pendingMarkers[0]!.result, 'abort');
    assert.equal(kit.pendingMarkers[0]!.producerEpoch, 1);
    assert.equal(init(kit, 'tx').errorCode, ErrorCode.CONCURRENT_TRANSACTIONS, 'still aborting');
    kit.writeMarkers();
    const retried = init(kit, 'tx');
    assert.equal(retried.errorCode, ErrorCode.NONE);
    assert.equal(retried.producerEpoch, 2);
    // The zombie can neither end its transaction nor recover its epoch.
    assert.equal((end(kit, 'tx', old, true) as { errorCode: number }).errorCode, ErrorCode.PRODUCER_FENCED);
    assert.equal(init(kit, 'tx', { producerId: old.producerId, producerEpoch: old.producerEpoch }).errorCode, ErrorCode.PRODUCER_FENCED);
    assert.ok(kit.events.some((e) => e.type === 'producer-fenced' && e.fencedEpoch === 0 && e.newEpoch === 1));
  });

  it('aborts a transaction that outlives its timeout and fences its producer', () => {
    const kit = new TxnCoordinatorKit();
    const p = init(kit, 'tx', { transactionTimeoutMs: 10_000 });
    add(kit, 'tx', p, [['a', 0]]);
    kit.advance(9_999);
    assert.equal(kit.core.transaction('tx')!.state, 'Ongoing');
    kit.advance(1);
    assert.equal(kit.core.transaction('tx')!.state, 'PrepareAbort');
    kit.writeMarkers();
    assert.equal(kit.core.transaction('tx')!.state, 'CompleteAbort');
    assert.equal((end(kit, 'tx', p, true) as { errorCode: number }).errorCode, ErrorCode.PRODUCER_FENCED);
    assert.ok(kit.events.some((e) => e.type === 'transaction-ending' && e.reason === 'timeout'));
  });

  it('lets a producer recover from an abortable error with its id and epoch (KIP-360), and answers a retried bump the same', () => {
    const kit = new TxnCoordinatorKit();
    const p = init(kit, 'tx');
    const bumped = init(kit, 'tx', { producerId: p.producerId, producerEpoch: p.producerEpoch });
    assert.deepEqual([bumped.errorCode, bumped.producerId, bumped.producerEpoch], [ErrorCode.NONE, p.producerId, 1]);
    const retry = init(kit, 'tx', { producerId: p.producerId, producerEpoch: p.producerEpoch });
    assert.deepEqual([retry.errorCode, retry.producerEpoch], [ErrorCode.NONE, 1]);
    const other = init(kit, 'tx');
    assert.equal(other.producerEpoch, 2);
    assert.equal(init(kit, 'tx', { producerId: p.producerId, producerEpoch: 1 }).errorCode, ErrorCode.PRODUCER_FENCED);
  });

  it('rotates to a new producer id when the epoch is exhausted, and accepts a retry naming the old id', () => {
    const kit = new TxnCoordinatorKit();
    const p = init(kit, 'tx');
    const meta = kit.core.transaction('tx')!;
    // Jump close to the end of the epochs through a record, as a long-lived id would get there.
    const record: TxnRecord = { type: 'txn-metadata', transactionalId: 'tx', value: { ...meta, producerEpoch: 32_765 } };
    kit.core.replay(record);
    const last = init(kit, 'tx', { producerId: p.producerId, producerEpoch: 32_765 });
    assert.deepEqual([last.producerId, last.producerEpoch], [p.producerId, 32_766]);
    const rotated = init(kit, 'tx', { producerId: p.producerId, producerEpoch: 32_766 });
    assert.notEqual(rotated.producerId, p.producerId);
    assert.equal(rotated.producerEpoch, 0);
    const retry = init(kit, 'tx', { producerId: p.producerId, producerEpoch: 32_766 });
    assert.equal(retry.errorCode, ErrorCode.NONE);
  });

  it('forgets a transactional id idle for transactional.id.expiration.ms', () => {
    const kit = new TxnCoordinatorKit({ config: { transactionalIdExpirationMs: 60_000 } });
    const p = init(kit, 'tx');
    add(kit, 'tx', p, [['a', 0]]);
    kit.advance(30_000);
    assert.ok(kit.core.transaction('tx'), 'a running transaction never expires');
    end(kit, 'tx', p, false);
    kit.writeMarkers();
    kit.advance(59_999);
    assert.ok(kit.core.transaction('tx'));
    kit.advance(1);
    assert.equal(kit.core.transaction('tx'), undefined);
    assert.deepEqual(kit.records().at(-1), { type: 'txn-metadata', transactionalId: 'tx', value: null });
  });
});

describe('transaction coordinator: restart', () => {
  it('rebuilds every transaction from its log, with timeouts still running', () => {
    const kit = new TxnCoordinatorKit();
    const p = init(kit, 'tx', { transactionTimeoutMs: 5000 });
    add(kit, 'tx', p, [['a', 0]]);
    const before = kit.core.durableFingerprint();
    kit.restart();
    assert.equal(kit.core.durableFingerprint(), before);
    kit.advance(5000);
    assert.equal(kit.core.transaction('tx')!.state, 'PrepareAbort');
  });

  it('writes the markers again for a transaction caught between Prepare and Complete', () => {
    const kit = new TxnCoordinatorKit();
    const p = init(kit, 'tx');
    add(kit, 'tx', p, [['a', 0]]);
    end(kit, 'tx', p, true);
    const result = kit.restart();
    assert.equal(result.markers.length, 1);
    assert.equal(result.markers[0]!.result, 'commit');
    kit.writeMarkers();
    assert.equal(kit.core.transaction('tx')!.state, 'CompleteCommit');
  });

  it('answers parked EndTxn calls NOT_COORDINATOR when it stops', () => {
    const kit = new TxnCoordinatorKit();
    const p = init(kit, 'tx');
    add(kit, 'tx', p, [['a', 0]]);
    end(kit, 'tx', p, true);
    const completions = kit.core.unload();
    assert.deepEqual(completions.map((c) => c.response.errorCode), [ErrorCode.NOT_COORDINATOR]);
  });
});

describe('transaction coordinator: tools', () => {
  it('describes and lists transactions with their filters', () => {
    const kit = new TxnCoordinatorKit();
    const a = init(kit, 'a');
    init(kit, 'b');
    add(kit, 'a', a, [['t', 1], ['t', 0]]);
    kit.call('add-offsets', { transactionalId: 'a', producerId: a.producerId, producerEpoch: 0, groupId: 'my-group' });
    const described = kit.call('describe', { transactionalIds: ['a', 'zz', ''] }) as { transactionStates: Array<{ errorCode: number; transactionState: string; topics: Array<{ topic: string; partitions: number[] }> }> };
    assert.deepEqual(described.transactionStates.map((s) => s.errorCode), [ErrorCode.NONE, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, ErrorCode.INVALID_REQUEST]);
    assert.equal(described.transactionStates[0]!.transactionState, 'Ongoing');
    assert.deepEqual(described.transactionStates[0]!.topics[0], { topic: 't', partitions: [0, 1] });
    assert.equal(described.transactionStates[0]!.topics[1]!.topic, '__consumer_offsets');
    const list = (filters: { stateFilters?: string[]; producerIdFilters?: number[]; durationFilter?: number }) =>
      kit.call('list', { stateFilters: filters.stateFilters ?? [], producerIdFilters: filters.producerIdFilters ?? [], durationFilter: filters.durationFilter ?? -1 }) as {
        transactionStates: Array<{ transactionalId: string }>;
        unknownStateFilters: string[];
      };
    assert.deepEqual(list({}).transactionStates.map((s) => s.transactionalId), ['a', 'b']);
    assert.deepEqual(list({ stateFilters: ['Ongoing', 'Bogus'] }).transactionStates.map((s) => s.transactionalId), ['a']);
    assert.deepEqual(list({ stateFilters: ['Bogus'] }).unknownStateFilters, ['Bogus']);
    assert.deepEqual(list({ producerIdFilters: [a.producerId] }).transactionStates.map((s) => s.transactionalId), ['a']);
    kit.advance(1000);
    assert.deepEqual(list({ durationFilter: 500, stateFilters: ['Ongoing'] }).transactionStates.map((s) => s.transactionalId), ['a']);
    assert.deepEqual(list({ durationFilter: 5000, stateFilters: ['Ongoing'] }).transactionStates, []);
  });
});

describe('transaction records', () => {
  it('round-trip through their binary form', () => {
    const records: TxnRecord[] = [
      { type: 'producer-id-block', firstProducerId: 2 ** 40, size: 1000 },
      {
        type: 'txn-metadata',
        transactionalId: 'tx-é',
        value: {
          producerId: 7,
          previousProducerId: 6,
          producerEpoch: 3,
          lastProducerEpoch: -1,
          txnTimeoutMs: 60_000,
          state: 'PrepareCommit',
          partitions: [{ topic: 'a', partition: 2 }],
          groups: ['g1', 'g2'],
          txnStartTimestampMs: 1_700_000_000_000,
          txnLastUpdateTimestampMs: 1_700_000_000_500,
        },
      },
      { type: 'txn-metadata', transactionalId: 'tx', value: null },
    ];
    for (const r of records) assert.deepEqual(decodeTxnRecord(encodeTxnRecordKey(r), encodeTxnRecordValue(r)), r);
  });
});
