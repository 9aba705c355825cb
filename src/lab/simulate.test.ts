import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findScenario, planRuns } from './scenarios.js';
import { simulateGroup, simulateLabScenario, type SimulateInput } from './simulate.js';

const HOUR_MS = 3_600_000;

const base: SimulateInput = {
  members: 3,
  partitions: 6,
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1000,
  maxPollIntervalMs: 300_000,
  strategy: 'range',
  staticMembers: false,
  commit: 'on-revoke',
  autoCommitIntervalMs: 5000,
  ratePerSecond: 600,
  handler: null,
  deploysPerDay: 0,
  downMs: 3000,
  deployStepMs: 5000,
  crashesPerDay: 0,
  durationMs: 2 * HOUR_MS,
  seed: 1,
};

describe('samsa lab simulate', () => {
  it('a quiet group never rebalances', () => {
    const p = simulateGroup(base);
    assert.equal(p.failure, null);
    assert.equal(p.rebalances, 0);
    assert.equal(p.expectedDuplicates, 0);
  });

  it('each deploy of dynamic members costs two rebalances a member; static members rejoin without any', () => {
    // 12 deploys a day over 2 hours: one deploy.
    const dynamic = simulateGroup({ ...base, deploysPerDay: 12 });
    assert.equal(dynamic.failure, null);
    assert.equal(dynamic.deploys, 1);
    assert.equal(dynamic.rebalances, 2 * base.members);
    assert.deepEqual(dynamic.reasons, { 'member-left': 3, 'member-joined': 3 });
    const statics = simulateGroup({ ...base, deploysPerDay: 12, staticMembers: true });
    assert.equal(statics.rebalances, 0);
    assert.deepEqual(statics.removals, { 'static-replacement': 3 });
  });

  it('a crash waits for the session timeout; a longer one waits longer', () => {
    const short = simulateGroup({ ...base, crashesPerDay: 12 });
    const long = simulateGroup({ ...base, crashesPerDay: 12, sessionTimeoutMs: 45_000, heartbeatIntervalMs: 3000 });
    for (const p of [short, long]) {
      assert.equal(p.failure, null);
      assert.equal(p.crashes, 1);
      assert.equal(p.removals['session-timeout'], 1);
    }
    assert.ok(short.deadMemberWaitMs >= 10_000 - 1000 && short.deadMemberWaitMs < 45_000, String(short.deadMemberWaitMs));
    assert.ok(long.deadMemberWaitMs >= 45_000 - 3000, String(long.deadMemberWaitMs));
  });

  it('handler times past max.poll.interval.ms make members leave and rejoin', () => {
    const p = simulateGroup({ ...base, maxPollIntervalMs: 5000, handler: { medianMs: 200, p99Ms: 4000 }, durationMs: HOUR_MS / 2 });
    assert.equal(p.failure, null);
    assert.ok(p.pollTimeouts > 0);
    assert.equal(p.removals['leave-request'], p.pollTimeouts);
    assert.ok(p.rebalances >= p.pollTimeouts);
    assert.ok(p.expectedDuplicates > 0);
    // The same seed gives the same day.
    assert.deepEqual({ ...simulateGroup({ ...base, maxPollIntervalMs: 5000, handler: { medianMs: 200, p99Ms: 4000 }, durationMs: HOUR_MS / 2 }), wallMs: 0 }, { ...p, wallMs: 0 });
  });

  it('auto-commit alone expects duplicates at every eager rebalance', () => {
    const auto = simulateGroup({ ...base, deploysPerDay: 12, commit: 'auto' });
    const onRevoke = simulateGroup({ ...base, deploysPerDay: 12 });
    assert.ok(auto.expectedDuplicates > 0);
    assert.equal(onRevoke.expectedDuplicates, 0);
  });

  it('models the lab scenarios it can, and says which it cannot', () => {
    const rolling = findScenario('rolling-restart')!;
    const [dynamic, statics] = planRuns(rolling, {}, true);
    assert.equal(simulateLabScenario(rolling, dynamic!.knobs).rebalances, 6);
    assert.equal(simulateLabScenario(rolling, statics!.knobs).rebalances, 0);
    const added = findScenario('partitions-added')!;
    assert.throws(() => simulateLabScenario(added, planRuns(added, {}, true)[0]!.knobs), /partitions added/);
    const coop = findScenario('cooperative')!;
    assert.throws(() => simulateLabScenario(coop, planRuns(coop, {}, true)[1]!.knobs), /eager/);
  });
});
