import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Partitioners } from 'kafkajs';
import { runPython, startTestBroker, type TestBroker } from '../helpers/index.js';
import { createAdmin, createProducer, type PartitionerName } from '../../src/client/index.js';

const PARTITIONS = 6;
const KEYS = Array.from({ length: 1000 }, (_, i) => (i % 7 === 0 ? `user-${i}-ünïcode` : `key-${i}`));

let broker: TestBroker;
before(async () => {
  broker = await startTestBroker();
  const admin = createAdmin({ bootstrapServers: broker.bootstrap });
  await admin.createTopics({ topics: [{ name: 'parity-murmur2', numPartitions: PARTITIONS }, { name: 'parity-crc32', numPartitions: PARTITIONS }, { name: 'parity-rdkafka', numPartitions: PARTITIONS }] });
  await admin.close();
});
after(async () => {
  await broker.close();
});

/** Where our producer actually put each key (from the broker's acknowledgements). */
async function samsaPartitions(topic: string, partitioner: PartitionerName): Promise<number[]> {
  const producer = createProducer({ bootstrapServers: broker.bootstrap, partitioner });
  try {
    const results = await producer.send({ topic, messages: KEYS.map((key) => ({ key, value: 'v' })) });
    return results.map((r) => r.partition);
  } finally {
    await producer.close();
  }
}

test('keys land on the partitions kafkajs (DefaultPartitioner) picks', async () => {
  const kafkajs = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));
  const expected = KEYS.map((key) => kafkajs({ topic: 'parity-murmur2', partitionMetadata, message: { key, value: 'v' } }));
  assert.deepEqual(await samsaPartitions('parity-murmur2', 'murmur2'), expected);
});

test('keys land on the partitions kafka-python (DefaultPartitioner, murmur2) picks', async () => {
  const script = `
import sys, json
from kafka.partitioner.default import DefaultPartitioner
keys = json.loads(sys.argv[1])
parts = list(range(int(sys.argv[2])))
print(json.dumps([DefaultPartitioner()(k.encode('utf-8'), parts, parts) for k in keys]))
`;
  const res = await runPython(script, [JSON.stringify(KEYS), String(PARTITIONS)]);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(await samsaPartitions('parity-murmur2', 'murmur2'), JSON.parse(res.stdout));
});

test('with partitioner crc32, keys land where librdkafka\'s consistent partitioner puts them (confluent-kafka producing to our broker)', async () => {
  const script = `
import sys, json
from confluent_kafka import Producer
keys = json.loads(sys.argv[2])
out = {}
p = Producer({'bootstrap.servers': sys.argv[1], 'partitioner': 'consistent', 'linger.ms': 5})
def report(err, msg):
    if err is not None: raise SystemExit(str(err))
    out[msg.key().decode('utf-8')] = msg.partition()
for k in keys: p.produce('parity-rdkafka', key=k.encode('utf-8'), value=b'v', on_delivery=report)
if p.flush(20) != 0: raise SystemExit('not all delivered')
print(json.dumps([out[k] for k in keys]))
`;
  const res = await runPython(script, [broker.bootstrap, JSON.stringify(KEYS)]);
  assert.equal(res.code, 0, res.stderr);
  const rdkafka = JSON.parse(res.stdout) as number[];
  assert.equal(new Set(rdkafka).size, PARTITIONS, 'the keys spread over every partition');
  assert.deepEqual(await samsaPartitions('parity-crc32', 'crc32'), rdkafka);
});
