import assert from 'node:assert/strict';
import { cp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../src/common/clock.js';
import { MemoryLogger } from '../../src/common/logger.js';
import { encodeEndTxnMarker } from '../../src/protocol/control-record.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { readBatchHeader } from '../../src/protocol/record-batch-header.js';
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js';
import { openLogStore, type LogStore, type PartitionLog } from '../../src/storage/index.js';
import { fileStoreOptions, tempDataDir } from './helpers.js';

interface ProducerBatch {
  producerId: number;
  epoch?: number;
  sequence: number;
  records?: number;
  transactional?: boolean;
  timestampMs?: number;
}

async function batch(o: ProducerBatch): Promise<Buffer> {
  const b = new RecordBatchBuilder(256);
  for (let i = 0; i < (o.records ?? 1); i++) b.append(null, Buffer.from(`v${o.sequence + i}`), undefined, o.timestampMs ?? 1000);
  return b.finish({ producerId: o.producerId, producerEpoch: o.epoch ?? 0, baseSequence: o.sequence, transactional: o.transactional ?? false });
}

/** Checks the batch like the broker does, then appends it; returns the check's verdict. */
async function produce(log: PartitionLog, o: ProducerBatch): Promise<{ kind: string; offset?: number; errorCode?: number }> {
  const data = await batch(o);
  const check = log.producers.check(readBatchHeader(data));
  if (check.kind === 'error') return { kind: 'error', errorCode: check.errorCode };
  if (check.kind === 'duplicate') return { kind: 'duplicate', offset: check.firstOffset };
  return { kind: 'append', offset: log.append(data, 2000).baseOffset };
}

async function marker(log: PartitionLog, producerId: number, committed: boolean, epoch = 0): Promise<number> {
  return log.append(await encodeEndTxnMarker({ producerId, producerEpoch: epoch, committed, coordinatorEpoch: 0, timestampMs: 2000 }), 2000).baseOffset;
}

async function memoryLog(): Promise<{ store: LogStore; log: PartitionLog }> {
  const store = await openLogStore({ dataDir: null, segmentBytes: 1 << 20, retentionMs: -1, retentionBytes: -1, flushPolicy: 'interval', flushIntervalMs: 1000, log: new MemoryLogger(), clock: new ManualClock(0) });
  await store.createTopic('t', 1, {});
  return { store, log: store.partition('t', 0)! };
}

describe('producer state: sequences and epochs', () => {
  it('de-duplicates a retry of any of the last five batches and answers with its first offset', async () => {
    const { log } = await memoryLog();
    for (let s = 0; s < 6; s++) assert.equal((await produce(log, { producerId: 7, sequence: s })).kind, 'append');
    assert.deepEqual(await produce(log, { producerId: 7, sequence: 3 }), { kind: 'duplicate', offset: 3 });
    // Older than the last five: no longer recognised, and out of order.
    assert.deepEqual(await produce(log, { producerId: 7, sequence: 0 }), { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
  });

  it('refuses gaps, older epochs, a new epoch not starting at 0, and accepts an unknown producer from any sequence', async () => {
    const { log } = await memoryLog();
    assert.equal((await produce(log, { producerId: 1, sequence: 40 })).kind, 'append');
    assert.equal((await produce(log, { producerId: 1, sequence: 42 })).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await produce(log, { producerId: 1, sequence: 41, epoch: 1 })).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await produce(log, { producerId: 1, sequence: 0, epoch: 1 })).kind, 'append');
    assert.equal((await produce(log, { producerId: 1, sequence: 1, epoch: 0 })).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  });
});

describe('producer state: transactions', () => {
  it('holds the last stable offset at the first offset of an open transaction until its marker', async () => {
    const { log } = await memoryLog();
    await produce(log, { producerId: 1, sequence: 0 });
    const first = (await produce(log, { producerId: 2, sequence: 0, transactional: true, records: 2 })).offset!;
    await produce(log, { producerId: 3, sequence: 0 });
    assert.equal(log.producers.lastStableOffset(log.logEndOffset), first);
    assert.equal(log.producers.hasOngoingTransaction(2, 0), true);
    // A plain batch from a producer inside a transaction is refused.
    assert.equal((await produce(log, { producerId: 2, sequence: 2 })).errorCode, ErrorCode.INVALID_TXN_STATE);
    await marker(log, 2, true);
    assert.equal(log.producers.lastStableOffset(log.logEndOffset), log.logEndOffset);
    assert.deepEqual(log.producers.abortedTransactions(0, log.logEndOffset), []);
  });

  it('indexes aborted transactions and reports those a fetch range overlaps', async () => {
    const { log } = await memoryLog();
    const a = (await produce(log, { producerId: 10, sequence: 0, transactional: true })).offset!; // 0
    const b = (await produce(log, { producerId: 11, sequence: 0, transactional: true })).offset!; // 1
    const abortA = await marker(log, 10, false); // 2
    assert.equal(log.producers.lastStableOffset(log.logEndOffset), b);
    await produce(log, { producerId: 10, sequence: 1, transactional: true }); // 3
    await marker(log, 11, true); // 4
    const abortA2 = await marker(log, 10, false); // 5
    assert.deepEqual(log.producers.abortedIndex(), [
      { producerId: 10, firstOffset: a, lastOffset: abortA, lastStableOffset: b },
      { producerId: 10, firstOffset: 3, lastOffset: abortA2, lastStableOffset: 6 },
    ]);
    assert.deepEqual(log.producers.abortedTransactions(0, 6), [{ producerId: 10, firstOffset: 0 }, { producerId: 10, firstOffset: 3 }]);
    assert.deepEqual(log.producers.abortedTransactions(3, 6), [{ producerId: 10, firstOffset: 3 }]);
    assert.deepEqual(log.producers.abortedTransactions(0, 1), [{ producerId: 10, firstOffset: 0 }]);
    // A marker for a producer without data here changes nothing; a stale marker epoch is refused.
    await marker(log, 99, false);
    assert.equal(log.producers.abortedIndex().length, 2);
    assert.equal(log.producers.checkMarker(10, 0, 0), ErrorCode.NONE);
    await marker(log, 10, false, 3);
    assert.equal(log.producers.checkMarker(10, 2, 0), ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('expires idle producers without an open transaction', async () => {
    const { log } = await memoryLog();
    await produce(log, { producerId: 1, sequence: 0, timestampMs: 1000 });
    await produce(log, { producerId: 2, sequence: 0, transactional: true, timestampMs: 1000 });
    assert.equal(log.producers.expire(1000 + 86_400_000, 86_400_000), 1);
    assert.deepEqual(log.producers.activeProducers().map((p) => p.producerId), [2]);
  });
});

describe('producer state on disk', async () => {
  const { dir, cleanup } = await tempDataDir();
  after(cleanup);
  let n = 0;
  const open = (dataDir: string) => openLogStore(fileStoreOptions(dataDir, { log: new MemoryLogger(), segmentBytes: 1 << 20 }));
  const fresh = () => join(dir, `d${++n}`);

  it('comes back after a clean restart from its snapshot: sequences, open transaction, aborted index', async () => {
    const dataDir = fresh();
    let store = await open(dataDir);
    await store.createTopic('t', 1, {});
    let log = store.partition('t', 0)!;
    await produce(log, { producerId: 1, sequence: 0 });
    await produce(log, { producerId: 2, sequence: 0, transactional: true });
    await marker(log, 2, false);
    const open3 = (await produce(log, { producerId: 3, sequence: 0, transactional: true })).offset!;
    await store.close();
    assert.ok((await readdir(join(dataDir, 't-0'))).some((f) => f.endsWith('.snapshot')));
    store = await open(dataDir);
    log = store.partition('t', 0)!;
    assert.deepEqual(await produce(log, { producerId: 1, sequence: 0 }), { kind: 'duplicate', offset: 0 });
    assert.equal(log.producers.lastStableOffset(log.logEndOffset), open3);
    assert.deepEqual(log.producers.abortedTransactions(0, log.logEndOffset), [{ producerId: 2, firstOffset: 1 }]);
    await store.close();
  });

  it('is rebuilt from the log after a crash (no snapshot written), and a retried batch is still a duplicate', async () => {
    const dataDir = fresh();
    const store = await open(dataDir);
    await store.createTopic('t', 1, {});
    const log = store.partition('t', 0)!;
    for (let s = 0; s < 3; s++) await produce(log, { producerId: 5, sequence: s });
    await produce(log, { producerId: 6, sequence: 0, transactional: true });
    await marker(log, 6, false);
    const pending = (await produce(log, { producerId: 7, sequence: 0, transactional: true })).offset!;
    await log.sync();
    // A copy of the directory while the store is open is what a SIGKILL leaves behind.
    const crashed = fresh();
    await cp(dataDir, crashed, { recursive: true });
    await store.close();
    await writeFile(join(crashed, '.lock'), '999999999\n');
    const after = await open(crashed);
    const recovered = after.partition('t', 0)!;
    assert.deepEqual(await produce(recovered, { producerId: 5, sequence: 2 }), { kind: 'duplicate', offset: 2 });
    assert.equal(recovered.producers.lastStableOffset(recovered.logEndOffset), pending);
    assert.deepEqual(recovered.producers.abortedTransactions(0, recovered.logEndOffset), [{ producerId: 6, firstOffset: 3 }]);
    await after.close();
  });

  it('keeps aborted transactions below the snapshot in the index file across a crash', async () => {
    const dataDir = fresh();
    const store = await openLogStore(fileStoreOptions(dataDir, { log: new MemoryLogger(), segmentBytes: 300 }));
    await store.createTopic('t', 1, {});
    const log = store.partition('t', 0)!;
    const first = (await produce(log, { producerId: 9, sequence: 0, transactional: true })).offset!;
    await marker(log, 9, false);
    // Enough batches for several rolls: the snapshots start after the abort.
    for (let s = 0; s < 12; s++) await produce(log, { producerId: 1, sequence: s });
    await log.sync();
    const crashed = fresh();
    await cp(dataDir, crashed, { recursive: true });
    await store.close();
    await writeFile(join(crashed, '.lock'), '999999999\n');
    const after = await openLogStore(fileStoreOptions(crashed, { log: new MemoryLogger(), segmentBytes: 300 }));
    const recovered = after.partition('t', 0)!;
    assert.deepEqual(recovered.producers.abortedTransactions(0, recovered.logEndOffset), [{ producerId: 9, firstOffset: first }]);
    assert.deepEqual(await produce(recovered, { producerId: 1, sequence: 11 }), { kind: 'duplicate', offset: 13 });
    await after.close();
  });

  it('snapshots at every segment roll, ignores a damaged snapshot and drops snapshots past the log end', async () => {
    const dataDir = fresh();
    let store = await openLogStore(fileStoreOptions(dataDir, { log: new MemoryLogger(), segmentBytes: 200 }));
    await store.createTopic('t', 1, {});
    let log = store.partition('t', 0)!;
    for (let s = 0; s < 10; s++) await produce(log, { producerId: 1, sequence: s });
    await store.close();
    const partitionDir = join(dataDir, 't-0');
    const snapshots = (await readdir(partitionDir)).filter((f) => f.endsWith('.snapshot')).sort();
    assert.equal(snapshots.length, 2, 'the latest two are kept');
    // Damage the latest; add one beyond the log end (from a tail that recovery would cut off).
    await writeFile(join(partitionDir, snapshots[1]!), Buffer.from('garbage'));
    await writeFile(join(partitionDir, `${String(999).padStart(20, '0')}.snapshot`), Buffer.from('x'));
    store = await openLogStore(fileStoreOptions(dataDir, { log: new MemoryLogger(), segmentBytes: 200 }));
    log = store.partition('t', 0)!;
    assert.deepEqual(await produce(log, { producerId: 1, sequence: 9 }), { kind: 'duplicate', offset: 9 });
    assert.equal((await produce(log, { producerId: 1, sequence: 10 })).kind, 'append');
    const left = (await readdir(partitionDir)).filter((f) => f.endsWith('.snapshot'));
    assert.ok(!left.includes(`${String(999).padStart(20, '0')}.snapshot`));
    await store.close();
  });
});
