import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Consumer, createProducer, type TopicPartition } from '../../src/client/index.js';
import { startTestBroker, type TestBroker } from '../../src/testing/index.js';
import { collect, partitionCounts } from './support.js';
import { waitFor } from '../helpers/index.js';

/** A Samsa consumer and the partitions its rebalance listener says it owns. */
interface Member {
  readonly consumer: Consumer;
  readonly owned: Set<number>;
  /** Resolves once the listener reports exactly `count` partitions owned. */
  owns(count: number): Promise<void>;
}

function member(kit: TestBroker, clientId: string, groupId: string, topic: string, groupProtocol: 'classic' | 'consumer'): Member {
  const owned = new Set<number>();
  let waiters: Array<() => void> = [];
  const changed = (): void => {
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  };
  const consumer = new Consumer({
    bootstrapServers: kit.bootstrap,
    clientId,
    groupId,
    groupProtocol,
    autoOffsetReset: 'earliest',
    maxWaitMs: 50,
    // KIP-848: the broker sets the heartbeat interval (the kit's default is 100 ms).
    ...(groupProtocol === 'classic' ? { heartbeatIntervalMs: 100 } : {}),
    rebalanceListener: {
      onPartitionsAssigned: (ps: TopicPartition[]) => (ps.forEach((p) => owned.add(p.partition)), changed()),
      onPartitionsRevoked: (ps: TopicPartition[]) => (ps.forEach((p) => owned.delete(p.partition)), changed()),
      onPartitionsLost: (ps: TopicPartition[]) => (ps.forEach((p) => owned.delete(p.partition)), changed()),
    },
  });
  void consumer.subscribe({ topics: [topic] }).then(() => consumer.run({ eachMessage: () => {} }));
  return {
    consumer,
    owned,
    owns: (count) =>
      new Promise((resolve) => {
        const check = (): void => (owned.size === count ? resolve() : void waiters.push(check));
        check();
      }),
  };
}

/** samsa/testing faults, seen by Samsa's own client: KIP-848 consumer groups, and the producer. */
describe("testing kit: faults seen by Samsa's client", () => {
  let kit: TestBroker;
  const members: Member[] = [];
  before(async () => {
    kit = await startTestBroker({ topics: [{ name: 'kit848-hb', partitions: 4 }, { name: 'kit848-force', partitions: 2 }, { name: 'kit-samsa-produce', partitions: 1 }] });
  });
  after(async () => {
    kit.clearFaults();
    await Promise.all(members.map((m) => m.consumer.close().catch(() => undefined)));
    await kit.close();
  });

  const join = (clientId: string, groupId: string, topic: string, protocol: 'classic' | 'consumer' = 'consumer'): Member => {
    const m = member(kit, clientId, groupId, topic, protocol);
    members.push(m);
    return m;
  };

  it('KIP-848: dropped ConsumerGroupHeartbeats fence the member once the clock moves by the 45 s session; it rejoins after', async () => {
    const a = join('k848-a', 'kit848-hb-group', 'kit848-hb');
    const b = join('k848-b', 'kit848-hb-group', 'kit848-hb');
    await Promise.all([a.owns(2), b.owns(2)]);
    await kit.waitForGroup('kit848-hb-group', (g) => g.state === 'Stable' && partitionCounts(g).join() === '2,2');
    const removed = collect(kit, 'samsa:coordinator:consumer-member-removed');
    try {
      kit.dropHeartbeats({ clientId: 'k848-a' });
      await kit.advanceTime(20_000);
      assert.equal(kit.describeGroup('kit848-hb-group')!.members.length, 2);
      await kit.advanceTime(25_000);
      assert.deepEqual(removed.events.map((e) => e.reason), ['session-timeout']);
      // b, whose heartbeats flowed, is given a's partitions by the server-side assignor.
      await b.owns(4);
      const g = await kit.waitForGroup('kit848-hb-group', (x) => x.state === 'Stable');
      assert.equal(g.type, 'consumer');
      assert.deepEqual(g.members.map((m) => [m.clientId, m.protocol, m.assignment[0]?.partitions]), [['k848-b', 'consumer', [0, 1, 2, 3]]]);

      kit.restoreHeartbeats();
      await Promise.all([a.owns(2), b.owns(2)]);
    } finally {
      removed.stop();
    }
  });

  it('KIP-848: forceRebalance moves the group to a new epoch that every member reconciles to; fenceMember hands the partitions over', async () => {
    const a = join('force848-a', 'kit848-force-group', 'kit848-force');
    const b = join('force848-b', 'kit848-force-group', 'kit848-force');
    await Promise.all([a.owns(1), b.owns(1)]);
    const before = await kit.waitForGroup('kit848-force-group', (g) => g.state === 'Stable');
    const bumped = collect(kit, 'samsa:coordinator:consumer-epoch-bumped');
    const removed = collect(kit, 'samsa:coordinator:consumer-member-removed');
    try {
      assert.equal(await kit.forceRebalance('kit848-force-group'), true);
      assert.deepEqual(bumped.events.map((e) => [e.groupEpoch, e.reason]), [[before.epoch + 1, 'forced']]);
      // The server-side assignor is sticky: the new target is the old one, reached without a revocation.
      await kit.waitForGroup('kit848-force-group', (g) => g.state === 'Stable' && g.epoch === before.epoch + 1);
      const epochs = kit.broker.context.groups.coordinator.consumerGroup('kit848-force-group')!.members.map((m) => m.memberEpoch);
      assert.deepEqual(epochs, [before.epoch + 1, before.epoch + 1]);
      assert.equal(a.owned.size + b.owned.size, 2);
      // The rebalance timeline records that round with its cause.
      const forcedRound = await waitFor(() => kit.broker.context.timeline.history('kit848-force-group').find((e) => e.generationId === before.epoch + 1), 10_000, 'the forced round');
      assert.deepEqual(forcedRound.causes.map((c) => c.kind), ['forced']);

      const fenced = await kit.fenceMember('kit848-force-group', { clientId: 'force848-a' });
      assert.equal(fenced.length, 1);
      assert.deepEqual(removed.events.map((e) => [e.memberId, e.reason]), [[fenced[0], 'rebalance-timeout']]);
      // a is told at its next heartbeat (UNKNOWN_MEMBER_ID), drops its partition and rejoins; the two share again.
      await kit.waitForGroup('kit848-force-group', (g) => g.state === 'Stable' && g.members.length === 2 && partitionCounts(g).join() === '1,1');
      await Promise.all([a.owns(1), b.owns(1)]);
    } finally {
      bumped.stop();
      removed.stop();
    }
  });

  it('classic protocol: expireMember removes the Samsa member as a session timeout would; it rejoins at its next heartbeat', async () => {
    const a = join('classic-a', 'kit-classic-group', 'kit848-force', 'classic');
    const b = join('classic-b', 'kit-classic-group', 'kit848-force', 'classic');
    await Promise.all([a.owns(1), b.owns(1)]);
    await kit.waitForGroup('kit-classic-group', (g) => g.state === 'Stable' && g.members.length === 2);
    const removed = collect(kit, 'samsa:coordinator:member-removed');
    try {
      const expired = await kit.expireMember('kit-classic-group', { clientId: 'classic-b' });
      assert.deepEqual(removed.events.map((e) => [e.memberId, e.reason]), [[expired[0], 'session-timeout']]);
      const g = await kit.waitForGroup('kit-classic-group', (x) => x.state === 'Stable' && x.members.length === 2 && partitionCounts(x).join() === '1,1');
      assert.ok(!g.members.some((m) => m.memberId === expired[0]), 'b came back under a new member id');
    } finally {
      removed.stop();
    }
  });

  it("failNextRequests: the Samsa producer retries two NOT_LEADER_OR_FOLLOWER answers and writes each record once", async () => {
    const producer = createProducer({ bootstrapServers: kit.bootstrap, clientId: 'kit-samsa-producer', retryBackoffMs: 10 });
    try {
      kit.failNextRequests('Produce', { count: 2, errorCode: 'NOT_LEADER_OR_FOLLOWER', clientId: 'kit-samsa-producer' });
      const sent = await producer.send({ topic: 'kit-samsa-produce', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
      assert.deepEqual(sent.map((r) => r.offset), [0, 1, 2]);
      assert.equal(kit.pendingFailures('Produce'), 0);
      assert.equal(kit.broker.context.store.partition('kit-samsa-produce', 0)?.logEndOffset, 3, 'the failed attempts wrote nothing');
    } finally {
      await producer.close();
    }
  });
});
