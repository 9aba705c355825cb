import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { makeTestCertificates, runKcat, runPython, startTestBroker, type TestBroker, type TestCertificates } from '../helpers/index.js';

/** One way in: a listener and, for SASL listeners, a mechanism. */
interface Case {
  name: string;
  listener: 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  mechanism?: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
}

const CASES: Case[] = [
  { name: 'SSL', listener: 'SSL' },
  { name: 'SASL_PLAINTEXT PLAIN', listener: 'SASL_PLAINTEXT', mechanism: 'PLAIN' },
  { name: 'SASL_PLAINTEXT SCRAM-SHA-256', listener: 'SASL_PLAINTEXT', mechanism: 'SCRAM-SHA-256' },
  { name: 'SASL_PLAINTEXT SCRAM-SHA-512', listener: 'SASL_PLAINTEXT', mechanism: 'SCRAM-SHA-512' },
  { name: 'SASL_SSL SCRAM-SHA-512', listener: 'SASL_SSL', mechanism: 'SCRAM-SHA-512' },
  { name: 'SASL_SSL PLAIN', listener: 'SASL_SSL', mechanism: 'PLAIN' },
];

const topicOf = (client: string, c: Case): string => `sec-${client}-${c.name.replace(/[^A-Za-z0-9]+/g, '-')}`.toLowerCase();

/** This case as librdkafka properties. */
function librdkafkaConfig(c: Case, bootstrap: string, caFile: string, password = 'alice-secret'): Record<string, string> {
  const conf: Record<string, string> = { 'bootstrap.servers': bootstrap, 'security.protocol': c.listener };
  if (c.listener !== 'SASL_PLAINTEXT') conf['ssl.ca.location'] = caFile;
  if (c.mechanism !== undefined) Object.assign(conf, { 'sasl.mechanisms': c.mechanism, 'sasl.username': 'alice', 'sasl.password': password });
  return conf;
}

const PYTHON_ROUND_TRIP = `
import json, sys
from confluent_kafka import Consumer, Producer
conf = json.loads(sys.argv[1]); topic = sys.argv[2]
p = Producer(dict(conf))
p.produce(topic, b'hello-python')
left = p.flush(15)
assert left == 0, 'undelivered: %d' % left
c = Consumer(dict(conf, **{'group.id': topic + '-g', 'auto.offset.reset': 'earliest'}))
c.subscribe([topic])
for _ in range(100):
    m = c.poll(0.5)
    if m is not None and m.error() is None:
        print(m.value().decode()); break
c.close()
`;

const PYTHON_LIST = `
import json, sys
from confluent_kafka.admin import AdminClient
conf = json.loads(sys.argv[1])
try:
    AdminClient(conf).list_topics(timeout=5)
    print('listed')
except Exception as e:
    print('refused: %s' % e)
`;

describe('compat: TLS and SASL with kcat, confluent-kafka-python and kafkajs', () => {
  let certs: TestCertificates;
  let broker: TestBroker;
  const bootstrap = (c: Case): string => `127.0.0.1:${broker.listeners.find((l) => l.name === c.listener)!.port}`;
  before(async () => {
    certs = await makeTestCertificates();
    broker = await startTestBroker({
      listeners: 'SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
      tls: { keyFile: certs.serverKeyFile, certFile: certs.serverCertFile },
      saslUsers: { alice: 'alice-secret' },
    });
  });
  after(async () => {
    await broker.close();
    await certs.remove();
  });

  for (const c of CASES) {
    it(`kcat produces and consumes over ${c.name}`, async () => {
      const topic = topicOf('kcat', c);
      const x = Object.entries(librdkafkaConfig(c, bootstrap(c), certs.caFile)).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
      await runKcat([...x, '-P', '-t', topic], { input: 'hello-kcat\n' });
      const out = await runKcat([...x, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
      assert.equal(out.stdout, 'hello-kcat\n');
    });

    it(`confluent-kafka-python produces and consumes in a group over ${c.name}`, async () => {
      const topic = topicOf('python', c);
      const out = await runPython(PYTHON_ROUND_TRIP, [JSON.stringify(librdkafkaConfig(c, bootstrap(c), certs.caFile)), topic], 60_000);
      assert.equal(out.stdout.trim(), 'hello-python');
    });

    it(`kafkajs produces and consumes in a group over ${c.name}`, async () => {
      const topic = topicOf('kafkajs', c);
      const sasl = c.mechanism === undefined ? undefined : ({ mechanism: c.mechanism.toLowerCase(), username: 'alice', password: 'alice-secret' } as SASLOptions);
      const kafka = new Kafka({ brokers: [bootstrap(c)], logLevel: logLevel.NOTHING, ssl: c.listener === 'SASL_PLAINTEXT' ? false : { ca: [readFileSync(certs.caFile)] }, ...(sasl ? { sasl } : {}) });
      const producer = kafka.producer({ allowAutoTopicCreation: true });
      await producer.connect();
      await producer.send({ topic, messages: [{ value: 'hello-kafkajs' }] });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: `${topic}-g`, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const value = await new Promise<string>((resolve, reject) => {
        consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }).catch(reject);
      });
      await consumer.disconnect();
      assert.equal(value, 'hello-kafkajs');
    });
  }

  it('wrong passwords and unknown users are refused by every client, with the broker\'s message and no access', async () => {
    const c: Case = { name: 'SASL_PLAINTEXT SCRAM-SHA-256', listener: 'SASL_PLAINTEXT', mechanism: 'SCRAM-SHA-256' };
    const before = broker.context.store.listTopics().length;
    const wrong = librdkafkaConfig(c, bootstrap(c), certs.caFile, 'wrong');
    const kcat = await runKcat(['-L', '-m', '3', ...Object.entries(wrong).flatMap(([k, v]) => ['-X', `${k}=${v}`])]).then(
      (r) => r.stdout + r.stderr,
      (e: Error) => e.message,
    );
    assert.match(kcat, /Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256/);
    const plainUnknown = { ...librdkafkaConfig({ ...c, mechanism: 'PLAIN' }, bootstrap(c), certs.caFile), 'sasl.username': 'mallory' };
    const python = await runPython(PYTHON_LIST, [JSON.stringify(plainUnknown)], 30_000);
    assert.match(python.stdout, /refused: .*(Authentication failed: Invalid username or password|_TRANSPORT|timed out)/);
    const kafka = new Kafka({ brokers: [bootstrap(c)], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'nope' } });
    const admin = kafka.admin();
    await assert.rejects(admin.connect(), /SASL SCRAM SHA512 authentication failed|Authentication failed/);
    assert.equal(broker.context.store.listTopics().length, before, 'nothing was created');
  });
});
