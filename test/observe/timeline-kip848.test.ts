import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAdmin, type Admin } from '../../src/client/index.js';
import type { TimelineEntry } from '../../src/common/timeline/index.js';
import { samsaOk } from '../cli/helpers.js';
import { spawnNode, type Line, type LineProcess } from '../compat/group-support.js';
import { RDKAFKA_KIP848_CONSUMER } from '../compat/kip848-support.js';
import type { BrokerProcess } from '../helpers/index.js';
import { brief, partitionsOf, spawnObservedBroker, timelineOf, waitForEntries } from './support.js';

/**
 * Samsa's client with `groupProtocol: 'consumer'` in its own process (so that it can be
 * SIGKILLed). argv: JSON config. Prints `assign` and `revoke` lines (incremental, as
 * `topic-partition`) from its rebalance listener.
 */
const SAMSA_KIP848_CONSUMER = `
import { join } from 'node:path';
const { Consumer } = await import(join(process.cwd(), 'dist/src/client/index.js'));
const cfg = JSON.parse(process.argv[1]);
const out = (o) => process.stdout.write(JSON.stringify({ t: Date.now(), ...o }) + '\\n');
const tp = (ps) => ps.map((p) => p.topic + '-' + p.partition).sort();
const consumer = new Consumer({
  bootstrapServers: cfg.bootstrap, clientId: cfg.name, groupId: cfg.groupId, groupProtocol: 'consumer', autoOffsetReset: 'earliest', maxWaitMs: 50,
  rebalanceListener: {
    onPartitionsAssigned: (ps) => { if (ps.length > 0) out({ type: 'assign', partitions: tp(ps) }); },
    onPartitionsRevoked: (ps) => { if (ps.length > 0) out({ type: 'revoke', partitions: tp(ps) }); },
  },
});
await consumer.subscribe({ topics: cfg.topics });
out({ type: 'ready' });
await consumer.run({ eachMessage: async () => {} });
`;

type Spawn = (name: string, bootstrap: string, groupId: string, topic: string) => LineProcess;

const spawnRdkafka: Spawn = (name, bootstrap, groupId, topic) =>
  spawnNode(name, RDKAFKA_KIP848_CONSUMER, [JSON.stringify({ bootstrap, groupId, name, topics: [topic], protocol: 'consumer' })]);
const spawnSamsa: Spawn = (name, bootstrap, groupId, topic) => spawnNode(name, SAMSA_KIP848_CONSUMER, [JSON.stringify({ bootstrap, groupId, name, topics: [topic] })]);

const causeOf = (e: TimelineEntry, kind: string) => e.causes.find((c) => c.kind === kind);
const lineWith = (p: LineProcess, type: string, tp: string): Line | undefined => p.ofType(type).find((l) => (l['partitions'] as string[]).includes(tp));

/**
 * The timeline of consumer groups (KIP-848) a Samsa broker records, with real clients doing what
 * rebalances a group in production: a first member joins, a second scales it out (one
 * reconciliation round: the first revokes two partitions, the second gets and acknowledges
 * them), the second is SIGKILLed (fenced at its session timeout), and the topic gets more
 * partitions (a metadata epoch bump). Each round is one entry; only moved partitions pause.
 */
describe('observe: exact timeline of consumer groups (KIP-848) with librdkafka 2.15 and the Samsa client', () => {
  let broker: BrokerProcess;
  let url: string;
  let admin: Admin;
  const children: LineProcess[] = [];

  before(async () => {
    ({ broker, url } = await spawnObservedBroker([
      '--memory',
      '--group-consumer-session-timeout-ms', '3000', '--group-consumer-min-session-timeout-ms', '1000',
      '--group-consumer-heartbeat-interval-ms', '300', '--group-consumer-min-heartbeat-interval-ms', '100',
    ]));
    admin = createAdmin({ bootstrapServers: broker.bootstrap });
  });
  after(async () => {
    await Promise.all(children.map((c) => c.kill('SIGKILL')));
    await admin?.close();
    await broker?.kill();
  });

  async function scenario(spawn: Spawn, prefix: string, diagnostic: (text: string) => void): Promise<void> {
    const topic = `${prefix}-t`;
    const group = `${prefix}-group`;
    await admin.createTopics({ topics: [{ name: topic, numPartitions: 4 }] });
    const member = (name: string) => {
      const p = spawn(name, broker.bootstrap, group, topic);
      children.push(p);
      return p;
    };

    const a = member(`${prefix}-a`);
    const [first] = await waitForEntries(url, group, 1, 30_000, 'the first join');
    assert.deepEqual(brief(first!), { generation: 1, kind: 'rebalance', causes: ['member-joined'], members: '0->1', kept: 0, moved: 0, revoked: 0, assigned: 4, pause: 'per-partition' });
    assert.deepEqual([first!.source, first!.protocolType, first!.protocolName, first!.rebalanceProtocol, first!.previousGenerationId], ['coordinator', 'consumer', 'uniform', 'consumer', null]);
    const aId = first!.membersAfter[0]!.memberId;
    assert.equal(first!.membersAfter[0]!.clientId, `${prefix}-a`);
    assert.equal(causeOf(first!, 'member-joined')!.memberId, aId);
    await a.waitForLine((l) => l.type === 'assign', 10_000, 'A assigned');
    assert.ok(first!.completedAtMs >= a.ofType('assign')[0]!.t, 'the round ends when A acknowledges what it was given');

    const b = member(`${prefix}-b`);
    const scaled = (await waitForEntries(url, group, 2, 30_000, 'the scale-out'))[1]!;
    assert.deepEqual(brief(scaled), { generation: 2, kind: 'rebalance', causes: ['member-joined'], members: '1->2', kept: 2, moved: 2, revoked: 0, assigned: 0, pause: 'per-partition' });
    const bId = scaled.joined[0]!;
    assert.equal(causeOf(scaled, 'member-joined')!.clientId, `${prefix}-b`);
    assert.equal(scaled.previousGenerationId, 1);
    for (const m of scaled.partitions.moved) {
      const tp = `${m.topic}-${m.partition}`;
      assert.deepEqual([m.from, m.to, m.acknowledged], [aId, bId, true], tp);
      // From A being asked to revoke it to B acknowledging it: A's revoke and B's assign lie within.
      const revokedAt = lineWith(a, 'revoke', tp)!.t;
      const assignedAt = (await b.waitForLine((l) => l.type === 'assign' && (l['partitions'] as string[]).includes(tp), 10_000, `B assigned ${tp}`)).t;
      assert.ok(m.revokeMs !== null && m.revokeMs !== undefined && m.revokeMs >= 0 && m.revokeMs <= m.pauseMs!, `${tp}: revoked in ${m.revokeMs} of a ${m.pauseMs} ms pause`);
      assert.ok(scaled.completedAtMs - m.pauseMs! <= revokedAt && assignedAt <= scaled.completedAtMs, `${tp}: the pause covers A's revocation and B's assignment`);
    }
    assert.equal(scaled.pause.partitionsPaused, 2, 'only the two moved partitions paused');
    assert.equal(scaled.pause.maxMs, Math.max(...scaled.partitions.moved.map((m) => m.pauseMs!)));
    assert.deepEqual(scaled.partitions.kept.map((k) => k.partition), partitionsOf(first!.partitions.assigned).filter((p) => !scaled.partitions.moved.some((m) => m.partition === p)));

    await b.kill('SIGKILL');
    const crash = (await waitForEntries(url, group, 3, 30_000, 'the crash'))[2]!;
    assert.deepEqual(brief(crash), { generation: 3, kind: 'rebalance', causes: ['session-timeout'], members: '2->1', kept: 2, moved: 2, revoked: 0, assigned: 0, pause: 'per-partition' });
    assert.deepEqual(crash.left, [bId]);
    assert.equal(causeOf(crash, 'session-timeout')!.memberId, bId);
    assert.deepEqual(partitionsOf(crash.partitions.moved), partitionsOf(scaled.partitions.moved));
    assert.ok(crash.partitions.moved.every((m) => m.from === bId && m.to === aId && m.revokeMs === null && m.acknowledged === true), 'taken from B without asking, acknowledged by A');

    await admin.createPartitions({ topics: [{ name: topic, count: 6 }] });
    const grown = (await waitForEntries(url, group, 4, 30_000, 'the new partitions'))[3]!;
    assert.deepEqual(brief(grown), { generation: 4, kind: 'rebalance', causes: ['partitions-added'], members: '1->1', kept: 4, moved: 0, revoked: 0, assigned: 2, pause: 'per-partition' });
    assert.deepEqual(partitionsOf(grown.partitions.assigned), [4, 5]);
    assert.deepEqual(causeOf(grown, 'partitions-added'), { ...causeOf(grown, 'partitions-added'), topic, partitionsBefore: 4, partitionsAfter: 6 });
    assert.equal(grown.pause.partitionsPaused, 0, 'nothing stopped for new partitions');

    // The CLI prints the same history: JSON as the API gives it, and one table row per round.
    const api = await timelineOf(url, group);
    const cli = await samsaOk(['groups', 'timeline', '--group', group, '--http-url', url, '--format', 'json', '--bootstrap-server', broker.bootstrap]);
    assert.deepEqual(JSON.parse(cli.stdout), api);
    const table = await samsaOk(['groups', 'timeline', '--group', group, '--http-url', url, '--bootstrap-server', broker.bootstrap]);
    const rows = table.stdout.trim().split('\n');
    assert.equal(rows.length, api.entries.length + 1, table.stdout);
    assert.match(rows[1]!, /uniform \(consumer\)/);
    assert.match(rows[3]!, /session timeout/);
    assert.match(rows[4]!, /partitions added to /);
    assert.match(rows[2]!, /moved \d+ms/);
    diagnostic(table.stdout);
  }

  it('librdkafka 2.15 (group.protocol=consumer): join, scale-out, crash, partitions added', async (t) => {
    await scenario(spawnRdkafka, 'tl848-rdk', (text) => t.diagnostic(text));
  });

  it("the Samsa client (groupProtocol 'consumer'): join, scale-out, crash, partitions added", async (t) => {
    await scenario(spawnSamsa, 'tl848-samsa', (text) => t.diagnostic(text));
  });
});
