import { Consumer, MessagesStreamModes, ProduceAcks, Producer, compatibilityPartitioner } from '@platformatic/kafka';
import type { SystemClient } from './types.js';

/** @platformatic/kafka 1.x: acks=-1 producer with Java's partitioner; the consumer's message stream with autocommit. */
export const platformaticClient: SystemClient = {
  describe: '@platformatic/kafka: acks=-1 producer (Java-compatible murmur2 partitioner); consumer message stream, autocommit',
  async producer(cfg) {
    const producer = new Producer({
      clientId: `bench-${cfg.consumerName}`,
      bootstrapBrokers: [`${cfg.host}:${cfg.port}`],
      acks: cfg.acks === -1 ? ProduceAcks.ALL : ProduceAcks.LEADER,
      partitioner: compatibilityPartitioner,
      autocreateTopics: false,
    });
    return {
      chunkRecords: 1000,
      chunksInFlight: 8,
      async send(chunk) {
        const messages = new Array(chunk.values.length);
        for (let i = 0; i < messages.length; i++) messages[i] = { topic: cfg.target, key: chunk.keys[i], value: chunk.values[i] };
        await producer.send({ messages });
      },
      close: () => producer.close(),
    };
  },
  async consumer(cfg, sink, onAssigned) {
    const consumer = new Consumer({
      clientId: `bench-${cfg.consumerName}`,
      groupId: cfg.groupId,
      bootstrapBrokers: [`${cfg.host}:${cfg.port}`],
      sessionTimeout: cfg.group.failureTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(cfg.group.failureTimeoutMs / 6)),
    });
    consumer.on('consumer:group:join', () => {
      const mine = consumer.assignments?.find((a) => a.topic === cfg.target)?.partitions ?? [];
      onAssigned([...mine]);
    });
    const stream = await consumer.consume({
      topics: [cfg.target],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: 'earliest',
      autocommit: true,
      maxWaitTime: 500,
    });
    const done = (async () => {
      for await (const m of stream) {
        sink.record(m.partition, m.value);
        sink.flushSoon();
      }
    })();
    return {
      async stop() {
        await stream.close();
        await done.catch(() => {});
        sink.flush();
        await consumer.close();
      },
    };
  },
};
