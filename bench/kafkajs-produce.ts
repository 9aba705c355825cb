import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { payload, type Workload } from './workload.js';

const RECORDS_PER_SEND = 1000;
const SENDS_IN_FLIGHT = 8;

/** kafkajs producer, acks=1, 1,000 records per send with 8 sends in flight, null keys. */
export const kafkajsProduce: Workload = {
  name: 'produce',
  client: 'kafkajs',
  async run(ctx) {
    process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
    const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers: [ctx.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const values = Array.from({ length: 64 }, (_, i) => payload(ctx.recordBytes, i + 1));
    let next = 0;
    const sendLoop = async (): Promise<void> => {
      while (next < ctx.records) {
        const start = next;
        const count = Math.min(RECORDS_PER_SEND, ctx.records - start);
        next += count;
        const messages = new Array(count);
        for (let i = 0; i < count; i++) messages[i] = { value: values[(start + i) % values.length]! };
        await producer.send({ topic: ctx.topic, acks: 1, compression: CompressionTypes.None, messages });
      }
    };
    await Promise.all(Array.from({ length: SENDS_IN_FLIGHT }, sendLoop));
    await producer.disconnect();
    return { records: ctx.records, bytes: ctx.records * ctx.recordBytes };
  },
};
