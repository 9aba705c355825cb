/**
 * `samsa lab` scenarios in their short form, with real consumer processes against one embedded
 * broker: the group grows (scale-out, a member joining eager vs cooperative, five members on four
 * partitions, partitions added). Each asserts its headline, comparing variants of the same run.
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

describe('samsa lab: the group grows', () => {
  let broker: Broker;
  let run: (scenario: string, flags?: Partial<LabKnobs>) => Promise<LabRunResult[]>;
  before(async () => {
    ({ broker, run } = await labBroker());
  });
  after(() => broker.close());

  it('scale-out 1 -> 3: auto-commit alone processes moved records again, commit on revoke does not', async () => {
    const [auto, onRevoke] = await run('scale-out');
    for (const r of [auto!, onRevoke!]) {
      assert.equal(r.lost, 0, explain(r));
      assert.ok(r.produced > 0 && r.processed === r.produced, explain(r));
      assert.equal(r.rebalances, 2, explain(r));
      assert.equal(r.brokerRebalances, 2, explain(r));
      assert.deepEqual(causeKinds(r), ['member-joined', 'member-joined'], explain(r));
    }
    assert.equal(auto!.knobs.commit, 'auto');
    assert.ok(auto!.duplicates > 0, explain(auto!));
    assert.equal(onRevoke!.duplicates, 0, explain(onRevoke!));
    for (const r of [auto!, onRevoke!]) assertSimulationAgrees(r);
  });

  it('a member joins while another is busy: eager stops every partition for the slow member, cooperative-sticky keeps the staying ones going', async () => {
    const [eager, cooperative] = await run('cooperative');
    assert.equal(cooperative!.knobs.strategy, 'cooperative-sticky');
    for (const r of [eager!, cooperative!]) assert.equal(r.lost, 0, explain(r));
    // KIP-429: one generation for eager, two for cooperative (revoke, then assign).
    assert.equal(eager!.rebalances, 1, explain(eager!));
    assert.equal(cooperative!.rebalances, 2, explain(cooperative!));
    assertSimulationAgrees(eager!);
    assert.deepEqual(eager!.brokerTimeline.filter((e) => e.kind === 'rebalance').map((e) => e.pause.kind), ['stop-the-world'], explain(eager!));
    const eagerEntry = eager!.brokerTimeline.find((e) => e.kind === 'rebalance')!;
    assert.equal(eagerEntry.pause.partitionsPaused, eager!.knobs.partitions, explain(eager!));
    // The coordinator's view: cooperative rounds pause only what moves, and keep the rest.
    for (const e of cooperative!.brokerTimeline.filter((e) => e.kind === 'rebalance')) {
      assert.equal(e.pause.kind, 'per-partition', explain(cooperative!));
      assert.ok(e.pause.partitionsPaused < cooperative!.knobs.partitions, explain(cooperative!));
      assert.ok(e.partitions.kept.length > 0, explain(cooperative!));
    }
    // The consumers' view. Medians over partitions, so one partition's hiccup on a busy machine
    // does not decide it (and the slow member's own partition pauses for its batch either way):
    // eager stops them all until the slow member has finished its batch and rejoined.
    assert.ok(eager!.medianPartitionPauseMs >= eager!.knobs.stallMs / 2, explain(eager!));
    assert.ok(cooperative!.partitions.filter((p) => p.staying).length >= 3, explain(cooperative!));
    assert.ok(cooperative!.stayingMedianPauseMs * 2 < eager!.medianPartitionPauseMs, `${explain(eager!)}\n${explain(cooperative!)}`);
  });

  it('five members on four partitions: one sits idle', async () => {
    const [r] = await run('five-on-four');
    assert.equal(r!.lost, 0, explain(r!));
    assert.equal(r!.idleMembers.length, 1, explain(r!));
    const idle = r!.members.find((m) => m.name === r!.idleMembers[0]);
    assert.equal(idle!.records, 0, explain(r!));
    assert.equal(r!.members.filter((m) => m.finalPartitions.length === 1).length, 4, explain(r!));
    assertSimulationAgrees(r!);
  });

  it('partitions added under load: the leader notices, the group rebalances, the new partitions are consumed', async () => {
    const [r] = await run('partitions-added');
    assert.equal(r!.lost, 0, explain(r!));
    assert.ok(r!.rebalances >= 1, explain(r!));
    assert.ok(causeKinds(r!).includes('partitions-added'), explain(r!));
    assert.equal(r!.partitions.length, r!.knobs.partitions + r!.knobs.addPartitions);
    assert.equal(r!.newPartitionsConsumed, r!.knobs.addPartitions, explain(r!));
  });
});
