import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTxnSimulation, type TxnSimResult } from './txn-world.js';

// Seeded runs of the transaction coordinator core with producers, zombies, partitions (the real
// storage producer state), late and interrupted markers, coordinator crashes and timeouts.
// Re-run one seed: SAMSA_TXN_SIM_SEED=123 node --test dist/test/sim/txn-coordinator-sim.test.js
const singleSeed = process.env['SAMSA_TXN_SIM_SEED'];
const runs = Number(process.env['SAMSA_TXN_SIM_RUNS'] ?? 300);

function report(r: TxnSimResult): string {
  return [`transaction simulation seed ${r.seed} failed after ${r.steps} steps: ${r.failure}`, `re-run it with: SAMSA_TXN_SIM_SEED=${r.seed} node --test dist/test/sim/txn-coordinator-sim.test.js`, 'last steps:', ...r.trace.slice(-60)].join('\n');
}

if (singleSeed !== undefined) {
  test(`transaction simulation seed ${singleSeed}`, (t) => {
    const r = runTxnSimulation(Number(singleSeed));
    for (const line of r.trace) t.diagnostic(line);
    if (r.failure !== null) assert.fail(report(r));
  });
} else {
  test(`${runs} seeded transaction coordinator runs keep every invariant (markers in every partition, one outcome, LSO below open transactions, fencing)`, (t) => {
    const totals = { commits: 0, aborts: 0, crashes: 0, appends: 0, fencedAppends: 0 };
    for (let seed = 1; seed <= runs; seed++) {
      const r = runTxnSimulation(seed);
      if (r.failure !== null) assert.fail(report(r));
      for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += r.stats[k];
    }
    t.diagnostic(JSON.stringify(totals));
    assert.ok(totals.commits > runs && totals.aborts > runs && totals.crashes > runs, 'the runs exercise commits, aborts and crashes');
  });
}
