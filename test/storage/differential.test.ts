import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ManualClock } from '../../src/common/clock.js';
import { MemoryLogger } from '../../src/common/logger.js';
import { Prng } from '../../src/common/prng.js';
import { openLogStore, type LogStore, type PartitionLog } from '../../src/storage/index.js';
import { buildBatch } from './batch-builder.js';
import { fileStoreOptions, tempDataDir } from './helpers.js';

/**
 * The memory store is the reference: a seeded run of appends, reads, timestamp lookups, rolls,
 * DeleteRecords, retention and restarts must give the same answers from the file store (whose
 * reads mix the tail cache, index lookups and header scans).
 */
async function outcome<T>(fn: () => Promise<T> | T): Promise<T | string> {
  try {
    return await fn();
  } catch (err) {
    return `${(err as Error).name}`;
  }
}

for (const seed of [1, 2, 3]) {
  it(`file store answers like the memory store (seed ${seed})`, async () => {
    const { dir, cleanup } = await tempDataDir();
    const prng = new Prng(seed);
    const settings = { segmentBytes: 2500, indexIntervalBytes: 300, tailCacheBytes: 4000, clock: new ManualClock(0), log: new MemoryLogger() };
    const memory = await openLogStore({ ...fileStoreOptions(dir, settings), dataDir: null });
    let file: LogStore = await openLogStore(fileStoreOptions(dir, settings));
    try {
      for (const store of [memory, file]) await store.createTopic('t', 1, { 'retention.ms': '1000000' });
      const logs = (): [PartitionLog, PartitionLog] => [memory.partition('t', 0)!, file.partition('t', 0)!];
      let timestampMs = 10_000;
      for (let step = 0; step < 1000; step++) {
        const [m, f] = logs();
        const op = prng.next();
        if (op < 0.45) {
          const batches = Array.from({ length: prng.int(1, 3) }, () => {
            timestampMs += prng.int(-20, 100);
            return buildBatch({ values: Array.from({ length: prng.int(1, 4) }, () => Buffer.alloc(prng.int(0, 300), prng.int(0, 255))), timestampMs });
          });
          const bytes = Buffer.concat(batches);
          assert.deepEqual(f.append(Buffer.from(bytes), 0), m.append(bytes, 0), `append at step ${step}`);
        } else if (op < 0.8) {
          const offset = prng.int(m.logStartOffset - 1, m.logEndOffset + 1);
          const maxBytes = prng.pick([0, 1, 100, 700, 3000, 100_000]);
          const [a, b] = await Promise.all([outcome(() => m.read(offset, maxBytes)), outcome(() => f.read(offset, maxBytes))]);
          const flat = (r: typeof a) => (typeof r === 'string' ? r : { data: Buffer.concat(r.chunks), bytes: r.bytes, start: r.logStartOffset, end: r.logEndOffset });
          assert.deepEqual(flat(b), flat(a), `read(${offset}, ${maxBytes}) at step ${step}`);
        } else if (op < 0.9) {
          const ts = prng.int(timestampMs - 3000, timestampMs + 50);
          assert.deepEqual(await f.offsetForTimestamp(ts), await m.offsetForTimestamp(ts), `offsetForTimestamp(${ts}) at step ${step}`);
          assert.deepEqual(await f.maxTimestamp(), await m.maxTimestamp(), `maxTimestamp at step ${step}`);
        } else if (op < 0.93) {
          m.roll();
          f.roll();
        } else if (op < 0.95) {
          const offset = prng.int(m.logStartOffset, m.logEndOffset);
          assert.deepEqual(await outcome(() => f.deleteRecordsBefore(offset)), await outcome(() => m.deleteRecordsBefore(offset)));
        } else if (op < 0.97) {
          const nowMs = timestampMs + prng.int(900_000, 1_000_100);
          assert.equal(await file.enforceRetention(nowMs), await memory.enforceRetention(nowMs), `retention at step ${step}`);
        } else if (op < 0.98) {
          await file.close();
          file = await openLogStore(fileStoreOptions(dir, settings));
        }
        assert.equal(file.partition('t', 0)!.logStartOffset, m.logStartOffset);
        assert.equal(file.partition('t', 0)!.logEndOffset, m.logEndOffset);
        assert.equal(file.partition('t', 0)!.sizeBytes, m.sizeBytes);
      }
    } finally {
      await file.close();
      await memory.close();
      await cleanup();
    }
  });
}
