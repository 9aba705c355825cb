/**
 * KIP-429 in numbers: while a third member joins a two-member group, how long does each partition
 * go without a delivery? With cooperative-sticky the partitions that stay where they are keep
 * flowing (the largest gap stays within one fetch interval plus the join round trip); with eager
 * rebalancing (range) every partition pauses. Both are measured here and reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { Consumer, GROUP_CHANNELS, type GroupChannelMessage } from '../../src/client/consumer/index.js';
import { Producer } from '../../src/client/producer/index.js';
import { waitForConvergence, type GroupMemberUnderTest } from '../compat/consumer-groups.js';
import { startSamsaGroupBroker, type GroupBroker } from './consumer-broker.js';

const PARTITIONS = 6;
const PRODUCE_EVERY_MS = 10;
const MAX_WAIT_MS = 500;

interface GapResult {
  strategy: string;
  /** Largest gap of partitions that kept their owner, and of those that moved. */
  nonMovingMaxGapMs: number;
  movingMaxGapMs: number;
  /** The smallest per-partition largest gap: how long *every* partition paused at least. */
  everyPartitionPausedMs: number;
  nonMoving: number;
  /** Longest JoinGroup round trip of the members that were already in the group. */
  joinRoundTripMs: number;
  /** Partitions whose owner revoked them during the rebalance (listener calls). */
  revoked: number;
  /** Partitions whose gap is shorter than their owner's JoinGroup round trip (must be none when revoked). */
  revokedShorterThanJoin: number;
}

async function measure(broker: GroupBroker, strategy: string): Promise<GapResult> {
  const topic = `gap-${strategy}`;
  const groupId = `gap-${strategy}`;
  await broker.createTopic(topic, PARTITIONS);
  const deliveries = new Map<number, number[]>(Array.from({ length: PARTITIONS }, (_, p) => [p, []]));
  const joins: Array<{ clientId: string; ms: number; durationMs: number }> = [];
  const onJoin = (m: unknown) => {
    const e = m as GroupChannelMessage<'join'>;
    if (e.groupId === groupId) joins.push({ clientId: e.clientId, ms: Date.now(), durationMs: e.durationMs });
  };
  diagnostics_channel.subscribe(GROUP_CHANNELS.join, onJoin);

  const producer = new Producer({ bootstrapServers: broker.bootstrap, lingerMs: 0 });
  let producing = true;
  const produced = (async () => {
    while (producing) {
      await producer.send({ topic, messages: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: 'x' })) });
      await new Promise((r) => setTimeout(r, PRODUCE_EVERY_MS));
    }
  })();

  const consumers: Consumer[] = [];
  const revokedAt = new Map<number, { owner: string; ms: number }>();
  const member = async (name: string): Promise<GroupMemberUnderTest> => {
    const c = new Consumer({
      bootstrapServers: broker.bootstrap, clientId: name, groupId, partitionAssignmentStrategy: [strategy],
      sessionTimeoutMs: 3_000, heartbeatIntervalMs: 1_000, maxWaitMs: MAX_WAIT_MS, autoOffsetReset: 'latest',
      rebalanceListener: {
        onPartitionsRevoked: (partitions) => {
          for (const tp of partitions) if (!revokedAt.has(tp.partition)) revokedAt.set(tp.partition, { owner: name, ms: Date.now() });
        },
      },
    });
    consumers.push(c);
    await c.subscribe({ topics: [topic] });
    await c.run({ eachMessage: ({ message }) => void deliveries.get(message.partition)!.push(Date.now()) });
    return { name, owned: () => c.assignment().map((tp) => tp.partition), processed: () => [], close: () => c.close() };
  };
  try {
    const a = await member(`${strategy}-a`);
    const b = await member(`${strategy}-b`);
    await waitForConvergence([a, b], PARTITIONS, 20_000, 1_000);
    const before = new Map<number, string>();
    for (const m of [a, b]) for (const p of m.owned()) before.set(p, m.name);
    const startMs = Date.now();
    revokedAt.clear();
    const c = await member(`${strategy}-c`);
    await waitForConvergence([a, b, c], PARTITIONS, 20_000, 1_000);
    const endMs = Date.now();
    const after = new Map<number, string>();
    for (const m of [a, b, c]) for (const p of m.owned()) after.set(p, m.name);

    const gaps = new Map<number, number>();
    for (const [p, times] of deliveries) {
      let last = times.filter((t) => t < startMs).at(-1) ?? startMs;
      let max = 0;
      for (const t of times) {
        if (t < startMs) continue;
        if (t > endMs) break;
        max = Math.max(max, t - last);
        last = t;
      }
      gaps.set(p, max);
    }
    const nonMoving = [...gaps.keys()].filter((p) => before.get(p) === after.get(p));
    const moving = [...gaps.keys()].filter((p) => before.get(p) !== after.get(p));
    const existing = new Set([a.name, b.name]);
    const joinMs = (owner: string) => Math.max(0, ...joins.filter((j) => j.clientId === owner && j.ms >= startMs && j.ms <= endMs).map((j) => j.durationMs));
    const revoked = [...revokedAt.entries()].filter(([, r]) => r.ms >= startMs && r.ms <= endMs);
    return {
      revoked: revoked.length,
      revokedShorterThanJoin: revoked.filter(([p, r]) => gaps.get(p)! < joinMs(r.owner)).length,
      strategy,
      nonMovingMaxGapMs: Math.max(0, ...nonMoving.map((p) => gaps.get(p)!)),
      movingMaxGapMs: Math.max(0, ...moving.map((p) => gaps.get(p)!)),
      everyPartitionPausedMs: Math.min(...gaps.values()),
      nonMoving: nonMoving.length,
      joinRoundTripMs: Math.max(0, ...joins.filter((j) => existing.has(j.clientId) && j.ms >= startMs && j.ms <= endMs).map((j) => j.durationMs)),
    };
  } finally {
    producing = false;
    await produced;
    await producer.close();
    await Promise.all(consumers.map((c) => c.close()));
    diagnostics_channel.unsubscribe(GROUP_CHANNELS.join, onJoin);
  }
}

test('cooperative-sticky keeps non-moving partitions flowing while a member joins; eager pauses them all', { timeout: 90_000 }, async (t) => {
  const broker = await startSamsaGroupBroker();
  try {
    const coop = await measure(broker, 'cooperative-sticky');
    const eager = await measure(broker, 'range');
    for (const r of [coop, eager]) {
      t.diagnostic(`${r.strategy}: ${r.revoked} of ${PARTITIONS} partitions revoked; largest delivery gap of the ${r.nonMoving} partitions that kept their owner ${r.nonMovingMaxGapMs} ms, of the moved ones ${r.movingMaxGapMs} ms; every partition paused at least ${r.everyPartitionPausedMs} ms; join round trip ${r.joinRoundTripMs} ms`);
    }
    assert.equal(eager.revoked, PARTITIONS, 'eager: every partition is revoked');
    assert.equal(eager.revokedShorterThanJoin, 0, 'eager: every partition is paused for at least its owner\'s JoinGroup round trip');
    assert.equal(coop.revoked, PARTITIONS - coop.nonMoving, 'cooperative: only the moving partitions are revoked');
    assert.ok(coop.nonMoving > 0, 'some partitions keep their owner under cooperative-sticky');
    assert.ok(coop.nonMovingMaxGapMs <= MAX_WAIT_MS + coop.joinRoundTripMs,
      `cooperative: non-moving gap ${coop.nonMovingMaxGapMs} ms exceeds one fetch interval (${MAX_WAIT_MS} ms) plus the join round trip (${coop.joinRoundTripMs} ms)`);
  } finally {
    await broker.stop();
  }
});
