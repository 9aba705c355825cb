/**
 * KIP-62 split liveness from progress: heartbeats run in the background, so a handler slower than
 * the session timeout keeps its member (same generation, no rebalance); a handler slower than
 * maxPollIntervalMs makes the member leave the group (LeaveGroup), and it rejoins when the handler
 * returns, as the Java consumer does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { Consumer, GROUP_CHANNELS, type GroupChannelMessage } from '../../src/client/consumer/index.js';
import { Producer } from '../../src/client/producer/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { startSamsaGroupBroker, type GroupBroker } from './consumer-broker.js';

function recordEvents(groupId: string) {
  const events: Array<{ name: string; clientId: string; ms: number; e: GroupChannelMessage }> = [];
  const subs = Object.values(GROUP_CHANNELS).map((channel) => {
    const fn = (m: unknown) => {
      const e = m as GroupChannelMessage;
      if (e.groupId === groupId) events.push({ name: e.name, clientId: e.clientId, ms: Date.now(), e });
    };
    diagnostics_channel.subscribe(channel, fn);
    return () => diagnostics_channel.unsubscribe(channel, fn);
  });
  return { events, stop: () => subs.forEach((u) => u()) };
}

async function produce(bootstrap: string, topic: string, count: number): Promise<void> {
  const producer = new Producer({ bootstrapServers: bootstrap });
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ partition: i % 2, value: `v${i}` })) });
  await producer.close();
}

describe('slow handlers', () => {
  let broker: GroupBroker;
  before(async () => {
    broker = await startSamsaGroupBroker();
  });
  after(() => broker.stop());

  it('a handler slower than the session timeout does not get its member evicted', { timeout: 30_000 }, async () => {
    const topic = 'slow-session';
    await broker.createTopic(topic, 2);
    await produce(broker.bootstrap, topic, 4);
    const log = recordEvents(topic);
    let slowDone = false;
    const processed: number[] = [];
    const consumer = new Consumer({
      bootstrapServers: broker.bootstrap, clientId: 'slow-1', groupId: topic, autoOffsetReset: 'earliest',
      sessionTimeoutMs: 1_000, heartbeatIntervalMs: 200, maxPollIntervalMs: 20_000,
    });
    try {
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (!slowDone) {
            slowDone = true;
            await new Promise((r) => setTimeout(r, 3_000)); // three session timeouts
          }
          processed.push(message.offset);
        },
      });
      await waitFor(() => processed.length === 4, 15_000, 'all four records processed');
      const generation = consumer.generation;
      const joins = log.events.filter((e) => e.name === 'join');
      assert.equal(joins.length, 1, 'joined once: never evicted, never rejoined');
      assert.equal(generation.generationId, (joins[0]!.e as GroupChannelMessage<'join'>).generationId);
      const trouble = ['heartbeat-failure', 'leave', 'poll-timeout', 'session-timeout'];
      assert.deepEqual(log.events.filter((e) => trouble.includes(e.name)).map((e) => e.name), [], 'heartbeats kept the session all along');
    } finally {
      log.stop();
      await consumer.close();
    }
  });

  it('a handler slower than maxPollIntervalMs makes the member leave and rejoin when it returns', { timeout: 30_000 }, async () => {
    const topic = 'slow-poll';
    await broker.createTopic(topic, 2);
    await produce(broker.bootstrap, topic, 4);
    const log = recordEvents(topic);
    let slowStarted = false;
    let slowReturnedMs = 0;
    const common = { bootstrapServers: broker.bootstrap, groupId: topic, autoOffsetReset: 'earliest' as const, sessionTimeoutMs: 3_000, heartbeatIntervalMs: 100, maxPollIntervalMs: 1_500 };
    const slow = new Consumer({ ...common, clientId: 'slow' });
    const other = new Consumer({ ...common, clientId: 'other' });
    try {
      await slow.subscribe({ topics: [topic] });
      await slow.run({
        eachMessage: async () => {
          if (!slowStarted) {
            slowStarted = true;
            await new Promise((r) => setTimeout(r, 3_000));
            slowReturnedMs = Date.now();
          }
        },
      });
      await waitFor(() => slowStarted, 10_000, 'the slow handler started');
      await other.subscribe({ topics: [topic] });
      await other.run({ eachMessage: async () => {} });
      // After maxPollIntervalMs the slow member leaves: the other one takes every partition.
      await waitFor(() => log.events.some((e) => e.clientId === 'slow' && e.name === 'poll-timeout'), 10_000, 'poll timeout');
      const leave = log.events.find((e) => e.clientId === 'slow' && e.name === 'leave')!;
      assert.ok(leave !== undefined && (leave.e as GroupChannelMessage<'leave'>).sentLeaveGroup, 'a dynamic member sends LeaveGroup');
      await waitFor(() => other.assignment().length === 2, 10_000, 'the other member owns both partitions');
      // When the handler returns the member joins again and gets a share.
      await waitFor(() => slowReturnedMs > 0 && slow.assignment().length === 1 && other.assignment().length === 1, 10_000, 'the slow member rejoined');
      const rejoin = log.events.find((e) => e.clientId === 'slow' && e.name === 'join' && e.ms >= slowReturnedMs);
      assert.ok(rejoin !== undefined, 'the slow member joined again after its handler returned');
      assert.ok(leave.ms < slowReturnedMs, 'it left while the handler was still running');
    } finally {
      log.stop();
      await Promise.all([slow.close(), other.close()]);
    }
  });
});
