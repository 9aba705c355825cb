import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startMockCluster, type MockCluster } from '../integration/client-mock-cluster.js';
import { parseTable, parseTables, samsa, samsaOk } from './helpers.js';

const TOPIC = 'mock-orders';
const GROUP = 'mock-group';
const RECORDS = 20;
const COMMITTED = 8;

/**
 * The same commands against librdkafka's mock cluster, a broker we did not write. It has no
 * ListGroups or DescribeGroups, so describe shows offsets without owners and says why, and lag
 * judges without ownership (a still offset is STOP). Its ListOffsets v4+ misreads requests for
 * more than one partition (librdkafka 2.0.2), hence --max-api-version ListOffsets=3.
 */
describe('samsa groups describe and lag against librdkafka\'s mock cluster', () => {
  let mock: MockCluster;
  let bs: string[];
  let baseMs: number;

  before(async () => {
    mock = await startMockCluster(1);
    bs = ['--bootstrap-server', mock.bootstrap, '--max-api-version', 'ListOffsets=3'];
    const kafka = new Kafka({ clientId: 'cli-mock', brokers: [mock.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    // Records one second apart, the first two minutes ago: the lag in seconds is known exactly.
    baseMs = Date.now() - 120_000;
    await producer.send({ topic: TOPIC, messages: Array.from({ length: RECORDS }, (_, i) => ({ partition: 0, value: `r${i}`, timestamp: String(baseMs + i * 1000) })) });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 6000 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (partition === 0 && Number(message.offset) === COMMITTED - 1) {
            await consumer.commitOffsets([{ topic: TOPIC, partition: 0, offset: String(COMMITTED) }]);
            resolve();
          }
        },
      }).catch(reject);
    });
    await consumer.disconnect();
  });
  after(() => mock.stop());

  it('describe shows committed offset, log end and lag, with "-" for what the broker cannot tell', async () => {
    const r = await samsaOk(['groups', 'describe', '--group', GROUP, ...bs]);
    assert.match(r.stderr, /does not implement DescribeGroups \(API 15\)/);
    const rows = parseTable(r.stdout);
    assert.deepEqual(rows.find((row) => row.PARTITION === '0'), {
      GROUP, TOPIC, PARTITION: '0', 'CURRENT-OFFSET': String(COMMITTED), 'LOG-END-OFFSET': String(RECORDS), LAG: String(RECORDS - COMMITTED),
      'CONSUMER-ID': '-', HOST: '-', 'CLIENT-ID': '-', 'LOG-START-OFFSET': '0',
    });
    // The other partitions of the topic: nothing committed.
    for (const row of rows.filter((x) => x.PARTITION !== '0')) assert.deepEqual([row['CURRENT-OFFSET'], row.LAG], ['-', '-']);
  });

  it('lag reports offsets and the age of the first unconsumed record in seconds', async () => {
    const beforeMs = Date.now();
    const report = JSON.parse((await samsaOk(['lag', '--group', GROUP, '--format', 'json', ...bs])).stdout);
    const afterMs = Date.now();
    const p0 = report.partitions.find((p: { partition: number }) => p.partition === 0);
    assert.equal(p0.currentOffset, COMMITTED);
    assert.equal(p0.lag, RECORDS - COMMITTED);
    const recordMs = baseMs + COMMITTED * 1000;
    assert.ok(p0.lagSeconds >= (beforeMs - recordMs) / 1000 && p0.lagSeconds <= (afterMs - recordMs) / 1000, `lagSeconds ${p0.lagSeconds}`);
    assert.equal(report.totalLag, RECORDS - COMMITTED);
    assert.deepEqual({ ...report.maxLag, lagSeconds: undefined }, { topic: TOPIC, partition: 0, lag: RECORDS - COMMITTED, lagSeconds: undefined });
    assert.equal(report.state, null);
  });

  it('lag over a window: an offset that stands still with lag is STOP, the group ERR', async () => {
    const r = await samsaOk(['lag', '--group', GROUP, '--samples', '3', '--interval-ms', '150', ...bs]);
    const [summary, partitions] = parseTables(r.stdout);
    assert.deepEqual([summary![0]!.STATUS, summary![0]!.WINDOW, summary![0]!['TOTAL-LAG']], ['ERR', '3/3', String(RECORDS - COMMITTED)]);
    assert.equal(partitions!.find((p) => p.PARTITION === '0')!.STATUS, 'STOP');
  });

  it('reset-offsets plans on the mock; executing says the broker refuses commits from outside the group', async () => {
    const plan = JSON.parse((await samsaOk(['groups', 'reset-offsets', '--group', GROUP, '--topic', `${TOPIC}:0`, '--to-earliest', '--format', 'json', ...bs])).stdout);
    assert.deepEqual(plan, { group: GROUP, executed: false, partitions: [{ topic: TOPIC, partition: 0, currentOffset: COMMITTED, newOffset: 0 }] });
    const run = await samsa(['groups', 'reset-offsets', '--group', GROUP, '--topic', `${TOPIC}:0`, '--to-earliest', '--execute', ...bs]);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, 'error: the broker refused an offset commit from outside the group (UNKNOWN_MEMBER_ID): it does not support resetting offsets of an inactive group\n');
  });

  it('commands that need ListGroups or DescribeGroups fail with one clear line', async () => {
    const list = await samsa(['groups', 'list', ...bs]);
    assert.equal(list.code, 1);
    assert.equal(list.stderr, 'error: the broker does not implement ListGroups (API 16), so groups cannot be listed; name a group with --group\n');
    const members = await samsa(['groups', 'describe', '--group', GROUP, '--members', ...bs]);
    assert.equal(members.code, 1);
    assert.equal(members.stderr, 'error: the broker does not implement DescribeGroups (API 15), which --members needs; try --offsets\n');
    const unknown = await samsa(['groups', 'describe', '--group', 'no-such-group', ...bs]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error: group "no-such-group" has no committed offsets \(or does not exist\); the broker cannot describe groups/m);
  });
});
