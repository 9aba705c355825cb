import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker } from '../helpers/index.js';
import { samsa } from './helpers.js';
const broker = await startTestBroker();
const bs = ['--bootstrap-server', broker.bootstrap];
const kafka = new Kafka({ clientId: 'kjs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
const admin = kafka.admin(); await admin.connect();
await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] });
const producer = kafka.producer(); await producer.connect();
await producer.send({ topic: 'orders', messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
const consumer = kafka.consumer({ groupId: 'g1', sessionTimeout: 6000, heartbeatInterval: 500 });
await consumer.connect(); await consumer.subscribe({ topic: 'orders', fromBeginning: true });
let n = 0;
await new Promise<void>((resolve) => consumer.run({ eachMessage: async () => { if (++n === 30) resolve(); } }));
await new Promise((r) => setTimeout(r, 6000));
for (const args of [['groups', 'list'], ['groups', 'describe', '--group', 'g1'], ['groups', 'describe', '--group', 'g1', '--members', '--verbose'], ['groups', 'describe', '--all-groups', '--state'], ['lag', '--group', 'g1'], ['groups', 'reset-offsets', '--group', 'g1', '--all-topics', '--to-earliest']]) {
  const r = await samsa([...args, ...bs]);
  console.log('$ samsa', args.join(' '), r.code, '\n' + r.stdout + r.stderr);
}
await consumer.disconnect();
for (const args of [['groups', 'describe', '--group', 'g1'], ['groups', 'reset-offsets', '--group', 'g1', '--all-topics', '--shift-by', '-5', '--execute'], ['groups', 'describe', '--group', 'g1', '--state'], ['groups', 'delete', '--group', 'g1'], ['groups', 'list']]) {
  const r = await samsa([...args, ...bs]);
  console.log('$ samsa', args.join(' '), r.code, '\n' + r.stdout + r.stderr);
}
await producer.disconnect(); await admin.disconnect(); await broker.close();
