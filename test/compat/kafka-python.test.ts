import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { checkWorkload, runPython, startTestBroker, type ReadRecord, type TestBroker } from '../helpers/index.js';

const COUNT = 10_000;
const PARTITIONS = 6;

/**
 * kafka-python 2.0.2 (Debian): it probes with ApiVersions v0 and a pipelined Metadata v0, infers
 * a broker version from our ranges, creates the topic with its admin client, produces with its
 * Java-compatible murmur2 partitioner and reads back with a group-less assigned consumer.
 */
const SCRIPT = String.raw`
import json, sys
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

bootstrap, topic, count, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
admin.close()

producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all', linger_ms=5)
futures = [producer.send(topic, key=('key-%d' % i).encode(), value=('value-%d' % i).encode()) for i in range(count)]
producer.flush(30)
for f in futures:
    f.get(10)
inferred = producer.config['api_version']
producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, fetch_max_wait_ms=100)
tps = [TopicPartition(topic, p) for p in range(partitions)]
consumer.assign(tps)
consumer.seek_to_beginning(*tps)
records = []
idle = 0
while len(records) < count and idle < 50:
    batch = consumer.poll(timeout_ms=500)
    idle = idle + 1 if not batch else 0
    for tp, messages in batch.items():
        for m in messages:
            records.append([m.partition, m.offset, m.key.decode(), m.value.decode()])
consumer.close()
print(json.dumps({'records': records, 'api_version': list(inferred)}))
`;

/**
 * A client that believes the broker is Kafka 0.10.0 (api_version pinned, as old applications do)
 * asks for offsets with ListOffsets v0, whose answer is a list of "old style" offsets.
 */
const LIST_OFFSETS_V0_SCRIPT = String.raw`
import json, sys
from kafka import KafkaConsumer, TopicPartition

bootstrap, topic = sys.argv[1], sys.argv[2]
consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, api_version=(0, 10, 0), request_timeout_ms=10000)
tps = [TopicPartition(topic, p) for p in range(2)]
end = consumer.end_offsets(tps)
start = consumer.beginning_offsets(tps)
consumer.close()
print(json.dumps({'end': [end[tp] for tp in tps], 'start': [start[tp] for tp in tps]}))
`;

describe('compat: kafka-python 2.0.2', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
  });
  after(() => broker.close());

  it('creates a 6-partition topic, produces 10,000 keyed records on murmur2 partitions, consumes them all once in order', async () => {
    const { stdout } = await runPython(SCRIPT, [broker.bootstrap, 'kpy', String(COUNT), String(PARTITIONS)], 50_000);
    const out = JSON.parse(stdout) as { records: Array<[number, number, string, string]>; api_version: number[] };
    // kafka-python infers 2.5 from DescribeAcls v2 in our ranges, as it does from Kafka 2.5 and later;
    // its producer and consumer use the same versions from 2.1 on.
    assert.deepEqual(out.api_version, [2, 5, 0]);
    const records: ReadRecord[] = out.records.map(([partition, offset, key, value]) => ({ partition, offset, key, value }));
    records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    checkWorkload(records, { count: COUNT, partitions: PARTITIONS, murmur2: true });
  });

  it('gets offsets from ListOffsets v0 when pinned to Kafka 0.10.0 (a v0 request used to close the connection)', async () => {
    await broker.context.store.createTopic('kpy-v0', 2, {});
    const log = broker.context.store.partition('kpy-v0', 1)!;
    for (let i = 0; i < 3; i++) log.append(await encodeRecordBatch({ records: [{ key: null, value: Buffer.from(`v${i}`), timestamp: 1_700_000_000_000 }] }), 0);
    const { stdout } = await runPython(LIST_OFFSETS_V0_SCRIPT, [broker.bootstrap, 'kpy-v0'], 30_000);
    assert.deepEqual(JSON.parse(stdout), { end: [0, 3], start: [0, 0] });
  });
});
