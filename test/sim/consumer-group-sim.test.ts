import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSimulation, type SimResult } from '../../src/sim/index.js';

// Consumer groups (KIP-848) in the simulator: Samsa's client state machine (src/client/group/kip848)
// against the coordinator core, with lost and delayed messages, crashes, stalls, clean restarts
// (static members leave with epoch -2), duplicate instances and coordinator restarts. Checked after
// every step: no partition owned by two members at once across epochs, the coordinator's one-owner
// map, complete Stable assignments, commits only from current members at their epoch and never
// backwards, replay equals the live state; at the end every running member owns its target.
// Re-run one seed:   SAMSA_SIM_SEED=123 node --test dist/test/sim/consumer-group-sim.test.js
const singleSeed = process.env['SAMSA_SIM_SEED'];
const runs = Number(process.env['SAMSA_SIM_RUNS'] ?? 2000);
const firstSeed = Number(process.env['SAMSA_SIM_FIRST_SEED'] ?? 1);

function report(r: SimResult): string {
  return [
    `consumer group simulation seed ${r.seed} failed: ${r.failure}`,
    `re-run it with: SAMSA_SIM_SEED=${r.seed} node --test dist/test/sim/consumer-group-sim.test.js`,
    'last steps:',
    ...r.trace,
  ].join('\n');
}

if (singleSeed !== undefined) {
  test(`consumer group simulation seed ${singleSeed}`, (t) => {
    const r = runSimulation(Number(singleSeed), { protocol: 'consumer', traceLines: 400 });
    if (r.failure !== null) assert.fail(report(r));
    for (const line of r.trace) t.diagnostic(line);
  });
} else {
  test('a consumer group seed replays identically', () => {
    const [a, b] = [runSimulation(7, { protocol: 'consumer', traceLines: 10_000 }), runSimulation(7, { protocol: 'consumer', traceLines: 10_000 })];
    assert.deepEqual(a.trace, b.trace);
    assert.deepEqual(a.events, b.events);
  });

  test(`${runs} seeded consumer group runs keep every invariant`, (t) => {
    const startedAt = process.hrtime.bigint();
    let rebalances = 0;
    let restarts = 0;
    let fenced = 0;
    for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
      const r = runSimulation(seed, { protocol: 'consumer' });
      if (r.failure !== null) assert.fail(report(r));
      rebalances += r.stats.rebalances;
      restarts += r.stats.coordinatorRestarts;
      fenced += r.events.filter((e) => e.type === 'consumer-member-removed' && e.reason !== 'leave-request').length;
    }
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    t.diagnostic(`${runs} runs in ${seconds.toFixed(1)} s: ${rebalances} times Stable again, ${fenced} members fenced by a timeout, ${restarts} coordinator restarts`);
    assert.ok(rebalances > runs, 'groups go through reconciliations');
    assert.ok(fenced > runs / 10, 'session and rebalance timeouts happen');
    assert.ok(restarts > runs / 20, 'coordinator restarts happen');
  });
}
