import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runPython, startTestBroker, type TestBroker } from '../helpers/index.js';

/**
 * confluent-kafka-python (librdkafka 2.0.2) exactly-once: a read_committed consumer in a group
 * reads the input, a transactional producer writes the transformed records and commits the
 * group's offsets with send_offsets_to_transaction; an aborted transaction in between leaves
 * nothing behind. A read_committed reader of the output sees each transformed record once,
 * a read_uncommitted one also sees the aborted record.
 */
const SCRIPT = String.raw`
import json, sys
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap = sys.argv[1]
admin = AdminClient({'bootstrap.servers': bootstrap})
for f in admin.create_topics([NewTopic('py-in', 1, 1), NewTopic('py-out', 1, 1)]).values():
    f.result(10)

seed = Producer({'bootstrap.servers': bootstrap})
for i in range(5):
    seed.produce('py-in', value='m%d' % i)
assert seed.flush(10) == 0

consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'py-eos', 'enable.auto.commit': False,
                     'auto.offset.reset': 'earliest', 'isolation.level': 'read_committed'})
consumer.subscribe(['py-in'])
inputs = []
while len(inputs) < 5:
    m = consumer.poll(10)
    assert m is not None, 'timed out reading the input'
    if m.error():
        raise Exception(m.error())
    inputs.append(m.value().decode())

producer = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'py-tx', 'transaction.timeout.ms': 60000})
producer.init_transactions(10)

producer.begin_transaction()
producer.produce('py-out', value='junk')
# Deliver it first: abort_transaction purges what is still queued.
assert producer.flush(10) == 0
producer.abort_transaction(10)

producer.begin_transaction()
for v in inputs:
    producer.produce('py-out', value=v.upper())
positions = consumer.position(consumer.assignment())
producer.send_offsets_to_transaction(positions, consumer.consumer_group_metadata(), 10)
producer.commit_transaction(10)
committed = [tp.offset for tp in consumer.committed([TopicPartition('py-in', 0)], 10)]
consumer.close()

def read(isolation):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'py-reader-' + isolation, 'enable.auto.commit': False,
                  'enable.partition.eof': True, 'isolation.level': isolation})
    c.assign([TopicPartition('py-out', 0, 0)])
    values = []
    while True:
        m = c.poll(10)
        assert m is not None, 'timed out reading the output'
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                break
            raise Exception(m.error())
        values.append(m.value().decode())
    c.close()
    return values

print(json.dumps({'committed': committed, 'readCommitted': read('read_committed'), 'readUncommitted': read('read_uncommitted')}))
`;

describe('compat: confluent-kafka-python transactions (librdkafka 2.0.2)', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
  });
  after(() => broker.close());

  it('init_transactions, abort, send_offsets_to_transaction and commit; read_committed sees exactly the committed output', async () => {
    const { stdout } = await runPython(SCRIPT, [broker.bootstrap], 60_000);
    const result = JSON.parse(stdout) as { committed: number[]; readCommitted: string[]; readUncommitted: string[] };
    assert.deepEqual(result.committed, [5]);
    assert.deepEqual(result.readCommitted, ['M0', 'M1', 'M2', 'M3', 'M4']);
    assert.deepEqual(result.readUncommitted, ['junk', 'M0', 'M1', 'M2', 'M3', 'M4']);
  });
});
