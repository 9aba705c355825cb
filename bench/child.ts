import { DeliverySink, produceLoop, tell } from './child-support.js';
import { nowMs } from './common.js';
import type { ChildConfig, ParentMessage } from './ipc.js';
import { loadClient } from './systems/index.js';

/**
 * A benchmark producer or consumer process, forked by the main process with its config as the
 * first argument. It says `ready`, works on `start`, and finishes on `stop`; the main process reads
 * its CPU time from /proc before stopping it.
 */

const cfg = JSON.parse(process.argv[2]!) as ChildConfig;
const client = await loadClient(cfg.system);

let startSignal!: () => void;
let stopSignal!: () => void;
const started = new Promise<void>((r) => (startSignal = r));
const stopped = new Promise<void>((r) => (stopSignal = r));
let stopRequested = false;
process.on('message', (m: ParentMessage) => {
  if (m.cmd === 'start') startSignal();
  else {
    stopRequested = true;
    stopSignal();
  }
});
// The main process went away (Ctrl-C or a crash): nothing left to report to.
process.on('disconnect', () => process.exit(0));

async function runProducer(): Promise<void> {
  const producer = await client.producer(cfg);
  tell({ ev: 'ready' });
  await started;
  const startedMs = nowMs();
  const records = await produceLoop(cfg, producer, () => stopRequested);
  tell({ ev: 'produced', records, startedMs, endedMs: nowMs() });
  await stopped;
  await producer.close();
}

async function runConsumer(): Promise<void> {
  const sink = new DeliverySink(cfg.reportTimestamps);
  tell({ ev: 'ready' });
  await started;
  const consumer = await client.consumer(cfg, sink, (partitions) => tell({ ev: 'assigned', partitions }));
  await stopped;
  await consumer.stop();
  sink.flush();
  await new Promise<void>((resolve) => process.send!({ ev: 'final', latencyCounts: sink.latency.counts, commits: sink.commits }, () => resolve()));
}

try {
  await (cfg.role === 'producer' ? runProducer() : runConsumer());
  // Clients may leave timers or sockets behind; the work is done and reported.
  process.exit(0);
} catch (err) {
  tell({ ev: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  setTimeout(() => process.exit(1), 100);
}
