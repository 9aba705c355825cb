import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, it } from 'node:test';
import { ManualClock } from '../../src/common/clock.js';
import { MemoryLogger } from '../../src/common/logger.js';
import { Prng } from '../../src/common/prng.js';
import { LogCleaner, openLogStore, type CleanerStep } from '../../src/storage/index.js';
import { roundBatches, roundClockMs } from './compaction-crash-workload.js';
import { checkCompactionInvariants, checkFullyCleaned, CompactionModel, readAll } from './compaction-model.js';
import { fileStoreOptions, tempDataDir } from './helpers.js';

const { dir, cleanup } = await tempDataDir();
after(cleanup);

const STEPS: CleanerStep[] = ['offset-map-built', 'cleaned-segment-written', 'swap-committed', 'swap-renamed', 'segments-replaced'];
const ROUNDS = 20;

/** Starts the child with tsx when running from source, plain node when running compiled. */
function startChild(args: string[]) {
  const self = fileURLToPath(import.meta.url);
  const fromSource = self.endsWith('.ts');
  const child = fileURLToPath(new URL(fromSource ? './compaction-crash-child.ts' : './compaction-crash-child.js', import.meta.url));
  return spawn(process.execPath, [...(fromSource ? ['--import', 'tsx'] : []), child, dir, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Runs round `round` in a child and SIGKILLs it mid-clean: by its own hand at a step, or from here after `delayMs`. */
async function crashRound(round: number, kill: { step: CleanerStep; nth: number } | { delayMs: number }): Promise<{ appendedTo: number; finished: boolean }> {
  const child = startChild('step' in kill ? [String(round), kill.step, String(kill.nth)] : [String(round)]);
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  let appendedTo = -1;
  let finished = false;
  for await (const line of createInterface({ input: child.stdout! })) {
    const [what, value] = line.split(' ');
    if (what === 'appended') {
      appendedTo = Number(value);
      if ('delayMs' in kill) setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
    }
    // A step reached fewer times than asked, or a pass faster than the delay: stop it anyway.
    if (what === 'cleaned') {
      finished = true;
      child.kill('SIGKILL');
    }
  }
  assert.equal(await exited, 'SIGKILL');
  return { appendedTo, finished };
}

it('a cleaner SIGKILLed at random points, 20 times, leaves every key\'s latest value (child processes)', async () => {
  const seed = Number(process.env.SAMSA_CRASH_SEED ?? Date.now() % 1_000_000);
  const prng = new Prng(seed);
  const model = new CompactionModel();
  let offset = 0;
  let killedMidPass = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Even rounds die at a named step of the swap protocol, odd ones at a random time.
    // (A pass maps its offsets once, but swaps one group after another.)
    const step = STEPS[(round / 2) % STEPS.length]!;
    const kill = round % 2 === 0 ? { step, nth: step === 'offset-map-built' ? 1 : prng.int(1, 3) } : { delayMs: prng.int(0, 150) };
    const { appendedTo, finished } = await crashRound(round, kill);
    if (!finished) killedMidPass++;
    for (const b of roundBatches(round)) {
      model.appendedAt(offset, b.records, b.timestamp);
      offset += b.records.length;
    }
    assert.equal(appendedTo, offset, `round ${round} appended what the model expects (seed ${seed})`);
    // What the crash left must open, and serve every key's latest value.
    const store = await openLogStore(fileStoreOptions(dir, { log: new MemoryLogger() }));
    try {
      const log = store.compactedLogs()[0]!;
      checkCompactionInvariants(model, await readAll(store.partition('t', 0)!), log.allSegments().at(-1)!.baseOffset);
    } catch (err) {
      (err as Error).message += ` (round ${round}, kill ${JSON.stringify(kill)}, seed ${seed})`;
      throw err;
    } finally {
      await store.close();
    }
  }
  assert.ok(killedMidPass >= ROUNDS / 2, `only ${killedMidPass} of ${ROUNDS} kills landed inside a pass (seed ${seed})`);
  // And a clean after all that still finishes the job.
  const clock = new ManualClock(roundClockMs(ROUNDS));
  const store = await openLogStore(fileStoreOptions(dir, { log: new MemoryLogger(), clock }));
  try {
    await new LogCleaner(store, { clock, log: new MemoryLogger() }).runNow();
    const log = store.compactedLogs()[0]!;
    checkFullyCleaned(model, await readAll(store.partition('t', 0)!), log.allSegments().at(-1)!.baseOffset);
  } finally {
    await store.close();
  }
});
