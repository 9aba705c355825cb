// Child process for the compaction crash test: opens the store (recovering whatever the previous
// run left), appends round N's batches, prints "appended", then cleans. With a step name it kills
// itself with SIGKILL the n-th time the cleaner reaches that step; without, the parent kills it at
// a random moment while the throttled pass runs.
import { ManualClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { LogCleaner, openLogStore } from '../../src/storage/index.js';
import { CRASH_TOPIC_CONFIGS, roundBatches, roundClockMs } from './compaction-crash-workload.js';

const [dataDir, roundText, step = '', nthText = '1'] = process.argv.slice(2);
const round = Number(roundText);
const clock = new ManualClock(roundClockMs(round));
const store = await openLogStore({ dataDir: dataDir!, segmentBytes: 4096, retentionMs: -1, retentionBytes: -1, flushPolicy: 'interval', flushIntervalMs: 60_000, log: silentLogger, clock });
if (store.topic('t') === undefined) await store.createTopic('t', 1, CRASH_TOPIC_CONFIGS);
const log = store.partition('t', 0)!;
for (const b of roundBatches(round)) {
  const batch = await encodeRecordBatch({ records: b.records.map((r, i) => ({ key: r.key === null ? null : Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value), timestamp: b.timestamp + i })) });
  log.append(batch, clock.nowMs());
}
log.roll();
process.stdout.write(`appended ${log.logEndOffset}\n`);
let seen = 0;
const cleaner = new LogCleaner(store, {
  clock,
  log: silentLogger,
  // Paced so that a pass lasts long enough for the parent's random kill to land inside it.
  ...(step === '' ? { ioMaxBytesPerSecond: 300_000 } : {}),
  onStep: (s) => {
    if (s === step && ++seen === Number(nthText)) process.kill(process.pid, 'SIGKILL');
  },
});
await cleaner.runNow();
process.stdout.write('cleaned\n');
setInterval(() => {}, 1000);
