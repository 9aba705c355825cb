import type { Admin } from '../../client/admin/index.js';
import type { Cluster } from '../../client/net/cluster.js';
import { sleepMs } from '../../client/net/sleep.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ConsumedMessage } from '../../client/consumer/types.js';
import { decodeRecordBatches } from '../../protocol/record-batch.js';
import { CliError } from '../context.js';

/** A record read without a group: the same shape the consumer hands its handlers. */
export type ReadRecord = ConsumedMessage;

const PARTITION_MAX_BYTES = 1024 * 1024;

/**
 * Reads partitions without a group (what `samsa consume` does without --group, like
 * kafka-console-consumer with --partition or kcat -C): positions live here, nothing is
 * committed. Each round sends one Fetch per partition leader and returns the records in
 * partition order; a partition whose position fell out of the log restarts at the log start.
 */
export class PartitionReader {
  private readonly positions = new Map<number, number>();

  private constructor(private readonly admin: Admin, readonly topic: string) {}

  static async open(admin: Admin, topic: string, o: { partitions?: number[]; fromBeginning: boolean }): Promise<PartitionReader> {
    const reader = new PartitionReader(admin, topic);
    const count = await admin.cluster.partitionCount(topic);
    const partitions = o.partitions ?? Array.from({ length: count }, (_, i) => i);
    const missing = partitions.filter((p) => p >= count);
    if (missing.length > 0) throw new CliError(`topic ${topic} has ${count} partition(s); there is no partition ${missing.join(', ')}`);
    const start = await admin.listOffsets({ topic, partitions, timestamp: o.fromBeginning ? 'earliest' : 'latest' });
    for (const s of start) reader.positions.set(s.partition, s.offset);
    return reader;
  }

  private get cluster(): Cluster {
    return this.admin.cluster;
  }

  /** One fetch round; waits up to `maxWaitMs` at the broker when there is nothing new. */
  async poll(maxWaitMs: number): Promise<ReadRecord[]> {
    await this.cluster.metadata({ topics: [this.topic] });
    const byLeader = new Map<number, number[]>();
    for (const p of this.positions.keys()) {
      const leader = this.cluster.cache.leaderFor(this.topic, p);
      if (leader < 0) continue;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    if (byLeader.size === 0) {
      this.cluster.invalidateTopic(this.topic);
      await sleepMs(this.cluster.retryDelayMs(0));
      return [];
    }
    const rounds = await Promise.all([...byLeader].map(([leader, partitions]) => this.fetchFrom(leader, partitions, maxWaitMs)));
    return rounds.flat().sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  }

  private async fetchFrom(leader: number, partitions: number[], maxWaitMs: number): Promise<ReadRecord[]> {
    const { response } = await this.cluster.request(leader, 1, {
      replicaId: -1,
      maxWaitMs,
      minBytes: 1,
      maxBytes: PARTITION_MAX_BYTES * partitions.length,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: this.topic, partitions: partitions.map((partition) => ({ partition, fetchOffset: this.positions.get(partition)!, partitionMaxBytes: PARTITION_MAX_BYTES })) }],
      forgottenTopicsData: [],
      rackId: '',
    }, { timeoutMs: this.cluster.options.requestTimeoutMs + maxWaitMs });
    const out: ReadRecord[] = [];
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const position = this.positions.get(p.partitionIndex);
        if (position === undefined) continue;
        if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          const [start] = await this.admin.listOffsets({ topic: this.topic, partitions: [p.partitionIndex], timestamp: 'earliest' });
          this.positions.set(p.partitionIndex, start!.offset);
          continue;
        }
        if (p.errorCode !== ErrorCode.NONE) {
          this.cluster.invalidateTopic(this.topic);
          continue;
        }
        if (p.records === null || p.records.length === 0) continue;
        let next = position;
        for (const batch of await decodeRecordBatches(p.records)) {
          const end = batch.header.baseOffset + batch.header.lastOffsetDelta + 1;
          if (!batch.isControl) {
            for (const r of batch.records) {
              if (r.offset >= position) out.push({ topic: this.topic, partition: p.partitionIndex, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers });
            }
          }
          if (end > next) next = end;
        }
        this.positions.set(p.partitionIndex, next);
      }
    }
    return out;
  }
}
