import { after, before, describe, it } from 'node:test';
import { checkWorkload, runPython, startTestBroker, type ReadRecord, type TestBroker } from '../helpers/index.js';

const COUNT = 10_000;
const PARTITIONS = 6;

/**
 * confluent-kafka-python over librdkafka 2.0.2: the admin client creates the topic, an idempotent
 * producer (acks=all, murmur2_random for Java's key placement) writes the workload, and a
 * consumer with a manual assignment (no group needed) reads every partition to its end.
 */
const SCRIPT = String.raw`
import json, sys
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic, count, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
admin = AdminClient({'bootstrap.servers': bootstrap})
for f in admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)]).values():
    f.result(10)
md = admin.list_topics(topic, timeout=10)
assert len(md.topics[topic].partitions) == partitions, md.topics[topic].partitions

errors = []
def delivered(err, msg):
    if err is not None:
        errors.append(str(err))
producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'enable.idempotence': True,
                     'linger.ms': 5, 'partitioner': 'murmur2_random'})
for i in range(count):
    producer.produce(topic, key='key-%d' % i, value='value-%d' % i, on_delivery=delivered)
    if i % 500 == 0:
        producer.poll(0)
assert producer.flush(30) == 0, 'undelivered messages'
assert not errors, errors[:5]

consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'compat-unused', 'enable.auto.commit': False,
                     'enable.partition.eof': True})
consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
records, at_end = [], set()
while len(at_end) < partitions:
    m = consumer.poll(10)
    assert m is not None, 'timed out consuming'
    if m.error():
        if m.error().code() == KafkaError._PARTITION_EOF:
            at_end.add(m.partition())
            continue
        raise Exception(m.error())
    records.append([m.partition(), m.offset(), m.key().decode(), m.value().decode()])
consumer.close()
print(json.dumps(records))
`;

describe('compat: confluent-kafka-python (librdkafka 2.0.2)', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
  });
  after(() => broker.close());

  it('creates a 6-partition topic, produces 10,000 keyed records idempotently, consumes them all once in order', async () => {
    const { stdout } = await runPython(SCRIPT, [broker.bootstrap, 'ckp', String(COUNT), String(PARTITIONS)], 50_000);
    const rows = JSON.parse(stdout) as Array<[number, number, string, string]>;
    const records: ReadRecord[] = rows.map(([partition, offset, key, value]) => ({ partition, offset, key, value }));
    records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    checkWorkload(records, { count: COUNT, partitions: PARTITIONS, murmur2: true });
  });
});
