import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('./malloc-threshold.js', import.meta.url));

/**
 * Churns through rounds of 1 MiB buffers, each round's freed before the next is allocated (the
 * shape of a consumer's fetch answers), and prints the page faults taken on fresh memory.
 */
const CHURN = `
const { raiseMallocThreshold } = await import(${JSON.stringify(MODULE)});
raiseMallocThreshold();
globalThis.gc();
const before = process.resourceUsage().minorPageFault;
for (let round = 0; round < 60; round++) {
  let held = [];
  for (let i = 0; i < 24; i++) held.push(Buffer.allocUnsafeSlow(1 << 20).fill(1));
  held = null;
  globalThis.gc();
}
console.log(process.resourceUsage().minorPageFault - before);
`;

function faultsOfChurn(raise: boolean): number {
  const env = { ...process.env, SAMSA_RAISE_MALLOC_THRESHOLD: raise ? '1' : '0' };
  const r = spawnSync(process.execPath, ['--expose-gc', '--single-threaded-gc', '--input-type=module', '-e', CHURN], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;

describe('raiseMallocThreshold', () => {
  it('acts once per process and can be turned off from the environment', async () => {
    const { raiseMallocThreshold } = await import('./malloc-threshold.js');
    assert.equal(raiseMallocThreshold({ SAMSA_RAISE_MALLOC_THRESHOLD: '0' }), false, 'turned off');
    assert.equal(raiseMallocThreshold({}), true);
    assert.equal(raiseMallocThreshold({}), false, 'already done');
  });

  it(`keeps freed large buffers for reuse: far fewer page faults on fresh memory (glibc ${glibc ?? 'absent: the churn only has to run'})`, () => {
    const raised = faultsOfChurn(true);
    const left = faultsOfChurn(false);
    if (glibc === undefined) return;
    // One round's 24 MiB is 6,144 pages: raised, later rounds reuse them; left alone, glibc keeps
    // handing pages back and faulting them in again (measured: about 8,000 against 20,000-25,000; the collector frees them on the main thread, so the count does not depend on the load).
    assert.ok(raised < 0.7 * left, `page faults with the threshold raised ${raised}, without ${left}`);
  });
});
