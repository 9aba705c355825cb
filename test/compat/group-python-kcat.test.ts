import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { decodeAssignment, decodeSubscription } from '../../src/protocol/consumer-protocol.js';
import { makeTempDir, runKcat, runPython, startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';
import { RDKAFKA_CONSUMER, spawnPython } from './group-support.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/** kafka-python 2.0.2: consume `count` records (or until idle), commit what was consumed, close. */
const KAFKA_PYTHON_CONSUME = `
import sys, json
from kafka import KafkaConsumer
bootstrap, topic, group, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset='earliest',
                  enable_auto_commit=False, consumer_timeout_ms=3000, session_timeout_ms=6000, heartbeat_interval_ms=500)
values = []
for m in c:
    values.append(m.value.decode())
    if len(values) == count:
        break
c.commit()
c.close(autocommit=False)
print(json.dumps(values))
`;

/** confluent-kafka-python's admin: ListGroups + DescribeGroups, as printed by the client. */
const RDKAFKA_LIST_GROUPS = `
import sys, json, base64
from confluent_kafka.admin import AdminClient
admin = AdminClient({'bootstrap.servers': sys.argv[1]})
out = []
for g in admin.list_groups(timeout=10):
    out.append({'id': g.id, 'state': g.state, 'protocol_type': g.protocol_type, 'protocol': g.protocol, 'error': str(g.error) if g.error else None,
                'members': [{'id': m.id, 'client_id': m.client_id, 'client_host': m.client_host,
                             'metadata': base64.b64encode(m.metadata).decode(), 'assignment': base64.b64encode(m.assignment).decode()} for m in g.members]})
print(json.dumps(sorted(out, key=lambda g: g['id'])))
`;

async function produce(bootstrap: string, topic: string, from: number, to: number): Promise<void> {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const messages = [];
  for (let i = from; i < to; i++) messages.push({ partition: i % 2, value: `v${i}` });
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
}

describe('compat: committed offsets with kafka-python 2.0.2 and kcat -G, across a broker restart', () => {
  let dir: { path: string; remove(): Promise<void> };
  let broker: TestBroker;
  before(async () => {
    dir = await makeTempDir('samsa-groups-');
    broker = await startTestBroker({ dataDir: dir.path });
  });
  after(async () => {
    await broker.close();
    await dir.remove();
  });

  /** Stops the broker and starts it again on the same data (a new port). */
  async function restart(): Promise<void> {
    await broker.close();
    broker = await startTestBroker({ dataDir: dir.path });
  }

  it('kafka-python and kcat resume from their committed offsets, also after a broker restart', async () => {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'resume', numPartitions: 2 }] });
    await admin.disconnect();
    await produce(broker.bootstrap, 'resume', 0, 100);

    // kafka-python reads 60 and commits; kcat reads everything (to EOF) and commits on exit.
    const first = JSON.parse((await runPython(KAFKA_PYTHON_CONSUME, [broker.bootstrap, 'resume', 'kp-group', '60'])).stdout) as string[];
    assert.equal(first.length, 60);
    const kcatArgs = () => ['-b', broker.bootstrap, '-G', 'kcat-group', '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%s\\n', 'resume'];
    const kcatFirst = (await runKcat(kcatArgs(), { timeoutMs: 30_000 })).stdout.split('\n').filter((l) => l !== '');
    assert.equal(kcatFirst.length, 100);

    // Restart between the commits and the resumption.
    await restart();
    await produce(broker.bootstrap, 'resume', 100, 150);

    const second = JSON.parse((await runPython(KAFKA_PYTHON_CONSUME, [broker.bootstrap, 'resume', 'kp-group', '1000'])).stdout) as string[];
    assert.equal(second.length, 90, 'kafka-python resumes after the 60 it committed');
    assert.deepEqual(new Set([...first, ...second]).size, 150, 'nothing lost, nothing read twice');
    const kcatSecond = (await runKcat(kcatArgs(), { timeoutMs: 30_000 })).stdout.split('\n').filter((l) => l !== '');
    assert.deepEqual(kcatSecond.sort(), Array.from({ length: 50 }, (_, i) => `v${100 + i}`).sort(), 'kcat resumes after the 100 it committed');
  });

  it('lists and describes groups through confluent-kafka-python\'s admin as Kafka would', async () => {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'listed', numPartitions: 2 }] });
    await admin.disconnect();
    const member = spawnPython('listed-member', RDKAFKA_CONSUMER, [broker.bootstrap, 'listed', JSON.stringify({ 'group.id': 'listed-group', 'client.id': 'rdk-listed' })]);
    try {
      await member.waitForLine((l) => l.type === 'assign', 20_000, 'assignment');
      await waitFor(() => broker.context.groups.coordinator.group('listed-group')?.state === 'Stable', 5000, 'Stable');
      const groups = JSON.parse((await runPython(RDKAFKA_LIST_GROUPS, [broker.bootstrap])).stdout) as Array<{
        id: string;
        state: string;
        protocol_type: string;
        protocol: string;
        error: string | null;
        members: Array<{ id: string; client_id: string; client_host: string; metadata: string; assignment: string }>;
      }>;
      const g = groups.find((x) => x.id === 'listed-group')!;
      assert.deepEqual([g.state, g.protocol_type, g.protocol, g.error], ['Stable', 'consumer', 'range', null]);
      assert.equal(g.members.length, 1);
      assert.equal(g.members[0]!.client_id, 'rdk-listed');
      assert.equal(g.members[0]!.client_host, '/127.0.0.1');
      assert.deepEqual(decodeSubscription(Buffer.from(g.members[0]!.metadata, 'base64')).topics, ['listed']);
      assert.deepEqual(decodeAssignment(Buffer.from(g.members[0]!.assignment, 'base64')).assignedPartitions, [{ topic: 'listed', partitions: [0, 1] }]);
      // The groups of the first test are there too, Empty, with protocol type "consumer" and no members.
      const kp = groups.find((x) => x.id === 'kp-group')!;
      assert.deepEqual([kp.state, kp.protocol_type, kp.members.length], ['Empty', 'consumer', 0]);
    } finally {
      await member.kill('SIGKILL');
    }
  });
});
