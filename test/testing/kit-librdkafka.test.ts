import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestBroker, type TestBroker } from '../../src/testing/index.js';
import type { LineProcess } from '../compat/group-support.js';
import { owned, spawnRdkafkaMember } from '../compat/kip848-support.js';
import { collect } from './support.js';

/** samsa/testing faults seen by librdkafka 2.15 (@confluentinc/kafka-javascript), KIP-848 members in their own processes. */
describe('testing kit: faults seen by librdkafka', () => {
  let kit: TestBroker;
  const processes: LineProcess[] = [];
  before(async () => {
    kit = await startTestBroker({ topics: [{ name: 'kit-rdk', partitions: 2 }] });
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    kit.clearFaults();
    await kit.close();
  });

  function member(name: string): LineProcess {
    const p = spawnRdkafkaMember(kit, name, 'kit-rdk-group', ['kit-rdk']);
    processes.push(p);
    return p;
  }

  it('dropped heartbeats: the member is fenced after a 45 s clock move, the other takes its partition; it rejoins once they flow', async () => {
    const a = member('rdk-a');
    const b = member('rdk-b');
    const ownsOne = (p: LineProcess) => owned(p).size === 1;
    await Promise.all([a, b].map((p) => p.waitForLine(() => ownsOne(p), 30_000, 'one partition')));
    await kit.waitForGroup('kit-rdk-group', (g) => g.state === 'Stable' && g.members.length === 2, { timeoutMs: 30_000 });
    const removed = collect(kit, 'samsa:coordinator:consumer-member-removed');
    try {
      kit.dropHeartbeats({ clientId: 'rdk-a' });
      const from = b.lines.length;
      await kit.advanceTime(45_000);
      assert.deepEqual(removed.events.map((e) => e.reason), ['session-timeout']);
      await b.waitForLine(() => owned(b).size === 2, 20_000, 'both partitions', from);
      assert.deepEqual([...owned(b)].sort(), ['kit-rdk-0', 'kit-rdk-1']);

      kit.restoreHeartbeats({ clientId: 'rdk-a' });
      await kit.waitForGroup('kit-rdk-group', (g) => g.state === 'Stable' && g.members.length === 2 && g.members.every((m) => m.assignment.length === 1), { timeoutMs: 30_000 });
      // b gives one partition back (librdkafka may hand a its old one without calling its callback).
      await b.waitForLine(() => ownsOne(b), 30_000, 'one partition again', from);
    } finally {
      removed.stop();
    }
  });
});
