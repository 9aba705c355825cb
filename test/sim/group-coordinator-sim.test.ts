import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSimulation, type SimResult } from '../../src/sim/index.js';

// Seeded runs of the coordinator core against simulated members with faults (see src/sim).
// Re-run one seed:   SAMSA_SIM_SEED=123 node --test dist/test/sim/group-coordinator-sim.test.js
// More runs:         SAMSA_SIM_RUNS=20000 SAMSA_SIM_FIRST_SEED=5000 node --test dist/test/sim/...
const singleSeed = process.env['SAMSA_SIM_SEED'];
const runs = Number(process.env['SAMSA_SIM_RUNS'] ?? 2000);
const firstSeed = Number(process.env['SAMSA_SIM_FIRST_SEED'] ?? 1);

function report(r: SimResult): string {
  return [
    `simulation seed ${r.seed} failed: ${r.failure}`,
    `re-run it with: SAMSA_SIM_SEED=${r.seed} node --test dist/test/sim/group-coordinator-sim.test.js`,
    'last steps:',
    ...r.trace,
  ].join('\n');
}

if (singleSeed !== undefined) {
  test(`simulation seed ${singleSeed}`, (t) => {
    const r = runSimulation(Number(singleSeed), { traceLines: 400 });
    t.diagnostic(`${r.steps} steps, ${r.stats.requests} requests, ${r.stats.rebalances} rebalances, ${r.stats.coordinatorRestarts} coordinator restarts`);
    if (r.failure !== null) assert.fail(report(r));
    for (const line of r.trace) t.diagnostic(line);
  });
} else {
  test('a seed replays identically', () => {
    const [a, b] = [runSimulation(42, { traceLines: 10_000 }), runSimulation(42, { traceLines: 10_000 })];
    assert.equal(a.steps, b.steps);
    assert.deepEqual(a.trace, b.trace);
    assert.deepEqual(a.events, b.events);
  });

  test(`${runs} seeded simulation runs keep every invariant`, (t) => {
    const startedAt = process.hrtime.bigint();
    let steps = 0;
    let rebalances = 0;
    let restarts = 0;
    for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
      const r = runSimulation(seed);
      if (r.failure !== null) assert.fail(report(r));
      steps += r.steps;
      rebalances += r.stats.rebalances;
      restarts += r.stats.coordinatorRestarts;
    }
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    t.diagnostic(`${runs} runs in ${seconds.toFixed(1)} s (${(runs / seconds).toFixed(0)} runs/s): ${steps} steps, ${rebalances} completed rebalances, ${restarts} coordinator restarts`);
    // The runs must exercise what they claim to.
    assert.ok(rebalances > runs, 'rebalances happen');
    assert.ok(restarts > runs / 20, 'coordinator restarts happen');
  });
}
