// Child process for the crash test: appends numbered batches to a file store and prints one
// "ack <index> <baseOffset>" line after each append returns, until it is killed.
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { openLogStore } from '../../src/storage/index.js';
import { crashTestBatch } from './crash-batches.js';

const dataDir = process.argv[2]!;
const store = await openLogStore({
  dataDir,
  segmentBytes: 64 * 1024,
  retentionMs: -1,
  retentionBytes: -1,
  flushPolicy: 'interval',
  flushIntervalMs: 60_000,
  log: silentLogger,
  clock: systemClock,
});
if (store.topic('crash') === undefined) await store.createTopic('crash', 1, {});
const log = store.partition('crash', 0)!;
process.stdout.write('ready\n');
let index = 0;
const appendSome = () => {
  for (let i = 0; i < 50; i++, index++) {
    const result = log.append(crashTestBatch(index), Date.now());
    process.stdout.write(`ack ${index} ${result.baseOffset}\n`);
  }
  setImmediate(appendSome);
};
appendSome();
