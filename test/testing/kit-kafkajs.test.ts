import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../../src/testing/index.js';
import { collect, kafkajsMember, partitionCounts, type KafkajsMember } from './support.js';

/** samsa/testing faults, seen by kafkajs 2.2.4 consumers (classic protocol). */
describe('testing kit: faults seen by kafkajs', () => {
  let kit: TestBroker;
  const members: KafkajsMember[] = [];
  before(async () => {
    kit = await startTestBroker({
      topics: [
        { name: 'kit-hb', partitions: 4 },
        { name: 'kit-force', partitions: 2 },
        { name: 'kit-produce', partitions: 1 },
        { name: 'kit-pause', partitions: 2 },
        { name: 'kit-fence', partitions: 2 },
        { name: 'kit-delay', partitions: 2 },
        { name: 'kit-slow', partitions: 2 },
      ],
    });
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

  it('failNextRequests: two Produce requests fail with NOT_LEADER_OR_FOLLOWER, kafkajs retries and each record is written once', async () => {
    const kafka = new Kafka({ clientId: 'kit-producer', brokers: kit.brokers, logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 20 } });
    const producer = kafka.producer();
    await producer.connect();
    try {
      kit.failNextRequests('Produce', { count: 2, errorCode: 'NOT_LEADER_OR_FOLLOWER' });
      assert.equal(kit.pendingFailures('Produce'), 2);
      const [result] = await producer.send({ topic: 'kit-produce', acks: -1, messages: [{ value: 'one' }, { value: 'two' }] });
      assert.equal(result!.errorCode, 0);
      assert.equal(kit.pendingFailures(), 0);
      assert.equal(kit.logger.lines.filter((l) => l.message === 'fault injection: request failed').length, 2);
      const admin = kafka.admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets('kit-produce');
      await admin.disconnect();
      assert.equal(offsets[0]!.high, '2', 'the failed attempts wrote nothing');
    } finally {
      await producer.disconnect();
    }
  });

  it('pauseFetches: a paused partition delivers nothing while the other flows, then everything once resumed', async () => {
    const seen: Array<[number, string]> = [];
    let notify = (): void => {};
    const consumer = await kafkajsMember(kit, 'pause-c', 'kit-pause-group', 'kit-pause', (value, partition) => {
      seen.push([partition, value]);
      notify();
    });
    members.push(consumer);
    await kit.waitForGroup('kit-pause-group', (g) => g.state === 'Stable' && partitionCounts(g).join() === '2');
    const until = (n: number): Promise<void> =>
      new Promise((resolve) => {
        notify = () => {
          if (seen.length >= n) resolve();
        };
        notify();
      });
    kit.pauseFetches('kit-pause', 0);
    const kafka = new Kafka({ clientId: 'pause-producer', brokers: kit.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'kit-pause', acks: -1, messages: [0, 1, 2].flatMap((i) => [{ partition: 0, value: `p0-${i}` }, { partition: 1, value: `p1-${i}` }]) });
    await producer.disconnect();
    // Partition 1 arrives through the same fetches that bring nothing of partition 0.
    await until(3);
    assert.deepEqual(seen, [[1, 'p1-0'], [1, 'p1-1'], [1, 'p1-2']]);
    kit.resumeFetches('kit-pause', 0);
    await until(6);
    assert.deepEqual(seen.slice(3), [[0, 'p0-0'], [0, 'p0-1'], [0, 'p0-2']]);
  });

  it('fenceMember: the fenced kafkajs member loses its partition to the other, then rejoins', async () => {
    const a = await member('fence-a', 'kit-fence-group', 'kit-fence');
    const b = await member('fence-b', 'kit-fence-group', 'kit-fence');
    await kit.waitForGroup('kit-fence-group', (g) => g.state === 'Stable' && g.members.length === 2 && partitionCounts(g).join() === '1,1');
    const removed = collect(kit, 'samsa:coordinator:member-removed');
    try {
      const aRejoined = a.nextJoin();
      const bJoined = b.nextJoin();
      const fenced = await kit.fenceMember('kit-fence-group', { clientId: 'fence-a' });
      assert.equal(fenced.length, 1);
      assert.deepEqual(removed.events.map((e) => [e.memberId, e.reason]), [[fenced[0], 'rebalance-timeout']]);
      // a learns at its next heartbeat (UNKNOWN_MEMBER_ID) and comes back as a new member.
      assert.equal((await aRejoined).length, 1);
      const g = await kit.waitForGroup('kit-fence-group', (x) => x.state === 'Stable' && x.members.length === 2 && partitionCounts(x).join() === '1,1');
      assert.ok(!g.members.some((m) => m.memberId === fenced[0]));
      // b went through the rebalances too (alone with both partitions, then sharing again).
      await bJoined;
    } finally {
      removed.stop();
    }
  });

  it('delayHeartbeats: heartbeats later than the session expire the member; they arrive when the clock reaches their delay', async () => {
    const a = await member('delay-a', 'kit-delay-group', 'kit-delay');
    const b = await member('delay-b', 'kit-delay-group', 'kit-delay');
    await kit.waitForGroup('kit-delay-group', (g) => g.state === 'Stable' && g.members.length === 2 && partitionCounts(g).join() === '1,1');
    kit.delayHeartbeats({ clientId: 'delay-a' }, 45_000);
    const bTakesAll = b.nextJoin();
    await kit.advanceTime(30_000);
    assert.deepEqual(await bTakesAll, [0, 1]);
    // 45 s (group time) after it arrived, the held heartbeat reaches the coordinator: unknown member, kafkajs rejoins.
    const aRejoined = a.nextJoin();
    await kit.advanceTime(45_000);
    assert.equal((await aRejoined).length, 1);
    kit.restoreHeartbeats({ clientId: 'delay-a' });
    await kit.waitForGroup('kit-delay-group', (g) => g.state === 'Stable' && g.members.length === 2 && partitionCounts(g).join() === '1,1');
  });

  it('rebalance timeout: a member stuck in its handler is removed once the clock passes max.poll.interval, and the newcomer gets everything', async () => {
    let entered = (): void => {};
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const a = await kafkajsMember(kit, 'slow-a', 'kit-slow-group', 'kit-slow', async () => {
      entered();
      await gate;
    });
    members.push(a);
    await kit.waitForGroup('kit-slow-group', (g) => g.state === 'Stable' && partitionCounts(g).join() === '2');
    const kafka = new Kafka({ clientId: 'slow-producer', brokers: kit.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'kit-slow', acks: -1, messages: [{ partition: 0, value: 'slow' }] });
    await producer.disconnect();
    await inHandler;

    const removed = collect(kit, 'samsa:coordinator:member-removed');
    try {
      // b joins; a cannot rejoin from inside its handler, so the join phase waits for it up to
      // the rebalance timeout (kafkajs rebalanceTimeout, Java's max.poll.interval.ms): 60 s.
      // (kafkajs's run() resolves only once its first join completes, so it is not awaited yet.)
      const starting = member('slow-b', 'kit-slow-group', 'kit-slow');
      await kit.waitForGroup('kit-slow-group', (g) => g.state === 'PreparingRebalance');
      await kit.advanceTime(60_000);
      assert.deepEqual(removed.events.map((e) => [e.memberId.startsWith('slow-a'), e.reason]), [[true, 'rebalance-timeout']]);
      const b = await starting;
      assert.deepEqual(b.partitions() ?? (await b.nextJoin()), [0, 1]);
    } finally {
      removed.stop();
      release();
    }
  });
});
