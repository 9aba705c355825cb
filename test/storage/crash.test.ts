import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, it } from 'node:test';
import { MemoryLogger } from '../../src/common/logger.js';
import { openLogStore } from '../../src/storage/index.js';
import { setBaseOffset } from '../../src/protocol/record-batch-header.js';
import { crashTestBatch } from './crash-batches.js';
import { fileStoreOptions, tempDataDir } from './helpers.js';

const { dir, cleanup } = await tempDataDir();
after(cleanup);

/** Starts the child with tsx when running from source, plain node when running compiled. */
function startChild(dataDir: string) {
  const self = fileURLToPath(import.meta.url);
  const fromSource = self.endsWith('.ts');
  const child = fileURLToPath(new URL(fromSource ? './crash-child.ts' : './crash-child.js', import.meta.url));
  return spawn(process.execPath, [...(fromSource ? ['--import', 'tsx'] : []), child, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function runAndKill(ackTarget: number): Promise<Map<number, number>> {
  const child = startChild(dir);
  const acks = new Map<number, number>();
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  for await (const line of createInterface({ input: child.stdout! })) {
    const [kind, index, offset] = line.split(' ');
    if (kind !== 'ack') continue;
    acks.set(Number(index), Number(offset));
    if (acks.size === ackTarget) child.kill('SIGKILL');
  }
  assert.equal(await exited, 'SIGKILL');
  return acks;
}

it('keeps every acknowledged append when the process is killed (SIGKILL)', async () => {
  const acks = await runAndKill(3000);
  assert.ok(acks.size >= 3000);
  const store = await openLogStore(fileStoreOptions(dir, { log: new MemoryLogger() }));
  try {
    const log = store.partition('crash', 0)!;
    const stored = Buffer.concat((await log.read(0, 1 << 30)).chunks);
    let pos = 0;
    for (let index = 0; index < acks.size; index++) {
      const expected = crashTestBatch(index);
      setBaseOffset(expected, 0, acks.get(index)!);
      assert.deepEqual(stored.subarray(pos, pos + expected.length), expected, `acknowledged append ${index}`);
      pos += expected.length;
    }
    // Appends continue right after what survived.
    const next = log.append(crashTestBatch(0), 0);
    assert.equal(next.baseOffset, log.logEndOffset - 2);
    assert.ok(next.baseOffset >= acks.get(acks.size - 1)! + 1);
  } finally {
    await store.close();
  }
});
