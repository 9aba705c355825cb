import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../common/clock.js';
import { MemoryLogger } from '../../common/logger.js';
import { CompactionModel, readAll } from '../../../test/storage/compaction-model.js';
import { openLogStore, type LogStore } from '../index.js';
import { LogCleaner } from './log-cleaner.js';
import type { CleanableLog } from './types.js';

const MINUTE = 60_000;

async function setup(configs: Record<string, string>, segmentBytes = 1 << 20) {
  const clock = new ManualClock(10 * MINUTE);
  const store: LogStore = await openLogStore({ dataDir: null, segmentBytes, retentionMs: -1, retentionBytes: -1, flushPolicy: 'interval', flushIntervalMs: 1000, log: new MemoryLogger(), clock });
  await store.createTopic('t', 1, { 'cleanup.policy': 'compact', ...configs });
  const log = store.partition('t', 0)!;
  const cleanable = store.compactedLogs()[0]! as CleanableLog;
  const cleaner = new LogCleaner(store, { clock, log: new MemoryLogger() });
  const model = new CompactionModel();
  /** Ten overwrites of keys k0..k4 stamped now, then a roll so they are cleanable. */
  const writeRound = async (roll = true) => {
    for (let i = 0; i < 10; i++) await model.append(log, [{ key: `k${i % 5}`, value: `v${clock.nowMs()}-${i}` }], clock.nowMs());
    if (roll) log.roll();
  };
  return { clock, store, log, cleanable, cleaner, model, writeRound };
}

describe('log cleaner: when it cleans', () => {
  it('waits for min.cleanable.dirty.ratio: a log already mostly clean is left alone until enough new data comes', async () => {
    const { store, cleaner, writeRound } = await setup({ 'min.cleanable.dirty.ratio': '0.5' });
    await writeRound();
    assert.equal((await cleaner.runNow()).length, 1, 'a never-cleaned log is all dirty (ratio 1)');
    // 5 records stay clean; one new round of 10 makes the dirty share about 2/3.
    await writeRound();
    const [pass] = await cleaner.runNow();
    assert.ok(pass !== undefined && pass.dirtyRatio > 0.5 && pass.reason === 'dirty-ratio');
    await store.close();
  });

  it('does not clean below min.cleanable.dirty.ratio', async () => {
    const { store, cleaner, writeRound, model, log } = await setup({ 'min.cleanable.dirty.ratio': '0.9' });
    await writeRound();
    await cleaner.runNow();
    await model.append(log, [{ key: 'k0', value: 'new' }], 0);
    log.roll();
    assert.deepEqual(await cleaner.runNow(), [], 'one small dirty batch is far below a 0.9 ratio');
    await store.close();
  });

  it('honours min.compaction.lag.ms: segments holding records younger than the lag wait (virtual time)', async () => {
    const { store, cleaner, clock, writeRound, cleanable } = await setup({ 'min.cleanable.dirty.ratio': '0', 'min.compaction.lag.ms': String(5 * MINUTE) });
    await writeRound();
    assert.deepEqual(await cleaner.runNow(), [], 'the records are a moment old');
    clock.advance(5 * MINUTE + 1);
    await writeRound();
    const [pass] = await cleaner.runNow();
    const segments = cleanable.allSegments();
    assert.equal(pass!.firstUncleanableOffset, segments[segments.length - 2]!.baseOffset, 'the young segment stops the pass');
    assert.equal(pass!.recordsRead, 10, 'only the old segment was cleaned');
    await store.close();
  });

  it('honours max.compaction.lag.ms: a log below its dirty ratio is cleaned once its oldest dirty record passes the lag', async () => {
    const { store, cleaner, clock, writeRound } = await setup({ 'min.cleanable.dirty.ratio': '1', 'max.compaction.lag.ms': String(5 * MINUTE) });
    await writeRound();
    assert.deepEqual(await cleaner.runNow(), [], 'a ratio above 1 is never reached');
    clock.advance(5 * MINUTE + 1);
    const [pass] = await cleaner.runNow();
    assert.equal(pass?.reason, 'max-compaction-lag');
    await store.close();
  });

  it('rolls the active segment of a compacted log once max.compaction.lag.ms passes, so it becomes cleanable', async () => {
    const { store, clock, log, model, cleanable } = await setup({ 'max.compaction.lag.ms': String(5 * MINUTE) });
    await model.append(log, [{ key: 'a', value: '1' }], clock.nowMs());
    clock.advance(5 * MINUTE);
    await model.append(log, [{ key: 'a', value: '2' }], clock.nowMs());
    assert.equal(cleanable.allSegments().length, 2, 'segment.ms is capped by max.compaction.lag.ms');
    await store.close();
  });
});

describe('log cleaner: what it writes', () => {
  it('groups small cleaned segments up to segment.bytes, as Kafka does', async () => {
    const { store, cleaner, cleanable, writeRound, log } = await setup({ 'min.cleanable.dirty.ratio': '0', 'segment.bytes': '2000' });
    for (let i = 0; i < 20; i++) await writeRound();
    const before = cleanable.allSegments();
    assert.equal(before.length, 21);
    assert.ok(before[0]!.sizeBytes * 2 <= 2000 && before[0]!.sizeBytes * 3 > 2000, 'two segments fit in segment.bytes, three do not');
    await cleaner.runNow();
    // Groups are sized by the segments' sizes before cleaning (Kafka's groupSegmentsBySize): pairs.
    assert.equal(cleanable.allSegments().length, 10 + 1);
    // The next pass groups the small cleaned segments together.
    await writeRound();
    await cleaner.runNow();
    assert.ok(cleanable.allSegments().length <= 3, `${cleanable.allSegments().length} segments left`);
    assert.ok(cleanable.allSegments().every((s) => s.sizeBytes <= 2000));
    const stored = await readAll(log);
    assert.deepEqual(new Set(stored.map((r) => r.key)), new Set(['k0', 'k1', 'k2', 'k3', 'k4']));
    await store.close();
  });

  it('never touches the active segment', async () => {
    const { store, cleaner, model, log, clock } = await setup({ 'min.cleanable.dirty.ratio': '0' });
    for (let i = 0; i < 10; i++) await model.append(log, [{ key: 'same', value: String(i) }], clock.nowMs());
    assert.deepEqual(await cleaner.runNow(), []);
    assert.equal((await readAll(log)).length, 10);
    await store.close();
  });

  it('keeps an active idempotent producer\'s last batch as an empty batch when compaction removes all its records', async () => {
    const clock = new ManualClock(0);
    const store = await openLogStore({ dataDir: null, segmentBytes: 1 << 20, retentionMs: -1, retentionBytes: -1, flushPolicy: 'interval', flushIntervalMs: 1000, log: new MemoryLogger(), clock });
    await store.createTopic('t', 1, { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0' });
    const log = store.partition('t', 0)!;
    const model = new CompactionModel();
    await model.append(log, [{ key: 'a', value: 'p1' }], 0, undefined, { id: 7, epoch: 0, sequence: 0 });
    await model.append(log, [{ key: 'a', value: 'p2' }], 0, undefined, { id: 8, epoch: 0, sequence: 0 });
    await model.append(log, [{ key: 'a', value: 'p2-again' }], 0, undefined, { id: 8, epoch: 0, sequence: 1 });
    await model.append(log, [{ key: 'b', value: 'filler' }], 0);
    log.roll();
    const cleaner = new LogCleaner(store, { clock, log: new MemoryLogger(), producerLastOffset: (_t, _p, id) => (id === 7 ? 0 : id === 8 ? 2 : undefined) });
    await cleaner.runNow();
    const { chunks } = await log.read(0, 1 << 20);
    const { decodeRecordBatches } = await import('../../protocol/record-batch.js');
    const batches = (await decodeRecordBatches(Buffer.concat(chunks))).map((b) => ({ base: b.header.baseOffset, producer: b.header.producerId, records: b.records.length }));
    // Producer 7's only batch lost its record but stays (empty); producer 8's older batch goes.
    assert.deepEqual(batches, [
      { base: 0, producer: 7, records: 0 },
      { base: 2, producer: 8, records: 1 },
      { base: 3, producer: -1, records: 1 },
    ]);
    await store.close();
  });
});
