/**
 * `samsa lab` scenarios in their short form, with real consumer processes against one embedded
 * broker: members fail or go away (a crash with a short and a long session timeout, a rolling
 * restart with and without static membership, a handler slower than max.poll.interval.ms).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Broker } from '../../src/broker/index.js';
import { findScenario, type LabKnobs, type LabRunResult } from '../../src/lab/index.js';
import { simulateLabScenario } from '../../src/lab/simulate.js';
import { causeKinds, explain, labBroker } from './lab-helpers.js';

/** The simulator, given the same scenario and knobs, predicts the rebalances the real run counted. */
function assertSimulationAgrees(r: LabRunResult): void {
  const predicted = simulateLabScenario(findScenario(r.scenario)!, r.knobs);
  assert.equal(predicted.failure, null);
  assert.equal(predicted.rebalances, r.rebalances, `simulated ${JSON.stringify(predicted.reasons)}\n${explain(r)}`);
}

describe('samsa lab: members fail', () => {
  let broker: Broker;
  let run: (scenario: string, flags?: Partial<LabKnobs>) => Promise<LabRunResult[]>;
  before(async () => {
    ({ broker, run } = await labBroker());
  });
  after(() => broker.close());

  it('crash: a short session timeout ends the pause sooner but evicts a stalled member; a long one does not', async () => {
    const [short, long] = await run('crash');
    assert.ok(short!.knobs.sessionTimeoutMs < long!.knobs.sessionTimeoutMs);
    for (const r of [short!, long!]) {
      assert.equal(r.lost, 0, explain(r));
      assert.ok(causeKinds(r).includes('session-timeout'), explain(r));
      assert.equal(r.members.find((m) => m.name === 'm3')!.exit, 'killed');
    }
    // The killed member's partitions wait about a session timeout (less the time since its last heartbeat).
    assert.ok(long!.maxPartitionPauseMs >= long!.knobs.sessionTimeoutMs - 2 * long!.knobs.heartbeatIntervalMs, explain(long!));
    assert.ok(short!.maxPartitionPauseMs < long!.maxPartitionPauseMs, `${explain(short!)}\n${explain(long!)}`);
    // The frozen member m1 outlived the short session timeout only.
    assert.equal(short!.members.find((m) => m.name === 'm1')!.evictions, 1, explain(short!));
    assert.equal(long!.members.find((m) => m.name === 'm1')!.evictions, 0, explain(long!));
    assert.ok(short!.rebalances > long!.rebalances, `${explain(short!)}\n${explain(long!)}`);
    for (const r of [short!, long!]) assertSimulationAgrees(r);
  });

  it('rolling restart: two rebalances per dynamic member, none with static membership', async () => {
    const [dynamic, statics] = await run('rolling-restart');
    assert.equal(statics!.knobs.staticMembers, true);
    for (const r of [dynamic!, statics!]) assert.equal(r.lost, 0, explain(r));
    assert.ok(dynamic!.rebalances > 0, explain(dynamic!));
    assert.equal(dynamic!.rebalances, 2 * dynamic!.knobs.members, explain(dynamic!));
    assert.equal(statics!.rebalances, 0, explain(statics!));
    assert.equal(statics!.brokerRebalances, 0, explain(statics!));
    assert.equal(statics!.brokerTimeline.filter((e) => e.kind === 'member-replaced').length, statics!.knobs.members, explain(statics!));
    for (const r of [dynamic!, statics!]) assertSimulationAgrees(r);
  });

  it('slow handler: the member is evicted by max.poll.interval.ms and its batch is processed twice', async () => {
    const [r] = await run('slow-handler');
    assert.equal(r!.lost, 0, explain(r!));
    const slow = r!.members.find((m) => m.name === 'm1')!;
    assert.ok(slow.pollTimeouts >= 1, explain(r!));
    assert.ok(slow.evictions >= 1, explain(r!));
    assert.ok(causeKinds(r!).includes('member-left'), explain(r!));
    // It leaves, then rejoins once the handler returns.
    assert.ok(r!.rebalances >= 2, explain(r!));
    assert.ok(r!.duplicates > 0, explain(r!));
    assertSimulationAgrees(r!);
  });
});
