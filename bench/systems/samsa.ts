import diagnostics_channel from 'node:diagnostics_channel';
import { CONSUMER_CHANNELS, createConsumer, createProducer, type CommitEvent } from '../../src/client/index.js';
import { groupHeartbeatIntervalMs } from '../ipc.js';
import type { SystemClient } from './types.js';

/**
 * The Samsa client with its defaults except the producer's batchSize (see SAMSA_BATCH_BYTES):
 * producer acks=-1 with idempotence, lingerMs 5; consumer eachBatch, offsets auto-committed
 * continuously (one commit in flight) and on revoke. With `group.protocol` 'consumer' it joins with KIP-848 (the broker sets the
 * session timeout and heartbeat interval).
 */
export const samsaClient: SystemClient = {
  describe: 'Samsa client: acks=-1 idempotent producer, lingerMs 5, batchSize 256 KiB (default 16 KiB); consumer eachBatch, continuous auto-commit (one in flight) + commit on revoke (defaults)',
  async producer(cfg) {
    const producer = createProducer({
      bootstrapServers: `${cfg.host}:${cfg.port}`,
      clientId: `bench-${cfg.consumerName}`,
      acks: cfg.acks,
      ...(cfg.batchBytes > 0 ? { batchSize: cfg.batchBytes } : {}),
    });
    await producer.connect();
    return {
      chunkRecords: 1000,
      chunksInFlight: 8,
      async send(chunk) {
        const messages = new Array(chunk.values.length);
        for (let i = 0; i < messages.length; i++) messages[i] = { key: chunk.keys[i], value: chunk.values[i] };
        await producer.send({ topic: cfg.target, messages });
      },
      close: () => producer.close(),
    };
  },
  async consumer(cfg, sink, onAssigned) {
    const g = cfg.group;
    const consumer = createConsumer({
      bootstrapServers: `${cfg.host}:${cfg.port}`,
      clientId: `bench-${cfg.consumerName}`,
      groupId: cfg.groupId,
      ...(g.staticMember ? { groupInstanceId: cfg.consumerName } : {}),
      ...(g.protocol === 'consumer'
        ? { groupProtocol: 'consumer' as const, groupRemoteAssignor: 'uniform' }
        : {
            partitionAssignmentStrategy: [g.assignor],
            sessionTimeoutMs: g.failureTimeoutMs,
            heartbeatIntervalMs: groupHeartbeatIntervalMs(g.failureTimeoutMs),
          }),
      autoOffsetReset: 'earliest',
      ...(g.commitIntervalMs !== undefined && g.commitIntervalMs > 0 ? { autoCommitIntervalMs: g.commitIntervalMs } : {}),
      rebalanceListener: {
        onPartitionsAssigned: () => onAssigned(consumer.assignment().map((tp) => tp.partition)),
        onPartitionsRevoked: () => onAssigned(consumer.assignment().map((tp) => tp.partition)),
      },
    });
    const clientId = `bench-${cfg.consumerName}`;
    diagnostics_channel.subscribe(CONSUMER_CHANNELS.commit, (m) => {
      if ((m as CommitEvent).clientId === clientId) sink.commits++;
    });
    await consumer.subscribe({ topics: [cfg.target] });
    await consumer.run({
      eachBatch: ({ batch }) => {
        for (const m of batch.messages) sink.record(batch.partition, m.value);
        sink.batch(batch.partition, batch.messages.length);
        sink.flushSoon();
      },
    });
    return { stop: () => consumer.close() };
  },
};
