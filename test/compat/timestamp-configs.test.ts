import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';

/** kafkajs's ConfigResourceTypes.TOPIC (its named export is not visible from ESM). */
const TOPIC_RESOURCE = 2;
import { runPython, startTestBroker, type TestBroker } from '../helpers/index.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const HOUR_MS = 3_600_000;

/**
 * confluent-kafka-python sets the deprecated config through AlterConfigs, then produces one record
 * stamped now (accepted) and one stamped two hours ago (refused); prints each delivery's error name.
 */
const PYTHON_SCRIPT = String.raw`
import json, sys, time
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
admin = AdminClient({'bootstrap.servers': bootstrap})
for f in admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)]).values():
    f.result(10)
resource = ConfigResource('topic', topic, set_config={'message.timestamp.difference.max.ms': '3600000'})
for f in admin.alter_configs([resource]).values():
    f.result(10)

results = []
def delivered(err, msg):
    results.append(None if err is None else err.name())
producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'retries': 0})
now_ms = int(time.time() * 1000)
producer.produce(topic, value='fresh', timestamp=now_ms, on_delivery=delivered)
producer.flush(10)
producer.produce(topic, value='stale', timestamp=now_ms - 2 * 3600000, on_delivery=delivered)
producer.flush(10)
print(json.dumps(results))
`;

describe('compat: message.timestamp.* topic configs (message.timestamp.difference.max.ms was refused with INVALID_CONFIG)', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
  });
  after(() => broker.close());

  it('kafkajs creates a topic with message.timestamp.difference.max.ms, and Produce enforces it both ways', async () => {
    const kafka = new Kafka({ clientId: 'ts-configs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'ts-diff', configEntries: [{ name: 'message.timestamp.difference.max.ms', value: String(HOUR_MS) }] }] });
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC_RESOURCE, name: 'ts-diff', configNames: ['message.timestamp.difference.max.ms'] }] });
    assert.equal(described.resources[0]!.configEntries[0]!.configValue, String(HOUR_MS));
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    try {
      const now = Date.now();
      const [ok] = await producer.send({ topic: 'ts-diff', acks: -1, messages: [{ value: 'fresh', timestamp: String(now) }] });
      assert.equal(ok!.errorCode, 0);
      for (const stamp of [now - 2 * HOUR_MS, now + 2 * HOUR_MS]) {
        await assert.rejects(
          producer.send({ topic: 'ts-diff', acks: -1, messages: [{ value: 'off', timestamp: String(stamp) }] }),
          (err: Error & { type?: string }) => err.type === 'INVALID_TIMESTAMP',
          `timestamp ${stamp - now} ms from now`,
        );
      }
    } finally {
      await producer.disconnect();
    }
    assert.equal(broker.context.store.partition('ts-diff', 0)!.logEndOffset, 1, 'only the fresh record was stored');
  });

  it('confluent-kafka-python sets it with AlterConfigs and gets INVALID_TIMESTAMP for a stale record', async () => {
    const { stdout } = await runPython(PYTHON_SCRIPT, [broker.bootstrap, 'ts-diff-py']);
    assert.deepEqual(JSON.parse(stdout), [null, 'INVALID_TIMESTAMP']);
    assert.equal(broker.context.store.partition('ts-diff-py', 0)!.logEndOffset, 1);
  });
});
