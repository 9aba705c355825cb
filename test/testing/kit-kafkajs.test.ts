import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestBroker, type TestBroker } from '../../src/testing/index.js';
import { collect, kafkajsMember, partitionCounts, type KafkajsMember } from './support.js';

/** samsa/testing faults, seen by kafkajs 2.2.4 consumers (classic protocol). */
describe('testing kit: faults seen by kafkajs', () => {
  let kit: TestBroker;
  const members: KafkajsMember[] = [];
  before(async () => {
    kit = await startTestBroker({ topics: [{ name: 'kit-hb', partitions: 4 }, { name: 'kit-force', partitions: 2 }] });
  });
  after(async () => {
    kit.clearFaults();
    await Promise.all(members.map((m) => m.consumer.disconnect().catch(() => undefined)));
    await kit.close();
  });

  async function member(clientId: string, groupId: string, topic: string): Promise<KafkajsMember> {
    const m = await kafkajsMember(kit, clientId, groupId, topic);
    members.push(m);
    return m;
  }

  it('dropped heartbeats: the member expires once the group clock moves by the session timeout, and rejoins when they flow again', async () => {
    const startedMs = performance.now();
    const a = await member('hb-a', 'kit-hb-group', 'kit-hb');
    const b = await member('hb-b', 'kit-hb-group', 'kit-hb');
    await kit.waitForGroup('kit-hb-group', (g) => g.state === 'Stable' && g.members.length === 2 && partitionCounts(g).join() === '2,2');
    const removed = collect(kit, 'samsa:coordinator:member-removed');
    try {
      const victim = kit.describeGroup('kit-hb-group')!.members.find((m) => m.clientId === 'hb-a')!;
      kit.dropHeartbeats({ groupId: 'kit-hb-group', clientId: 'hb-a' });
      const bJoined = b.nextJoin();
      // Half the 30 s session: nobody goes yet.
      await kit.advanceTime(15_000);
      assert.equal(kit.describeGroup('kit-hb-group')!.members.length, 2);
      await kit.advanceTime(15_000);
      assert.deepEqual(removed.events.map((e) => [e.memberId, e.reason]), [[victim.memberId, 'session-timeout']]);
      // The survivor, whose heartbeats flowed, takes all four partitions.
      assert.deepEqual(await bJoined, [0, 1, 2, 3]);
      assert.equal(kit.describeGroup('kit-hb-group')!.members.length, 1);

      // Heartbeats flow again: the held one is answered UNKNOWN_MEMBER_ID and kafkajs rejoins.
      const aJoined = a.nextJoin();
      kit.restoreHeartbeats({ clientId: 'hb-a' });
      assert.equal((await aJoined).length, 2);
      await kit.waitForGroup('kit-hb-group', (g) => g.state === 'Stable' && g.members.length === 2 && partitionCounts(g).join() === '2,2');
    } finally {
      removed.stop();
    }
    // A real session timeout would have taken 30 s.
    assert.ok(performance.now() - startedMs < 30_000);
  });

  it('forceRebalance: every kafkajs member rejoins into a new generation', async () => {
    const a = await member('force-a', 'kit-force-group', 'kit-force');
    const b = await member('force-b', 'kit-force-group', 'kit-force');
    const before = await kit.waitForGroup('kit-force-group', (g) => g.state === 'Stable' && g.members.length === 2 && partitionCounts(g).join() === '1,1');
    const joins = [a.joins(), b.joins()];
    const started = collect(kit, 'samsa:coordinator:rebalance-started');
    try {
      const rejoined = Promise.all([a.nextJoin(), b.nextJoin()]);
      assert.equal(await kit.forceRebalance('kit-force-group'), true);
      const [pa, pb] = await rejoined;
      assert.deepEqual([...pa!, ...pb!].sort(), [0, 1]);
      assert.deepEqual([a.joins(), b.joins()], [joins[0]! + 1, joins[1]! + 1]);
      assert.deepEqual(started.events.map((e) => e.reason), ['forced']);
      const after = await kit.waitForGroup('kit-force-group', (g) => g.state === 'Stable');
      assert.equal(after.epoch, before.epoch + 1);
    } finally {
      started.stop();
    }
    assert.equal(await kit.forceRebalance('no-such-group'), false);
  });
});
