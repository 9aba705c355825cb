import { Kafka, logLevel } from 'kafkajs';
import type { SystemClient } from './types.js';

/** kafkajs 2.2.4 with its defaults: acks=-1 producer (one request per send() call), eachBatch consumer committing after each batch. */
export const kafkajsClient: SystemClient = {
  describe: 'kafkajs: acks=-1 producer (default partitioner, murmur2); consumer eachBatch, commit after each batch (its default)',
  async producer(cfg) {
    process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
    const kafka = new Kafka({ clientId: `bench-${cfg.consumerName}`, brokers: [`${cfg.host}:${cfg.port}`], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    return {
      chunkRecords: 1000,
      chunksInFlight: 8,
      async send(chunk) {
        const messages = new Array(chunk.values.length);
        for (let i = 0; i < messages.length; i++) messages[i] = { key: chunk.keys[i], value: chunk.values[i] };
        await producer.send({ topic: cfg.target, acks: cfg.acks, messages });
      },
      close: () => producer.disconnect(),
    };
  },
  async consumer(cfg, sink, onAssigned) {
    const kafka = new Kafka({ clientId: `bench-${cfg.consumerName}`, brokers: [`${cfg.host}:${cfg.port}`], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({
      groupId: cfg.groupId,
      sessionTimeout: cfg.group.failureTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(cfg.group.failureTimeoutMs / 6)),
      maxWaitTimeInMs: 500,
    });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const mine = e.payload.memberAssignment[cfg.target] ?? [];
      onAssigned([...mine]);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: cfg.target, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) sink.record(batch.partition, m.value);
        sink.flushSoon();
      },
    });
    return { stop: () => consumer.disconnect() };
  },
};
