import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAdmin, type Admin } from '../../src/client/index.js';
import type { TimelineEntry } from '../../src/common/timeline/index.js';
import { samsaOk } from '../cli/helpers.js';
import { RDKAFKA_CONSUMER, spawnNode, spawnPython, type LineProcess } from '../compat/group-support.js';
import type { BrokerProcess } from '../helpers/index.js';
import { brief, partitionsOf, spawnObservedBroker, timelineOf, waitForEntries } from './support.js';

/** A kafkajs consumer in its own process that refreshes metadata every 500 ms (to see new partitions soon). */
const KAFKAJS_MEMBER = `
import { Kafka, logLevel } from 'kafkajs';
const cfg = JSON.parse(process.argv[1]);
const out = (o) => process.stdout.write(JSON.stringify({ t: Date.now(), ...o }) + '\\n');
const kafka = new Kafka({ clientId: cfg.clientId, brokers: [cfg.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
const consumer = kafka.consumer({ groupId: cfg.groupId, sessionTimeout: 2000, heartbeatInterval: 200, maxWaitTimeInMs: 100, metadataMaxAge: 500 });
consumer.on(consumer.events.GROUP_JOIN, (e) => out({ type: 'assigned', memberId: e.payload.memberId, partitions: (e.payload.memberAssignment[cfg.topic] ?? []).slice().sort((a, b) => a - b) }));
await consumer.connect();
await consumer.subscribe({ topic: cfg.topic, fromBeginning: true });
await consumer.run({ eachMessage: async () => {} });
process.on('SIGTERM', async () => { await consumer.disconnect(); process.exit(0); });
`;

const causeOf = (e: TimelineEntry, kind: string) => e.causes.find((c) => c.kind === kind);

/**
 * The timeline a Samsa broker records, checked against real clients doing the four things that
 * rebalance a group in production: a first member joins, a second one scales it out, that one is
 * SIGKILLed (found by session timeout), and the topic gets more partitions (found by the leader's
 * metadata refresh). kafkajs rebalances eagerly (RoundRobinAssigner); librdkafka runs
 * cooperative-sticky, so each scale-out is two generations (KIP-429).
 */
describe('observe: exact rebalance timeline with kafkajs and librdkafka', () => {
  let broker: BrokerProcess;
  let url: string;
  let admin: Admin;
  const children: LineProcess[] = [];

  before(async () => {
    ({ broker, url } = await spawnObservedBroker(['--memory', '--group-initial-rebalance-delay-ms', '0', '--group-min-session-timeout-ms', '1000']));
    admin = createAdmin({ bootstrapServers: broker.bootstrap });
  });
  after(async () => {
    await Promise.all(children.map((c) => c.kill('SIGKILL')));
    await admin?.close();
    await broker?.kill();
  });

  async function checkCliMatches(group: string): Promise<void> {
    const api = await timelineOf(url, group);
    const cli = await samsaOk(['groups', 'timeline', '--group', group, '--http-url', url, '--format', 'json', '--bootstrap-server', broker.bootstrap]);
    assert.deepEqual(JSON.parse(cli.stdout), api);
    const table = await samsaOk(['groups', 'timeline', '--group', group, '--http-url', url, '--bootstrap-server', broker.bootstrap]);
    assert.equal(table.stdout.trim().split('\n').length, api.entries.length + 1, table.stdout);
    assert.match(table.stdout, /session timeout/);
    assert.match(table.stdout, /partitions added to /);
  }

  it('kafkajs (eager): join, scale-out, crash, partitions added', async () => {
    const topic = 'tl-kjs';
    const group = 'tl-kjs-group';
    await admin.createTopics({ topics: [{ name: topic, numPartitions: 4 }] });
    const member = (name: string) => {
      const p = spawnNode(name, KAFKAJS_MEMBER, [JSON.stringify({ clientId: name, bootstrap: broker.bootstrap, groupId: group, topic })]);
      children.push(p);
      return p;
    };
    const a = member('kjs-a');
    const [first] = await waitForEntries(url, group, 1, 20_000, 'the first join');
    const aId = (await a.waitForLine((l) => l.type === 'assigned', 10_000, 'A assigned'))['memberId'] as string;
    assert.equal(first!.source, 'coordinator');
    assert.deepEqual(brief(first!), { generation: 1, kind: 'rebalance', causes: ['member-joined'], members: '0->1', kept: 0, moved: 0, revoked: 0, assigned: 4, pause: 'stop-the-world' });
    assert.equal(first!.protocolName, 'RoundRobinAssigner');
    assert.equal(first!.rebalanceProtocol, 'eager');
    assert.equal(first!.membersAfter[0]!.clientId, 'kjs-a');
    assert.equal(causeOf(first!, 'member-joined')!.memberId, aId);

    const b = member('kjs-b');
    const scaled = (await waitForEntries(url, group, 2, 20_000, 'the scale-out'))[1]!;
    const bId = (await b.waitForLine((l) => l.type === 'assigned', 10_000, 'B assigned'))['memberId'] as string;
    assert.deepEqual(brief(scaled), { generation: 2, kind: 'rebalance', causes: ['member-joined'], members: '1->2', kept: 2, moved: 2, revoked: 0, assigned: 0, pause: 'stop-the-world' });
    assert.deepEqual(scaled.joined, [bId]);
    assert.equal(causeOf(scaled, 'member-joined')!.clientId, 'kjs-b');
    assert.ok(scaled.partitions.moved.every((m) => m.from === aId && m.to === bId));
    assert.equal(scaled.pause.partitionsPaused, 4, 'eager: every partition A owned stopped');
    assert.equal(scaled.pause.maxMs, scaled.completedAtMs - scaled.startedAtMs);
    assert.ok(scaled.joinCompletedAtMs !== null && scaled.joinCompletedAtMs >= scaled.startedAtMs && scaled.joinCompletedAtMs <= scaled.completedAtMs);

    await b.kill('SIGKILL');
    const crash = (await waitForEntries(url, group, 3, 20_000, 'the crash'))[2]!;
    assert.deepEqual(brief(crash), { generation: 3, kind: 'rebalance', causes: ['session-timeout'], members: '2->1', kept: 2, moved: 2, revoked: 0, assigned: 0, pause: 'stop-the-world' });
    assert.deepEqual(crash.left, [bId]);
    assert.equal(causeOf(crash, 'session-timeout')!.memberId, bId);
    assert.ok(crash.partitions.moved.every((m) => m.from === bId && m.to === aId));

    await admin.createPartitions({ topics: [{ name: topic, count: 6 }] });
    const grown = (await waitForEntries(url, group, 4, 20_000, 'the new partitions'))[3]!;
    assert.deepEqual(brief(grown), { generation: 4, kind: 'rebalance', causes: ['partitions-added', 'leader-rejoined'], members: '1->1', kept: 4, moved: 0, revoked: 0, assigned: 2, pause: 'stop-the-world' });
    assert.deepEqual(partitionsOf(grown.partitions.assigned), [4, 5]);
    assert.deepEqual(causeOf(grown, 'partitions-added'), { ...causeOf(grown, 'partitions-added'), topic, partitionsBefore: 4, partitionsAfter: 6 });
    await checkCliMatches(group);
  });

  it('librdkafka (cooperative-sticky): join, scale-out in two rounds, crash, partitions added', async () => {
    const topic = 'tl-rdk';
    const group = 'tl-rdk-group';
    await admin.createTopics({ topics: [{ name: topic, numPartitions: 4 }] });
    const member = (name: string) => {
      const p = spawnPython(name, RDKAFKA_CONSUMER, [broker.bootstrap, topic, JSON.stringify({
        'group.id': group, 'client.id': name, 'partition.assignment.strategy': 'cooperative-sticky', 'session.timeout.ms': 2000,
        'heartbeat.interval.ms': 200, 'topic.metadata.refresh.interval.ms': 500,
      })]);
      children.push(p);
      return p;
    };
    member('rdk-a');
    const [first] = await waitForEntries(url, group, 1, 20_000, 'the first join');
    assert.deepEqual(brief(first!), { generation: 1, kind: 'rebalance', causes: ['member-joined'], members: '0->1', kept: 0, moved: 0, revoked: 0, assigned: 4, pause: 'per-partition' });
    assert.equal(first!.rebalanceProtocol, 'cooperative');
    const aId = first!.membersAfter[0]!.memberId;

    const b = member('rdk-b');
    const [, revoke, reassign] = await waitForEntries(url, group, 3, 20_000, 'both cooperative rounds');
    assert.deepEqual(brief(revoke!), { generation: 2, kind: 'rebalance', causes: ['member-joined'], members: '1->2', kept: 2, moved: 0, revoked: 2, assigned: 0, pause: 'per-partition' });
    const bId = revoke!.joined[0]!;
    assert.equal(revoke!.membersAfter.find((m) => m.memberId === bId)!.clientId, 'rdk-b');
    assert.ok(revoke!.partitions.revoked.every((m) => m.from === aId && m.to === null && m.pauseMs === null));
    assert.deepEqual(brief(reassign!), { generation: 3, kind: 'rebalance', causes: ['cooperative-second-round'], members: '2->2', kept: 2, moved: 2, revoked: 0, assigned: 0, pause: 'per-partition' });
    assert.deepEqual(partitionsOf(reassign!.partitions.moved), partitionsOf(revoke!.partitions.revoked), 'what A gave up in generation 2 is what B got in generation 3');
    for (const m of reassign!.partitions.moved) {
      assert.deepEqual([m.from, m.to, m.revokedInGeneration], [aId, bId, 2]);
      assert.equal(m.pauseMs, reassign!.completedAtMs - revoke!.completedAtMs, 'a moved partition pauses from its revocation to its new owner');
    }
    assert.equal(reassign!.pause.maxMs, reassign!.completedAtMs - revoke!.completedAtMs);

    await b.kill('SIGKILL');
    const crash = (await waitForEntries(url, group, 4, 20_000, 'the crash'))[3]!;
    assert.deepEqual(brief(crash), { generation: 4, kind: 'rebalance', causes: ['session-timeout'], members: '2->1', kept: 2, moved: 2, revoked: 0, assigned: 0, pause: 'per-partition' });
    assert.ok(crash.partitions.moved.every((m) => m.from === bId && m.to === aId));

    await admin.createPartitions({ topics: [{ name: topic, count: 6 }] });
    const grown = (await waitForEntries(url, group, 5, 20_000, 'the new partitions'))[4]!;
    assert.deepEqual(brief(grown), { generation: 5, kind: 'rebalance', causes: ['partitions-added', 'leader-rejoined'], members: '1->1', kept: 4, moved: 0, revoked: 0, assigned: 2, pause: 'per-partition' });
    assert.deepEqual(partitionsOf(grown.partitions.assigned), [4, 5]);
    assert.equal(grown.pause.partitionsPaused, 0, 'cooperative: nothing stopped for new partitions');
    await checkCliMatches(group);
  });
});
