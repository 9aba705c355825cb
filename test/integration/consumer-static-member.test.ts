/**
 * Static membership (KIP-345): a member with a groupInstanceId that restarts within its session
 * timeout takes its own place back: same generation, same partitions, and the rest of the group
 * sees no rebalance at all. On close it sends no LeaveGroup unless asked.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { Consumer, GROUP_CHANNELS, type ConsumerOptions, type GroupChannelMessage } from '../../src/client/consumer/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { startSamsaGroupBroker, type GroupBroker } from './consumer-broker.js';

describe('static membership', () => {
  let broker: GroupBroker;
  before(async () => {
    broker = await startSamsaGroupBroker();
  });
  after(() => broker.stop());

  it('a static member restarting within the session timeout gets its partitions back without a rebalance', { timeout: 30_000 }, async () => {
    const topic = 'static-restart';
    await broker.createTopic(topic, 4);
    const events: GroupChannelMessage[] = [];
    const record = (m: unknown) => {
      const e = m as GroupChannelMessage;
      if (e.groupId === topic) events.push(e);
    };
    for (const c of Object.values(GROUP_CHANNELS)) diagnostics_channel.subscribe(c, record);
    const make = (instance: string) => {
      const options: ConsumerOptions = {
        bootstrapServers: broker.bootstrap, groupId: topic, clientId: instance, groupInstanceId: instance,
        sessionTimeoutMs: 10_000, heartbeatIntervalMs: 200, partitionAssignmentStrategy: ['range'],
      };
      return new Consumer(options);
    };
    const start = async (c: Consumer) => {
      await c.subscribe({ topics: [topic] });
      await c.run({ eachMessage: async () => {} });
      return c;
    };
    const one = await start(make('host-1'));
    const two = await start(make('host-2'));
    let restarted: Consumer | null = null;
    try {
      await waitFor(() => one.assignment().length === 2 && two.assignment().length === 2, 15_000, 'both static members assigned');
      await waitFor(() => one.generation.generationId === two.generation.generationId, 5_000, 'one generation');
      const generation = one.generation.generationId;
      const before = one.assignment();
      const otherBefore = two.assignment();

      await one.close();
      assert.equal(events.filter((e) => e.name === 'leave' && e.clientId === 'host-1' && (e as GroupChannelMessage<'leave'>).sentLeaveGroup).length, 0, 'no LeaveGroup from a static member');
      const seenBefore = events.length;
      restarted = await start(make('host-1'));
      await waitFor(() => restarted!.assignment().length === 2, 10_000, 'the restarted member has its partitions');
      // Let a few heartbeats pass: a rebalance would show up as REBALANCE_IN_PROGRESS on host-2.
      await new Promise((r) => setTimeout(r, 1_000));

      assert.equal(restarted.generation.generationId, generation, 'same generation: no rebalance');
      assert.notEqual(restarted.generation.memberId, '', 'a new member id for the same instance');
      assert.deepEqual(restarted.assignment(), before, 'the same partitions');
      assert.deepEqual(two.assignment(), otherBefore, 'the other member kept its partitions');
      assert.equal(two.generation.generationId, generation);
      const afterRestart = events.slice(seenBefore);
      assert.deepEqual(afterRestart.filter((e) => e.clientId === 'host-2').map((e) => e.name), [], 'the other member saw nothing');
      assert.equal(afterRestart.filter((e) => e.name === 'rebalance-end' && e.clientId === 'host-1').length, 1);
    } finally {
      for (const c of Object.values(GROUP_CHANNELS)) diagnostics_channel.unsubscribe(c, record);
      await Promise.all([two.close(), restarted?.close({ leaveGroup: true })]);
    }
  });
});
