import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Consumer as KafkaJsConsumer, type Producer as KafkaJsProducer } from 'kafkajs';
import { Consumer } from '../../src/client/consumer/index.js';
import { startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';
import { parseTable, parseTables, samsa, samsaOk } from './helpers.js';

const TOPIC = 'cli-g-orders';
const KJS_GROUP = 'cli-kjs';
const SAMSA_GROUP = 'cli-samsa';

describe('samsa groups list/describe and lag against live groups', () => {
  let broker: TestBroker;
  let bs: string[];
  let kafka: Kafka;
  let producer: KafkaJsProducer;
  let kjs: KafkaJsConsumer;
  let samsaConsumer: Consumer;
  const perPartition = new Map<number, number>();

  before(async () => {
    broker = await startTestBroker();
    bs = ['--bootstrap-server', broker.bootstrap];
    kafka = new Kafka({ clientId: 'cli-kjs-client', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    await samsaOk(['topics', 'create', '--topic', TOPIC, '--partitions', '3', ...bs]);
    producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    // The log end of each partition, as kafkajs sees it: what describe must show as committed.
    const admin = kafka.admin();
    await admin.connect();
    for (const o of await admin.fetchTopicOffsets(TOPIC)) perPartition.set(o.partition, Number(o.high));
    await admin.disconnect();

    kjs = kafka.consumer({ groupId: KJS_GROUP, sessionTimeout: 6000, heartbeatInterval: 300 });
    await kjs.connect();
    await kjs.subscribe({ topic: TOPIC, fromBeginning: true });
    await kjs.run({ eachMessage: async () => {} });

    samsaConsumer = new Consumer({
      bootstrapServers: broker.bootstrap, clientId: 'cli-samsa-client', groupId: SAMSA_GROUP, groupInstanceId: 'static-1',
      sessionTimeoutMs: 6000, heartbeatIntervalMs: 300, autoOffsetReset: 'earliest', autoCommitIntervalMs: 100,
    });
    await samsaConsumer.subscribe({ topics: [TOPIC] });
    await samsaConsumer.run({ eachMessage: async () => {} });

    // Both groups stable, with everything consumed and committed.
    for (const group of [KJS_GROUP, SAMSA_GROUP]) {
      await waitFor(async () => {
        const r = await samsa(['lag', '--group', group, '--format', 'json', ...bs]);
        if (r.code !== 0) return false;
        const report = JSON.parse(r.stdout);
        return report.state === 'Stable' && report.totalLag === 0 && report.partitions.length === 3 && report.partitions.every((p: { consumerId: string | null }) => p.consumerId !== null);
      }, 20_000, `${group} to commit everything`, 200);
    }
  });

  after(async () => {
    await kjs?.disconnect();
    await samsaConsumer?.close({ leaveGroup: true });
    await producer?.disconnect();
    await broker?.close();
  });

  it('groups list shows both groups with state, protocol type and member count', async () => {
    const rows = parseTable((await samsaOk(['groups', 'list', ...bs])).stdout);
    assert.deepEqual(rows, [
      { GROUP: KJS_GROUP, STATE: 'Stable', PROTOCOL: 'consumer', MEMBERS: '1', TYPE: 'classic' },
      { GROUP: SAMSA_GROUP, STATE: 'Stable', PROTOCOL: 'consumer', MEMBERS: '1', TYPE: 'classic' },
    ]);
    const empty = await samsaOk(['groups', 'list', '--state', 'empty', ...bs]);
    assert.equal(empty.stdout, '');
    assert.equal(empty.stderr, 'no groups in state Empty\n');
    const json = JSON.parse((await samsaOk(['groups', 'list', '--state', 'Stable', '--format', 'json', ...bs])).stdout);
    assert.deepEqual(json.groups.map((g: { group: string }) => g.group), [KJS_GROUP, SAMSA_GROUP]);
    assert.deepEqual(Object.keys(json.groups[0]), ['group', 'state', 'protocolType', 'protocol', 'members', 'type']);
  });

  it('describe --offsets: kafka-consumer-groups columns with offsets, lag and owner of each partition', async () => {
    const members = parseTable((await samsaOk(['groups', 'describe', '--group', KJS_GROUP, '--members', ...bs])).stdout);
    const memberId = members[0]!['CONSUMER-ID']!;
    assert.match(memberId, /^cli-kjs-client-/);
    const out = await samsaOk(['groups', 'describe', '--group', KJS_GROUP, ...bs]);
    assert.equal(out.stdout.split('\n')[0]!.split(/\s+/).join(' '), 'GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID LOG-START-OFFSET');
    const rows = parseTable(out.stdout);
    assert.deepEqual(rows, [0, 1, 2].map((p) => ({
      GROUP: KJS_GROUP, TOPIC, PARTITION: String(p),
      'CURRENT-OFFSET': String(perPartition.get(p)), 'LOG-END-OFFSET': String(perPartition.get(p)), LAG: '0',
      'CONSUMER-ID': memberId, HOST: rows[0]!.HOST, 'CLIENT-ID': 'cli-kjs-client', 'LOG-START-OFFSET': '0',
    })));
    assert.match(rows[0]!.HOST!, /127\.0\.0\.1/);
    const verbose = parseTable((await samsaOk(['groups', 'describe', '--group', KJS_GROUP, '--verbose', ...bs])).stdout);
    assert.ok('LEADER-EPOCH' in verbose[0]!);
  });

  it('describe --members --verbose shows the static instance id and the assignment', async () => {
    const rows = parseTable((await samsaOk(['groups', 'describe', '--group', SAMSA_GROUP, '--members', '--verbose', ...bs])).stdout);
    assert.equal(rows.length, 1);
    assert.deepEqual({ ...rows[0], 'CONSUMER-ID': undefined, HOST: undefined }, {
      GROUP: SAMSA_GROUP, 'CONSUMER-ID': undefined, 'GROUP-INSTANCE-ID': 'static-1', HOST: undefined, 'CLIENT-ID': 'cli-samsa-client',
      '#PARTITIONS': '3', ASSIGNMENT: `${TOPIC}(0,1,2)`,
    });
    const json = JSON.parse((await samsaOk(['groups', 'describe', '--group', SAMSA_GROUP, '--members', '--format', 'json', ...bs])).stdout);
    assert.deepEqual(json.groups[0].members[0].assignment, [{ topic: TOPIC, partitions: [0, 1, 2] }]);
  });

  it('describe --state --all-groups shows coordinator, strategy, state and member count', async () => {
    const rows = parseTable((await samsaOk(['groups', 'describe', '--all-groups', '--state', ...bs])).stdout);
    const coordinator = `127.0.0.1:${broker.port} (${broker.config.nodeId})`;
    assert.deepEqual(rows.map((r) => [r.GROUP, r['COORDINATOR (ID)'], r.STATE, r['#MEMBERS']]), [
      [KJS_GROUP, coordinator, 'Stable', '1'],
      [SAMSA_GROUP, coordinator, 'Stable', '1'],
    ]);
    assert.equal(rows[1]!['ASSIGNMENT-STRATEGY'], 'range');
  });

  it('an unknown group is one error line and exit 1', async () => {
    for (const args of [['groups', 'describe', '--group', 'nope'], ['groups', 'describe', '--group', 'nope', '--members'], ['lag', '--group', 'nope']]) {
      const r = await samsa([...args, ...bs]);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stderr, 'error: group "nope" does not exist\n');
    }
  });

  it('lag in offsets and seconds matches what was produced and committed; a stopped consumer is STALL, then STOP once gone', async () => {
    const topic = 'cli-g-lag';
    const group = 'cli-lag';
    await samsaOk(['topics', 'create', '--topic', topic, '--partitions', '1', ...bs]);
    const baseMs = Date.now() - 60_000;
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `r${i}`, timestamp: String(baseMs + i * 1000) })) });
    const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 300 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let committed = false;
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (Number(message.offset) === 3 && !committed) {
          await consumer.commitOffsets([{ topic, partition: 0, offset: '4' }]);
          committed = true;
          // The consumer stays in the group but makes no more progress.
          consumer.pause([{ topic }]);
        }
      },
    });
    await waitFor(() => committed, 10_000, 'the commit at offset 4');

    const beforeMs = Date.now();
    const report = JSON.parse((await samsaOk(['lag', '--group', group, '--format', 'json', ...bs])).stdout);
    const afterMs = Date.now();
    const p0 = report.partitions[0];
    assert.deepEqual([p0.currentOffset, p0.logEndOffset, p0.lag], [4, 10, 6]);
    const recordMs = baseMs + 4 * 1000;
    assert.ok(p0.lagSeconds >= (beforeMs - recordMs) / 1000 && p0.lagSeconds <= (afterMs - recordMs) / 1000, `lagSeconds ${p0.lagSeconds}`);
    assert.equal(report.totalLag, 6);
    assert.deepEqual([report.maxLag.topic, report.maxLag.partition, report.maxLag.lag], [topic, 0, 6]);

    // Records keep arriving while the owner stays put: STALL.
    const feeding = setInterval(() => void producer.send({ topic, messages: [{ value: 'more' }] }), 100);
    try {
      const stalled = JSON.parse((await samsaOk(['lag', '--group', group, '--samples', '4', '--interval-ms', '250', '--format', 'json', ...bs])).stdout);
      assert.equal(stalled.partitions[0].status, 'STALL');
      assert.equal(stalled.status, 'ERR');
      assert.ok(stalled.partitions[0].lag > 6, 'lag grew while records arrived');
      await consumer.disconnect();
      // The consumer is gone and nothing commits: STOP.
      const stopped = await samsaOk(['lag', '--group', group, '--samples', '3', '--interval-ms', '200', ...bs]);
      const [summary, partitions] = parseTables(stopped.stdout);
      assert.deepEqual([summary![0]!.STATE, summary![0]!.STATUS, partitions![0]!.STATUS, partitions![0]!['CONSUMER-ID']], ['Empty', 'ERR', 'STOP', '-']);
      assert.notEqual(partitions![0]!['LAG-SECONDS'], '-');
    } finally {
      clearInterval(feeding);
    }
  });

  it('lag --watch appends one frame per sample when stdout is not a terminal (one JSON line each with --format json)', async () => {
    const table = await samsaOk(['lag', '--group', KJS_GROUP, '--watch', '--samples', '2', '--interval-ms', '100', ...bs]);
    const frames = table.stdout.split(/^(?=\d{4}-\d{2}-\d{2}T\S+Z {2}sample \d+$)/m).filter((f) => f.trim() !== '');
    assert.equal(frames.length, 2);
    assert.match(frames[1]!, /sample 2\nGROUP +STATE +STATUS/);
    assert.doesNotMatch(table.stdout, /\u001b/, 'no escape codes on a pipe');
    const json = await samsaOk(['lag', '--group', KJS_GROUP, '--watch', '--samples', '3', '--interval-ms', '100', '--format', 'json', ...bs]);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.samples), [1, 2, 3]);
    assert.deepEqual(lines.map((l) => l.status), ['OK', 'OK', 'OK']);
  });
});
