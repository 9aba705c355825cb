import { Producer, ProduceAcks } from '@platformatic/kafka';
import { payload, type Workload } from './workload.js';

const RECORDS_PER_SEND = 1000;
const SENDS_IN_FLIGHT = 8;

/**
 * @platformatic/kafka producer, acks=1, 1,000 records per send with 8 sends in flight, null keys
 * (spread round-robin over the partitions).
 */
export const platformaticProduce: Workload = {
  name: 'produce',
  client: '@platformatic/kafka',
  async run(ctx) {
    const producer = new Producer({ clientId: 'bench-producer', bootstrapBrokers: [ctx.bootstrap], acks: ProduceAcks.LEADER, autocreateTopics: false });
    const values = Array.from({ length: 64 }, (_, i) => payload(ctx.recordBytes, i + 1));
    let next = 0;
    const sendLoop = async (): Promise<void> => {
      while (next < ctx.records) {
        const start = next;
        const count = Math.min(RECORDS_PER_SEND, ctx.records - start);
        next += count;
        const messages = new Array(count);
        for (let i = 0; i < count; i++) messages[i] = { topic: ctx.topic, value: values[(start + i) % values.length]! };
        await producer.send({ messages });
      }
    };
    await Promise.all(Array.from({ length: SENDS_IN_FLIGHT }, sendLoop));
    await producer.close();
    return { records: ctx.records, bytes: ctx.records * ctx.recordBytes };
  },
};
