import { Consumer } from '@platformatic/kafka';
import type { Workload } from './workload.js';

const PARTITION_MAX_BYTES = 4 << 20;

/**
 * @platformatic/kafka reading the whole topic with its Fetch (all partitions in one request,
 * 4 MiB per partition) and decoding every record. Group-less, so it measures the data path only.
 */
export const platformaticConsume: Workload = {
  name: 'consume',
  client: '@platformatic/kafka',
  async run(ctx) {
    const consumer = new Consumer({ clientId: 'bench-consumer', groupId: 'bench-unused', bootstrapBrokers: [ctx.bootstrap] });
    // Fetch v13+ names topics by id.
    const topicId = (await consumer.metadata({ topics: [ctx.topic] })).topics.get(ctx.topic)!.id;
    const offsets = Array.from({ length: ctx.partitions }, () => 0n);
    let records = 0;
    let bytes = 0;
    while (records < ctx.records) {
      const res = await consumer.fetch({
        node: ctx.nodeId,
        maxWaitTime: 100,
        maxBytes: ctx.partitions * PARTITION_MAX_BYTES,
        topics: [
          {
            topicId,
            partitions: offsets.map((fetchOffset, partition) => ({ partition, fetchOffset, partitionMaxBytes: PARTITION_MAX_BYTES, currentLeaderEpoch: -1, lastFetchedEpoch: -1 })),
          },
        ],
      });
      for (const p of res.responses[0]!.partitions) {
        for (const batch of p.records ?? []) {
          for (const r of batch.records) {
            const offset = batch.firstOffset + BigInt(r.offsetDelta);
            if (offset < offsets[p.partitionIndex]!) continue;
            offsets[p.partitionIndex] = offset + 1n;
            records++;
            bytes += r.value?.length ?? 0;
          }
        }
      }
    }
    await consumer.close();
    return { records, bytes };
  },
};
