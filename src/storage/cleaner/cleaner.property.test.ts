import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../common/clock.js';
import { MemoryLogger } from '../../common/logger.js';
import { CompressionType } from '../../protocol/record-batch-header.js';
import { checkCompactionInvariants, checkFullyCleaned, CompactionModel, readAll, type RecordSpec } from '../../../test/storage/compaction-model.js';
import { openLogStore, type LogStore } from '../index.js';
import { LogCleaner } from './log-cleaner.js';
import type { CleanableLog } from './types.js';

type Op =
  | { kind: 'append'; records: RecordSpec[]; compression: CompressionType }
  | { kind: 'roll' }
  | { kind: 'advance'; ms: number }
  | { kind: 'clean' };

const DELETE_RETENTION_MS = 200;

const recordArb = (keys: number): fc.Arbitrary<RecordSpec> => fc.record({
  key: fc.integer({ min: 0, max: keys - 1 }).map((k) => `k${k}`),
  // One record in five is a tombstone.
  value: fc.oneof({ weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) }, { weight: 1, arbitrary: fc.constant(null) }),
});

const opsArb = (keys: number): fc.Arbitrary<Op[]> => fc.array(fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), records: fc.array(recordArb(keys), { minLength: 1, maxLength: 6 }), compression: fc.constantFrom(CompressionType.None, CompressionType.None, CompressionType.Gzip) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'roll' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 1500 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'clean' as const }) },
), { minLength: 20, maxLength: 80 });

async function compactedStore(clock: ManualClock, segmentBytes: number): Promise<{ store: LogStore; log: CleanableLog }> {
  const store = await openLogStore({ dataDir: null, segmentBytes, retentionMs: -1, retentionBytes: -1, flushPolicy: 'interval', flushIntervalMs: 1000, log: new MemoryLogger(), clock });
  await store.createTopic('t', 1, { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0', 'delete.retention.ms': String(DELETE_RETENTION_MS) });
  return { store, log: store.compactedLogs()[0]! };
}

/** What the runs exercised, so a property that never reaches a case fails instead of passing by luck. */
const seen = { fullMaps: 0, tombstonesRemoved: 0, recordsRemoved: 0, horizonsSet: 0 };

async function run(ops: Op[], segmentBytes: number, dedupeBufferBytes: number): Promise<void> {
  const clock = new ManualClock(1_000_000);
  const { store, log } = await compactedStore(clock, segmentBytes);
  const cleaner = new LogCleaner(store, { clock, log: new MemoryLogger(), dedupeBufferBytes, maxBusyMs: 1000 });
  const model = new CompactionModel();
  const partition = store.partition('t', 0)!;
  const check = async () => {
    const active = log.allSegments().at(-1)!.baseOffset;
    const stored = await readAll(partition);
    checkCompactionInvariants(model, stored, active);
    return { stored, active };
  };
  try {
    for (const op of ops) {
      if (op.kind === 'append') await model.append(partition, op.records, clock.nowMs(), op.compression);
      else if (op.kind === 'roll') partition.roll();
      else if (op.kind === 'advance') clock.advance(op.ms);
      else {
        const startBefore = partition.logStartOffset;
        const endBefore = partition.logEndOffset;
        for (const stats of await cleaner.runNow()) {
          if (stats.endOffset < stats.firstUncleanableOffset) seen.fullMaps++;
          seen.tombstonesRemoved += stats.tombstonesRemoved;
          seen.recordsRemoved += stats.recordsRead - stats.recordsKept;
        }
        assert.equal(partition.logStartOffset, startBefore, 'log start offset');
        assert.equal(partition.logEndOffset, endBefore, 'log end offset');
        const { stored, active } = await check();
        seen.horizonsSet += stored.filter((r) => r.deleteHorizon).length;
        // With room for every key, one round cleans everything below the active segment; a second finds nothing.
        if (dedupeBufferBytes >= 1 << 20) {
          checkFullyCleaned(model, stored, active);
          assert.deepEqual(await cleaner.runNow(), [], 'a second round right after finds nothing to clean');
        }
      }
    }
    await check();
  } finally {
    await cleaner.stop();
    await store.close();
  }
}

describe('log cleaner against a model (memory store)', () => {
  it('keeps every key\'s latest record, offsets and order, with an offset map that holds every key', async () => {
    await fc.assert(fc.asyncProperty(opsArb(12), fc.integer({ min: 200, max: 2000 }), (ops, segmentBytes) => run(ops, segmentBytes, 1 << 20)), { numRuns: 150 });
    assert.ok(seen.recordsRemoved > 0 && seen.tombstonesRemoved > 0 && seen.horizonsSet > 0, `exercised: ${JSON.stringify(seen)}`);
  });

  it('keeps them when the offset map fills (several passes per round)', async () => {
    // 200 bytes hold 6 keys: a dirty section with more distinct keys is cleaned in several passes.
    await fc.assert(fc.asyncProperty(opsArb(40), fc.integer({ min: 200, max: 2000 }), (ops, segmentBytes) => run(ops, segmentBytes, 200)), { numRuns: 100 });
    assert.ok(seen.fullMaps > 0, `exercised: ${JSON.stringify(seen)}`);
  });
});
