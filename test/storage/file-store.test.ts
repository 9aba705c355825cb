import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../src/common/clock.js';
import { MemoryLogger } from '../../src/common/logger.js';
import { openLogStore, OffsetOutOfRangeError, type LogStore, type PartitionLog } from '../../src/storage/index.js';
import { batchBaseOffsets, buildBatch } from './batch-builder.js';
import { fileStoreOptions, simulateCrash, tempDataDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
const open: LogStore[] = [];

beforeEach(async () => {
  ({ dir, cleanup } = await tempDataDir());
});
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  await cleanup();
});

async function openStore(overrides: Parameters<typeof fileStoreOptions>[1] = {}): Promise<LogStore> {
  const store = await openLogStore(fileStoreOptions(dir, overrides));
  open.push(store);
  return store;
}

async function reopen(store: LogStore, overrides: Parameters<typeof fileStoreOptions>[1] = {}): Promise<LogStore> {
  await store.close();
  open.splice(open.indexOf(store), 1);
  return openStore(overrides);
}

const values = (n: number, size = 10) => Array.from({ length: n }, (_, i) => Buffer.alloc(size, i + 1));

async function readAll(log: PartitionLog): Promise<Buffer> {
  return Buffer.concat((await log.read(log.logStartOffset, 1 << 30)).chunks);
}

describe('file log store: appends, reads and restarts', () => {
  it('round-trips batches across segment rolls, with Kafka-style file names', async () => {
    const store = await openStore({ segmentBytes: 1000 });
    await store.createTopic('events', 1, {});
    const log = store.partition('events', 0)!;
    const sent: Buffer[] = [];
    for (let i = 0; i < 30; i++) {
      const b = buildBatch({ values: values(1 + (i % 3), 60) });
      sent.push(b);
      log.append(b, 1000);
    }
    assert.deepEqual(await readAll(log), Buffer.concat(sent));
    const files = await readdir(join(dir, 'events-0'));
    assert.ok(files.includes('00000000000000000000.log'));
    assert.ok(files.includes('00000000000000000000.index'));
    assert.ok(files.includes('00000000000000000000.timeindex'));
    const logs = files.filter((f) => f.endsWith('.log'));
    assert.ok(logs.length >= 5, `${logs.length} segments`);
    for (const f of logs) assert.match(f, /^\d{20}\.log$/);
  });

  it('restores topics, ids, configs, cluster id, offsets and data after a restart', async () => {
    let store = await openStore({ segmentBytes: 800 });
    const created = await store.createTopic('orders', 3, { 'retention.ms': '86400000' });
    await store.alterTopicConfigs('orders', { 'cleanup.policy': 'delete' });
    await store.createPartitions('orders', 4);
    const clusterId = store.clusterId;
    const sent: Buffer[] = [];
    for (let i = 0; i < 20; i++) {
      const b = buildBatch({ values: values(2, 50), timestampMs: 5000 + i });
      sent.push(b);
      store.partition('orders', 3)!.append(b, 0);
    }
    store = await reopen(store, { segmentBytes: 800 });
    assert.equal(store.clusterId, clusterId);
    assert.deepEqual(store.listTopics(), [{ name: 'orders', id: created.id, partitions: 4, configs: { 'retention.ms': '86400000', 'cleanup.policy': 'delete' } }]);
    const log = store.partition('orders', 3)!;
    assert.equal(log.logEndOffset, 40);
    assert.deepEqual(await readAll(log), Buffer.concat(sent));
    assert.equal(log.append(buildBatch(), 0).baseOffset, 40);
    assert.equal(store.partition('orders', 0)!.logEndOffset, 0);
    // Batch i holds offsets 2i, 2i+1 stamped 5000+i, 5001+i.
    assert.deepEqual(await log.offsetForTimestamp(5010), { offset: 18, timestamp: 5010 });
  });

  it('rebuilds a closed segment index that is missing', async () => {
    let store = await openStore({ segmentBytes: 600 });
    await store.createTopic('t', 1, {});
    for (let i = 0; i < 12; i++) store.partition('t', 0)!.append(buildBatch({ values: values(1, 100) }), 0);
    const before = await readAll(store.partition('t', 0)!);
    await store.close();
    open.splice(0);
    await rm(join(dir, 't-0', '00000000000000000000.index'));
    store = await openStore({ segmentBytes: 600 });
    assert.deepEqual(await readAll(store.partition('t', 0)!), before);
    assert.ok(existsSync(join(dir, 't-0', '00000000000000000000.index')));
  });

  it('deletes a topic with its files, and a re-created topic starts empty', async () => {
    const store = await openStore();
    await store.createTopic('gone', 2, {});
    store.partition('gone', 0)!.append(buildBatch(), 0);
    await store.deleteTopic('gone');
    assert.equal(existsSync(join(dir, 'gone-0')), false);
    assert.equal(existsSync(join(dir, 'gone-1')), false);
    const again = await store.createTopic('gone', 1, {});
    assert.equal(store.partition('gone', 0)!.logEndOffset, 0);
    const reopened = await reopen(store);
    assert.equal(reopened.topic('gone')!.id, again.id);
    assert.equal(reopened.topic('gone')!.partitions, 1);
  });

  it('keeps internal logs out of listTopics and across restarts', async () => {
    let store = await openStore();
    const internal = await store.openInternalLog('group_metadata');
    internal.append(buildBatch({ values: values(3) }), 0);
    internal.append(buildBatch({ values: values(2) }), 0);
    store = await reopen(store);
    assert.deepEqual(store.listTopics(), []);
    const back = await store.openInternalLog('group_metadata');
    assert.equal(back.logEndOffset, 5);
    assert.deepEqual(batchBaseOffsets((await back.read(back.logStartOffset, 1 << 20)).chunks), [0, 3]);
  });

  it('refuses to open a data dir that is already open', async () => {
    await openStore();
    await assert.rejects(openLogStore(fileStoreOptions(dir)), /already open/);
  });
});

describe('file log store: torn tails', () => {
  async function storeWithTail(): Promise<{ store: LogStore; sent: Buffer[]; segmentPath: string }> {
    const store = await openStore({ segmentBytes: 1 << 20 });
    await store.createTopic('t', 1, {});
    const sent: Buffer[] = [];
    for (let i = 0; i < 5; i++) {
      const b = buildBatch({ values: values(2, 40) });
      sent.push(b);
      store.partition('t', 0)!.append(b, 0);
    }
    await store.close();
    open.splice(0);
    return { store, sent, segmentPath: join(dir, 't-0', '00000000000000000000.log') };
  }

  async function reopenAndCheck(sent: Buffer[], keptBatches: number, droppedBytes: number): Promise<void> {
    const logger = new MemoryLogger();
    const store = await openStore({ segmentBytes: 1 << 20, log: logger });
    const log = store.partition('t', 0)!;
    const warns = logger.lines.filter((l) => l.level === 'warn');
    assert.equal(warns.length, 1, JSON.stringify(logger.lines));
    assert.equal(warns[0]!.fields!['partition'], 't-0');
    assert.equal(warns[0]!.fields!['offset'], keptBatches * 2);
    assert.equal(warns[0]!.fields!['droppedBytes'], droppedBytes);
    assert.equal(log.logEndOffset, keptBatches * 2);
    assert.deepEqual(await readAll(log), Buffer.concat(sent.slice(0, keptBatches)));
    const next = buildBatch();
    assert.equal(log.append(next, 0).baseOffset, keptBatches * 2);
    assert.deepEqual(await readAll(log), Buffer.concat([...sent.slice(0, keptBatches), next]));
  }

  it('truncates a batch cut short by a crash', async () => {
    const { sent, segmentPath } = await storeWithTail();
    await simulateCrash(dir, { 't-0': 8 });
    const { truncate } = await import('node:fs/promises');
    const full = (await stat(segmentPath)).size;
    await truncate(segmentPath, full - 7);
    await reopenAndCheck(sent, 4, sent[4]!.length - 7);
  });

  it('truncates garbage bytes after the last batch', async () => {
    const { sent, segmentPath } = await storeWithTail();
    const { appendFile } = await import('node:fs/promises');
    await appendFile(segmentPath, Buffer.from('not a record batch at all, just junk'));
    await reopenAndCheck(sent, 5, 36);
  });

  it('truncates a last batch past the recovery point whose CRC no longer matches', async () => {
    const { sent, segmentPath } = await storeWithTail();
    await simulateCrash(dir, { 't-0': 8 });
    const { open: openFile } = await import('node:fs/promises');
    const handle = await openFile(segmentPath, 'r+');
    const size = (await handle.stat()).size;
    await handle.write(Buffer.from([0xff]), 0, 1, size - 3);
    await handle.close();
    await reopenAndCheck(sent, 4, sent[4]!.length);
  });
});

describe('file log store: retention, DeleteRecords, timestamps', () => {
  it('deletes segment files past retention.ms and retention.bytes', async () => {
    const clock = new ManualClock(0);
    const store = await openStore({ segmentBytes: 500, retentionMs: 60_000, clock });
    await store.createTopic('t', 1, {});
    const log = store.partition('t', 0)!;
    for (let i = 0; i < 10; i++) log.append(buildBatch({ values: values(1, 150), timestampMs: i * 10_000 }), i * 10_000);
    const segmentFiles = async () => (await readdir(join(dir, 't-0'))).filter((f) => f.endsWith('.log')).length;
    const before = await segmentFiles();
    // Two batches per segment: the two segments stamped 0..30 s are older than 60 s at 100 s.
    assert.equal(await store.enforceRetention(100_000), 2);
    assert.equal(log.logStartOffset, 4);
    assert.equal(await segmentFiles(), before - 2);
    await store.alterTopicConfigs('t', { 'retention.ms': '-1', 'retention.bytes': '600' });
    await store.enforceRetention(100_000);
    assert.ok(log.sizeBytes <= 600 + 500);
    assert.ok(log.logStartOffset > 4);
    await assert.rejects(log.read(0, 100), OffsetOutOfRangeError);
  });

  it('keeps a DeleteRecords start offset inside a segment across restarts', async () => {
    let store = await openStore({ segmentBytes: 1 << 20 });
    await store.createTopic('t', 1, {});
    for (let i = 0; i < 5; i++) store.partition('t', 0)!.append(buildBatch({ values: values(2) }), 0);
    assert.equal(await store.partition('t', 0)!.deleteRecordsBefore(5), 5);
    store = await reopen(store, { segmentBytes: 1 << 20 });
    const log = store.partition('t', 0)!;
    assert.equal(log.logStartOffset, 5);
    assert.deepEqual(batchBaseOffsets((await log.read(5, 1 << 20)).chunks), [4, 6, 8]);
  });

  it('frees an internal log below a snapshot by rolling then deleting records', async () => {
    const store = await openStore({ segmentBytes: 1 << 20 });
    const log = await store.openInternalLog('offsets');
    for (let i = 0; i < 50; i++) log.append(buildBatch({ values: values(1, 100) }), 0);
    log.roll();
    const snapshot = log.append(buildBatch({ values: values(4) }), 0);
    await log.deleteRecordsBefore(snapshot.baseOffset);
    const files = (await readdir(join(dir, '__samsa_offsets'))).filter((f) => f.endsWith('.log'));
    assert.deepEqual(files, ['00000000000000000050.log']);
    assert.deepEqual(batchBaseOffsets((await log.read(log.logStartOffset, 1 << 20)).chunks), [50]);
  });

  it('finds offsets by timestamp through the time index, before and after a restart', async () => {
    let store = await openStore({ segmentBytes: 20_000, indexIntervalBytes: 512 });
    await store.createTopic('t', 1, {});
    for (let i = 0; i < 400; i++) store.partition('t', 0)!.append(buildBatch({ values: values(1, 100), timestampMs: 10_000 + i * 10 }), 0);
    const check = async (log: PartitionLog) => {
      for (const i of [0, 1, 57, 133, 134, 250, 399]) {
        assert.deepEqual(await log.offsetForTimestamp(10_000 + i * 10 - 5), { offset: i, timestamp: 10_000 + i * 10 }, `batch ${i}`);
      }
      assert.equal(await log.offsetForTimestamp(20_000), null);
      assert.deepEqual(await log.maxTimestamp(), { offset: 399, timestamp: 13_990 });
    };
    await check(store.partition('t', 0)!);
    store = await reopen(store, { segmentBytes: 20_000, indexIntervalBytes: 512 });
    await check(store.partition('t', 0)!);
  });
});

describe('file log store: group commit and tail cache', () => {
  it('shares one fdatasync among concurrent sync() calls', async () => {
    const store = await openStore();
    await store.createTopic('t', 1, {});
    const log = store.partition('t', 0)!;
    const syncs = () => (log as unknown as { fdatasyncCount: number }).fdatasyncCount;
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      log.append(buildBatch(), 0);
      calls.push(log.sync());
    }
    await Promise.all(calls);
    assert.ok(syncs() >= 1 && syncs() <= 2, `${syncs()} fdatasyncs for 20 calls`);
    await log.sync();
    assert.ok(syncs() <= 2, 'nothing appended since: no new fdatasync');
  });

  it('serves tail reads from memory with the same bytes a file read returns', async () => {
    let store = await openStore({ segmentBytes: 3000, tailCacheBytes: 1 << 20 });
    await store.createTopic('t', 1, {});
    for (let i = 0; i < 60; i++) store.partition('t', 0)!.append(buildBatch({ values: values(1 + (i % 4), 30 + i) }), 0);
    const probes: Array<[number, number]> = [];
    for (let offset = 0; offset < 150; offset += 7) for (const maxBytes of [1, 200, 1000, 5000, 1 << 20]) probes.push([offset, maxBytes]);
    const fromCache = [];
    for (const [o, m] of probes) fromCache.push(Buffer.concat((await store.partition('t', 0)!.read(o, m)).chunks));
    assert.ok((store as unknown as { tailCacheBytes: number }).tailCacheBytes > 0);
    store = await reopen(store, { segmentBytes: 3000, tailCacheBytes: 1 << 20 });
    for (let i = 0; i < probes.length; i++) {
      const [o, m] = probes[i]!;
      assert.deepEqual(Buffer.concat((await store.partition('t', 0)!.read(o, m)).chunks), fromCache[i], `offset ${o} maxBytes ${m}`);
    }
  });

  it('evicts the oldest cached batches across partitions to stay within budget', async () => {
    const store = await openStore({ segmentBytes: 1 << 20, tailCacheBytes: 2000 });
    await store.createTopic('t', 2, {});
    for (let i = 0; i < 40; i++) store.partition('t', i % 2)!.append(buildBatch({ values: values(1, 100) }), 0);
    assert.ok((store as unknown as { tailCacheBytes: number }).tailCacheBytes <= 2000);
    const all = await readAll(store.partition('t', 0)!);
    assert.deepEqual(batchBaseOffsets([all]), Array.from({ length: 20 }, (_, i) => i));
  });
});
