import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { samsa } from '../cli/helpers.js';
import { samsaCommand, waitFor } from '../helpers/index.js';
import { startMockCluster, type MockCluster } from '../integration/client-mock-cluster.js';
import { getJson } from './support.js';

const TOPIC = 'mock-metered';
const GROUP = 'mock-metered-group';

/**
 * `samsa exporter` (the same server as `samsa dashboard`) against librdkafka's mock cluster, a
 * broker Samsa did not write. It has no ListGroups or DescribeGroups: groups named with --group
 * still get offsets and lag, the page and the API say what is missing, and no timeline is made up.
 */
describe('observe: exporter and dashboard against librdkafka\'s mock cluster', () => {
  let mock: MockCluster;
  let exporter: ChildProcess;
  let url: string;
  let stdout = '';

  before(async () => {
    mock = await startMockCluster(1);
    const kafka = new Kafka({ clientId: 'observe-mock', brokers: [mock.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: Array.from({ length: 12 }, (_, i) => ({ partition: 0, value: `r${i}` })) });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 6000 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          if (Number(message.offset) === 4) {
            await consumer.commitOffsets([{ topic: TOPIC, partition: 0, offset: '5' }]);
            resolve();
          }
        },
      }).catch(reject);
    });
    await consumer.disconnect();
    const { command, args } = samsaCommand();
    exporter = spawn(command, [...args, 'exporter', '--bootstrap-server', mock.bootstrap, '--max-api-version', 'ListOffsets=3', '--http-port', '0', '--group', GROUP, '--poll-interval-ms', '500', '--cluster-name', 'mock'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    exporter.stdout!.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    url = (await waitFor(() => /serving (http:\/\/\S+\/)metrics/.exec(stdout), 20_000, 'the exporter\'s address', 50))[1]!;
  });
  after(async () => {
    if (exporter !== undefined && exporter.exitCode === null) {
      const exited = new Promise((resolve) => exporter.once('exit', resolve));
      exporter.kill('SIGTERM');
      await exited;
    }
    mock?.stop();
  });

  it('serves lag of a named group and the topic offsets', async () => {
    const text = await (await fetch(`${url}metrics`)).text();
    assert.match(text, new RegExp(`kminion_kafka_consumer_group_topic_partition_lag\\{group_id="${GROUP}",topic_name="${TOPIC}",partition_id="0"\\} 7`));
    assert.match(text, new RegExp(`kafka_consumergroup_group_lag\\{cluster_name="mock",group="${GROUP}",topic="${TOPIC}",partition="0",member_host="",consumer_id="",client_id=""\\} 7`));
    assert.match(text, new RegExp(`kminion_kafka_topic_partition_high_water_mark\\{topic_name="${TOPIC}",partition_id="0"\\} 12`));
    assert.match(text, /samsa_exporter_up 1/);
    assert.doesNotMatch(text, /samsa_broker_/, 'no broker-internal series for a broker in another process');
  });

  it('the API says what the broker lacks and infers no timeline', async () => {
    const snapshot = await getJson<{ notes: string[]; timelineSource: string; groups: Array<{ groupId: string; state: string | null; totalLag: number }> }>(`${url}api/snapshot`);
    assert.equal(snapshot.timelineSource, 'inferred');
    assert.ok(snapshot.notes.some((n) => /ListGroups \(API 16\)/.test(n)), snapshot.notes.join('\n'));
    assert.ok(snapshot.notes.some((n) => /DescribeGroups \(API 15\)/.test(n)), snapshot.notes.join('\n'));
    assert.deepEqual(snapshot.groups.map((g) => [g.groupId, g.state, g.totalLag]), [[GROUP, null, 7]]);
    const timeline = await getJson<{ source: string; entries: unknown[] }>(`${url}api/groups/${GROUP}/timeline`);
    assert.deepEqual(timeline, { groupId: GROUP, source: 'inferred', entries: [] });
    const page = await fetch(url);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  });

  it('samsa groups timeline explains that only a Samsa broker keeps history', async () => {
    const r = await samsa(['groups', 'timeline', '--group', GROUP, '--bootstrap-server', mock.bootstrap]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /only a Samsa broker keeps rebalance history: give its HTTP address with --http-url/);
  });
});
