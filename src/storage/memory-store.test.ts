import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../common/clock.js';
import { MemoryLogger } from '../common/logger.js';
import { ErrorCode } from '../protocol/errors.js';
import { batchBaseOffsets, buildBatch } from '../../test/storage/batch-builder.js';
import { openLogStore, OffsetOutOfRangeError, StorageError, type LogStore, type LogStoreOptions } from './index.js';

function options(overrides: Partial<LogStoreOptions> = {}): LogStoreOptions {
  return {
    dataDir: null,
    segmentBytes: 1024,
    retentionMs: -1,
    retentionBytes: -1,
    flushPolicy: 'acks-all',
    flushIntervalMs: 1000,
    log: new MemoryLogger(),
    clock: new ManualClock(0),
    ...overrides,
  };
}

async function storeWithTopic(overrides: Partial<LogStoreOptions> = {}, configs: Record<string, string> = {}): Promise<LogStore> {
  const store = await openLogStore(options(overrides));
  await store.createTopic('t', 1, configs);
  return store;
}

const values = (n: number, size = 10) => Array.from({ length: n }, () => Buffer.alloc(size, 1));

describe('memory log store: appends and reads', () => {
  it('assigns offsets by rewriting baseOffset and reads batches back verbatim', async () => {
    const store = await storeWithTopic();
    const log = store.partition('t', 0)!;
    const a = buildBatch({ values: values(3) });
    const b = buildBatch({ values: values(2) });
    assert.deepEqual(log.append(a, 0), { baseOffset: 0, lastOffset: 2, logEndOffset: 3 });
    assert.deepEqual(log.append(b, 0), { baseOffset: 3, lastOffset: 4, logEndOffset: 5 });
    assert.equal(a.readBigInt64BE(0), 0n);
    assert.equal(b.readBigInt64BE(0), 3n);
    const r = await log.read(0, 1 << 20);
    assert.deepEqual(Buffer.concat(r.chunks), Buffer.concat([a, b]));
    assert.equal(r.bytes, a.length + b.length);
    assert.equal(r.logStartOffset, 0);
    assert.equal(r.logEndOffset, 5);
  });

  it('keeps a batch that fills its buffer as a view, and copies one that would pin a large buffer', async () => {
    const store = await storeWithTopic({ segmentBytes: 1 << 20 });
    const log = store.partition('t', 0)!;
    const own = buildBatch({ values: values(3) });
    const whole = Buffer.allocUnsafeSlow(own.length);
    own.copy(whole);
    log.append(whole, 0);
    const frame = Buffer.alloc(1 << 16);
    const small = buildBatch({ values: values(1) });
    small.copy(frame, 100);
    log.append(frame.subarray(100, 100 + small.length), 0);
    const { chunks } = await log.read(0, 1 << 20);
    assert.equal(chunks.length, 2);
    assert.equal(chunks[0]!.buffer, whole.buffer, 'no copy of a batch that fills its buffer');
    assert.notEqual(chunks[1]!.buffer, frame.buffer, 'a small view of a 64 KiB frame is copied out');
    assert.deepEqual(chunks[1]!.subarray(12), small.subarray(12), 'same bytes past the rewritten base offset');
    await store.close();
  });

  it('starts a read at the batch containing the fetch offset', async () => {
    const store = await storeWithTopic();
    const log = store.partition('t', 0)!;
    log.append(buildBatch({ values: values(3) }), 0);
    log.append(buildBatch({ values: values(3) }), 0);
    assert.deepEqual(batchBaseOffsets((await log.read(4, 1 << 20)).chunks), [3]);
    assert.deepEqual(batchBaseOffsets((await log.read(2, 1 << 20)).chunks), [0, 3]);
  });

  it('accepts several batches in one append', async () => {
    const store = await storeWithTopic();
    const log = store.partition('t', 0)!;
    const both = Buffer.concat([buildBatch({ values: values(2) }), buildBatch({ values: values(4) })]);
    assert.deepEqual(log.append(both, 0), { baseOffset: 0, lastOffset: 5, logEndOffset: 6 });
    assert.deepEqual(batchBaseOffsets((await log.read(0, 1 << 20)).chunks), [0, 2]);
  });

  it('returns nothing at the log end and throws outside [logStart, logEnd]', async () => {
    const store = await storeWithTopic();
    const log = store.partition('t', 0)!;
    log.append(buildBatch(), 0);
    const atEnd = await log.read(1, 1000);
    assert.equal(atEnd.bytes, 0);
    assert.deepEqual(atEnd.chunks, []);
    await assert.rejects(log.read(2, 1000), OffsetOutOfRangeError);
    await assert.rejects(log.read(-1, 1000), OffsetOutOfRangeError);
  });

  it('stops at maxBytes but always returns the first whole batch (KIP-74)', async () => {
    const store = await storeWithTopic({ segmentBytes: 1 << 20 });
    const log = store.partition('t', 0)!;
    const batch = buildBatch({ values: values(1, 200) });
    for (let i = 0; i < 5; i++) log.append(Buffer.from(batch), 0);
    const one = await log.read(0, 10);
    assert.equal(one.bytes, batch.length);
    const two = await log.read(0, batch.length * 2 + 5);
    assert.deepEqual(batchBaseOffsets(two.chunks), [0, 1]);
  });

  it('rolls segments at segment.bytes and reads across them', async () => {
    const store = await storeWithTopic({ segmentBytes: 1000 });
    const log = store.partition('t', 0)!;
    const sent: Buffer[] = [];
    for (let i = 0; i < 20; i++) {
      const b = buildBatch({ values: values(2, 100) });
      sent.push(b);
      log.append(b, 0);
    }
    assert.ok((log as unknown as { segmentCount: number }).segmentCount > 4);
    const r = await log.read(0, 1 << 20);
    assert.deepEqual(Buffer.concat(r.chunks), Buffer.concat(sent));
    assert.equal(log.sizeBytes, Buffer.concat(sent).length);
  });

  it('appends a batch larger than segment.bytes in a segment of its own', async () => {
    const store = await storeWithTopic({ segmentBytes: 200 });
    const log = store.partition('t', 0)!;
    log.append(buildBatch(), 0);
    const big = buildBatch({ values: values(1, 500) });
    assert.equal(log.append(big, 0).baseOffset, 1);
    log.append(buildBatch(), 0);
    assert.equal((log as unknown as { segmentCount: number }).segmentCount, 3);
    assert.deepEqual(Buffer.concat((await log.read(1, 1)).chunks), big);
  });

  it('honours a topic segment.bytes override', async () => {
    const store = await storeWithTopic({ segmentBytes: 1 << 20 }, { 'segment.bytes': '300' });
    const log = store.partition('t', 0)!;
    for (let i = 0; i < 6; i++) log.append(buildBatch({ values: values(1, 100) }), 0);
    assert.ok((log as unknown as { segmentCount: number }).segmentCount >= 3);
  });

  it('calls onceAppended listeners once, and not after cancelling', async () => {
    const store = await storeWithTopic();
    const log = store.partition('t', 0)!;
    let calls = 0;
    let cancelledCalls = 0;
    log.onceAppended(() => calls++);
    const cancel = log.onceAppended(() => cancelledCalls++);
    cancel();
    log.append(buildBatch(), 0);
    log.append(buildBatch(), 0);
    assert.equal(calls, 1);
    assert.equal(cancelledCalls, 0);
  });
});

describe('memory log store: timestamps, retention, DeleteRecords', () => {
  it('finds the first batch whose max timestamp reaches a target, and the max timestamp', async () => {
    const store = await storeWithTopic({ segmentBytes: 300 });
    const log = store.partition('t', 0)!;
    for (let i = 0; i < 10; i++) log.append(buildBatch({ values: values(2, 50), timestampMs: 1000 + i * 100 }), 0);
    // Batch i holds offsets 2i..2i+1 and timestamps 1000+100i .. 1001+100i.
    assert.deepEqual(await log.offsetForTimestamp(0), { offset: 0, timestamp: 1001 });
    assert.deepEqual(await log.offsetForTimestamp(1350), { offset: 8, timestamp: 1401 });
    assert.deepEqual(await log.offsetForTimestamp(1901), { offset: 18, timestamp: 1901 });
    assert.equal(await log.offsetForTimestamp(1902), null);
    assert.deepEqual(await log.maxTimestamp(), { offset: 19, timestamp: 1901 });
  });

  it('deletes segments older than retention.ms, including an expired active segment', async () => {
    const store = await storeWithTopic({ segmentBytes: 300, retentionMs: 10_000 });
    const log = store.partition('t', 0)!;
    for (let i = 0; i < 6; i++) log.append(buildBatch({ values: values(1, 100), timestampMs: i < 3 ? 1000 : 20_000 }), 0);
    assert.equal(await store.enforceRetention(11_000), 0);
    const deleted = await store.enforceRetention(20_000);
    assert.ok(deleted >= 1);
    assert.equal(log.logStartOffset, 3);
    await assert.rejects(log.read(0, 100), OffsetOutOfRangeError);
    assert.deepEqual(batchBaseOffsets((await log.read(3, 1 << 20)).chunks), [3, 4, 5]);
    await store.enforceRetention(40_000);
    assert.equal(log.logStartOffset, 6);
    assert.equal(log.logEndOffset, 6);
    assert.equal(log.append(buildBatch(), 0).baseOffset, 6);
  });

  it('deletes the oldest segments while the partition is above retention.bytes', async () => {
    const store = await storeWithTopic({ segmentBytes: 1 << 20 }, { 'segment.bytes': '400', 'retention.bytes': '1000' });
    const log = store.partition('t', 0)!;
    const batch = buildBatch({ values: values(1, 100) });
    for (let i = 0; i < 12; i++) log.append(Buffer.from(batch), 0);
    // 12 batches of 170 bytes, two per segment: Kafka deletes a segment only while the partition
    // stays at or above retention.bytes without it, so 1020 bytes remain.
    assert.equal(batch.length, 170);
    assert.equal(await store.enforceRetention(0), 3);
    assert.equal(log.sizeBytes, 1020);
    assert.equal(log.logStartOffset, 6);
  });

  it('moves the log start with deleteRecordsBefore, inside a segment, never backwards', async () => {
    const store = await storeWithTopic({ segmentBytes: 1 << 20 });
    const log = store.partition('t', 0)!;
    for (let i = 0; i < 4; i++) log.append(buildBatch({ values: values(2) }), 0);
    assert.equal(await log.deleteRecordsBefore(3), 3);
    assert.equal(await log.deleteRecordsBefore(1), 3);
    assert.equal(log.logStartOffset, 3);
    // The batch holding offset 3 starts at 2; it is returned whole.
    assert.deepEqual(batchBaseOffsets((await log.read(3, 1 << 20)).chunks), [2, 4, 6]);
    await assert.rejects(log.read(2, 100), OffsetOutOfRangeError);
    await assert.rejects(log.deleteRecordsBefore(9), OffsetOutOfRangeError);
    assert.equal(await log.deleteRecordsBefore(-1), 8);
  });

  it('drops whole segments below the new start, rolling on demand for snapshots', async () => {
    const store = await openLogStore(options({ segmentBytes: 1 << 20 }));
    const log = await store.openInternalLog('groups');
    for (let i = 0; i < 5; i++) log.append(buildBatch(), 0);
    log.roll();
    log.roll();
    const snapshot = log.append(buildBatch({ values: values(3) }), 0);
    await log.deleteRecordsBefore(snapshot.baseOffset);
    assert.equal(log.sizeBytes, buildBatch({ values: values(3) }).length);
    assert.deepEqual(batchBaseOffsets((await log.read(log.logStartOffset, 1 << 20)).chunks), [5]);
  });
});

describe('memory log store: topics', () => {
  it('creates, lists, grows, reconfigures and deletes topics', async () => {
    const store = await openLogStore(options());
    const info = await store.createTopic('orders', 2, { 'retention.ms': '1000' });
    assert.match(info.id, /^[A-Za-z0-9_-]{22}$/);
    await store.createTopic('audit', 1, {});
    assert.deepEqual(store.listTopics().map((t) => t.name), ['audit', 'orders']);
    await store.createPartitions('orders', 4);
    assert.equal(store.topic('orders')!.partitions, 4);
    assert.ok(store.partition('orders', 3));
    await store.alterTopicConfigs('orders', { 'retention.ms': null, 'cleanup.policy': 'delete' });
    assert.deepEqual(store.topic('orders')!.configs, { 'cleanup.policy': 'delete' });
    await store.deleteTopic('orders');
    assert.equal(store.topic('orders'), undefined);
    assert.equal(store.partition('orders', 0), undefined);
  });

  it('refuses bad names, duplicates, shrinking and bad configs with Kafka error codes', async () => {
    const store = await openLogStore(options());
    const code = (fn: () => Promise<unknown>, expected: number) =>
      assert.rejects(fn(), (err: unknown) => err instanceof StorageError && err.errorCode === expected);
    for (const bad of ['', '.', '..', 'a/b', 'x'.repeat(250), 'sp ace']) await code(() => store.createTopic(bad, 1, {}), ErrorCode.INVALID_TOPIC_EXCEPTION);
    await store.createTopic('x'.repeat(249), 1, {});
    await store.createTopic('t', 2, {});
    await code(() => store.createTopic('t', 1, {}), ErrorCode.TOPIC_ALREADY_EXISTS);
    await code(() => store.createTopic('u', 0, {}), ErrorCode.INVALID_PARTITIONS);
    await code(() => store.createPartitions('t', 2), ErrorCode.INVALID_PARTITIONS);
    await code(() => store.createPartitions('nope', 3), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await code(() => store.alterTopicConfigs('t', { 'retention.ms': 'soon' }), ErrorCode.INVALID_CONFIG);
    await code(() => store.createTopic('v', 1, { 'segment.bytes': '-5' }), ErrorCode.INVALID_CONFIG);
    await code(() => store.deleteTopic('nope'), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('has a cluster id and unlisted internal logs', async () => {
    const store = await openLogStore(options());
    assert.match(store.clusterId, /^[A-Za-z0-9_-]{22}$/);
    const a = await store.openInternalLog('groups');
    assert.equal(await store.openInternalLog('groups'), a);
    assert.deepEqual(store.listTopics(), []);
    assert.throws(() => store.openInternalLog('bad-name'));
    await store.close();
  });
});
