import { Cluster } from '../../src/client/net/cluster.js';
import { decodeRecordBatches } from '../../src/protocol/record-batch.js';

export interface ReadRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Record<string, string | null>;
  producerId: number;
  compression: number;
}

/**
 * Reads every record of a topic with plain Fetch requests (independent of the consumer), for
 * tests that check what a producer wrote. `maxApiVersions` passes through to the cluster.
 */
export async function readAllRecords(bootstrap: string, topic: string, opts: { maxApiVersions?: Record<number, number> } = {}): Promise<ReadRecord[]> {
  const cluster = new Cluster({ bootstrapServers: bootstrap, clientId: 'test-reader', maxApiVersions: opts.maxApiVersions });
  try {
    const partitions = await cluster.partitionCount(topic);
    const out: ReadRecord[] = [];
    for (let partition = 0; partition < partitions; partition++) {
      const leader = await cluster.leaderFor(topic, partition);
      let offset = 0;
      for (;;) {
        const { response } = await cluster.request(leader, 1, {
          replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 16 << 20, isolationLevel: 0,
          topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 8 << 20 }] }],
        });
        const data = response.responses[0]!.partitions[0]!;
        if (data.errorCode !== 0) throw new Error(`fetch ${topic}/${partition}@${offset}: error ${data.errorCode}`);
        const before = offset;
        for (const batch of await decodeRecordBatches(data.records ?? Buffer.alloc(0))) {
          for (const r of batch.records) {
            if (r.offset < offset) continue;
            out.push({
              partition, offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, timestamp: r.timestamp,
              headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString() ?? null])),
              producerId: batch.header.producerId, compression: batch.compression,
            });
            offset = r.offset + 1;
          }
        }
        if (offset >= data.highWatermark || offset === before) break;
      }
    }
    return out;
  } finally {
    await cluster.close();
  }
}
