import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../src/common/clock.js';
import { MemoryLogger } from '../../src/common/logger.js';
import { CompressionType } from '../../src/protocol/record-batch-header.js';
import { LogCleaner, openLogStore, type CleanableLog, type CleanerStep, type LogStore } from '../../src/storage/index.js';
import { checkCompactionInvariants, checkFullyCleaned, CompactionModel, readAll } from './compaction-model.js';
import { fileStoreOptions, tempDataDir } from './helpers.js';

const TOPIC_CONFIGS = { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0', 'delete.retention.ms': '100', 'segment.bytes': '700' };

async function open(dir: string, clock: ManualClock): Promise<{ store: LogStore; log: CleanableLog }> {
  const store = await openLogStore(fileStoreOptions(dir, { clock, log: new MemoryLogger() }));
  if (store.topic('t') === undefined) await store.createTopic('t', 1, TOPIC_CONFIGS);
  return { store, log: store.compactedLogs()[0]! };
}

/** Writes `rounds` rounds of overwrites of `keys` keys (some tombstones), rolling so that all is cleanable. */
async function write(store: LogStore, model: CompactionModel, clock: ManualClock, rounds: number, keys = 8): Promise<void> {
  const log = store.partition('t', 0)!;
  for (let r = 0; r < rounds; r++) {
    const records = Array.from({ length: keys }, (_, k) => ({ key: `k${k}`, value: (r + k) % 7 === 0 ? null : `r${model.records.length}-${k}` }));
    await model.append(log, records.slice(0, keys / 2), clock.nowMs(), r % 2 === 0 ? CompressionType.None : CompressionType.Gzip);
    await model.append(log, records.slice(keys / 2), clock.nowMs());
  }
  log.roll();
}

describe('log cleaner on the file store', () => {
  it('keeps its guarantees across restarts, with cleaned segments loaded back from disk (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('write', 'clean', 'restart', 'advance'), { minLength: 5, maxLength: 14 }), async (ops) => {
        const { dir, cleanup } = await tempDataDir();
        const clock = new ManualClock(1_000_000);
        const model = new CompactionModel();
        let { store, log } = await open(dir, clock);
        try {
          for (const op of ops) {
            if (op === 'write') await write(store, model, clock, 2);
            else if (op === 'advance') clock.advance(150);
            else if (op === 'restart') {
              await store.close();
              ({ store, log } = await open(dir, clock));
            } else {
              const cleaner = new LogCleaner(store, { clock, log: new MemoryLogger() });
              await cleaner.runNow();
              const active = log.allSegments().at(-1)!.baseOffset;
              checkFullyCleaned(model, await readAll(store.partition('t', 0)!), active);
              assert.deepEqual(await cleaner.runNow(), [], 'the checkpoint says everything is clean');
            }
            checkCompactionInvariants(model, await readAll(store.partition('t', 0)!), log.allSegments().at(-1)!.baseOffset);
          }
          // The checkpoint survives a restart: nothing to clean right after one.
          await store.close();
          ({ store, log } = await open(dir, clock));
          const cleaner = new LogCleaner(store, { clock, log: new MemoryLogger() });
          await cleaner.runNow();
          assert.deepEqual(await cleaner.runNow(), []);
        } finally {
          await store.close();
          await cleanup();
        }
      }),
      { numRuns: 15 },
    );
  });

  for (const step of ['offset-map-built', 'cleaned-segment-written', 'swap-committed', 'swap-renamed', 'segments-replaced'] as CleanerStep[]) {
    it(`a pass that stops at ${step} leaves a log that opens with every key's latest value`, async () => {
      const { dir, cleanup } = await tempDataDir();
      const clock = new ManualClock(1_000_000);
      const model = new CompactionModel();
      let { store, log } = await open(dir, clock);
      try {
        await write(store, model, clock, 6);
        let stopped = false;
        const cleaner = new LogCleaner(store, {
          clock,
          log: new MemoryLogger(),
          onStep: (s) => {
            if (s !== step) return;
            stopped = true;
            throw new Error(`stopped at ${s}`);
          },
        });
        await cleaner.runNow();
        assert.ok(stopped, 'the pass stopped where asked');
        await store.close();
        ({ store, log } = await open(dir, clock));
        const names = await readdir(join(dir, 't-0'));
        assert.deepEqual(names.filter((n) => n.endsWith('.cleaned') || n === 'cleaner-swap.json'), [], 'recovery leaves no swap file behind');
        checkCompactionInvariants(model, await readAll(store.partition('t', 0)!), log.allSegments().at(-1)!.baseOffset);
        await new LogCleaner(store, { clock, log: new MemoryLogger() }).runNow();
        checkFullyCleaned(model, await readAll(store.partition('t', 0)!), log.allSegments().at(-1)!.baseOffset);
      } finally {
        await store.close();
        await cleanup();
      }
    });
  }

  it('serves reads racing the swaps: every read decodes and holds each key\'s latest value or older ones, never an error', async () => {
    const { dir, cleanup } = await tempDataDir();
    const clock = new ManualClock(1_000_000);
    const model = new CompactionModel();
    const { store, log } = await open(dir, clock);
    try {
      await write(store, model, clock, 40);
      const partition = store.partition('t', 0)!;
      const cleaner = new LogCleaner(store, { clock, log: new MemoryLogger(), maxBusyMs: 0 });
      const cleaning = cleaner.runNow();
      let reads = 0;
      let done = false;
      void cleaning.finally(() => (done = true));
      while (!done) {
        checkCompactionInvariants(model, await readAll(partition), log.allSegments().at(-1)!.baseOffset);
        reads++;
      }
      const [pass] = await cleaning;
      assert.ok(pass !== undefined && pass.segmentsBefore > 5, 'several group swaps happened');
      assert.ok(reads > 1, `${reads} reads ran during the pass`);
      checkFullyCleaned(model, await readAll(partition), log.allSegments().at(-1)!.baseOffset);
    } finally {
      await store.close();
      await cleanup();
    }
  });

  it('a topic deleted while it is being cleaned ends the pass quietly (aborted, not failed)', async () => {
    const { dir, cleanup } = await tempDataDir();
    const clock = new ManualClock(1_000_000);
    const { store } = await open(dir, clock);
    try {
      await write(store, new CompactionModel(), clock, 40);
      const events: string[] = [];
      const cleaner = new LogCleaner(store, { clock, log: new MemoryLogger(), maxBusyMs: 0, onEvent: (e) => events.push(e.kind) });
      const cleaning = cleaner.runNow();
      await new Promise((resolve) => setImmediate(resolve));
      await store.deleteTopic('t');
      assert.deepEqual(await cleaning, []);
      assert.deepEqual(events, ['log-cleaning-aborted']);
      assert.deepEqual(await readdir(dir).then((names) => names.filter((n) => n.startsWith('t-'))), [], 'nothing of the topic is left');
    } finally {
      await store.close();
      await cleanup();
    }
  });
});
