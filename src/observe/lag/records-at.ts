import type { Cluster } from '../../client/net/cluster.js';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeRecordBatches, type DecodedRecord } from '../../protocol/record-batch.js';

export interface RecordPosition {
  topic: string;
  partition: number;
  /** Where to start reading. */
  offset: number;
}

/** Enough for the first batch in most cases; Kafka returns the whole first batch anyway (KIP-74). */
const PARTITION_MAX_BYTES = 64 * 1024;

const key = (topic: string, partition: number): string => `${topic}:${partition}`;

/**
 * The records at and after the given offsets, as far as the first fetched batch goes: one Fetch
 * per partition leader, answered at once (maxWaitMs 0). Control records are skipped. A partition
 * that cannot be read (moved leader, offset gone, an error) maps to an empty list: callers show
 * "unknown" rather than guess.
 */
export async function recordsAt(cluster: Cluster, positions: readonly RecordPosition[]): Promise<Map<string, DecodedRecord[]>> {
  const out = new Map<string, DecodedRecord[]>();
  if (positions.length === 0) return out;
  await cluster.metadata({ topics: [...new Set(positions.map((p) => p.topic))] });
  const byLeader = new Map<number, RecordPosition[]>();
  for (const p of positions) {
    out.set(key(p.topic, p.partition), []);
    const leader = cluster.cache.leaderFor(p.topic, p.partition);
    if (leader < 0) continue;
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
  }
  await Promise.all([...byLeader].map(async ([leader, list]) => {
    const wanted = new Map(list.map((p) => [key(p.topic, p.partition), p.offset]));
    const topics = new Map<string, Array<{ partition: number; fetchOffset: number; partitionMaxBytes: number }>>();
    for (const p of list) topics.set(p.topic, [...(topics.get(p.topic) ?? []), { partition: p.partition, fetchOffset: p.offset, partitionMaxBytes: PARTITION_MAX_BYTES }]);
    let response;
    try {
      ({ response } = await cluster.request(leader, 1, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: PARTITION_MAX_BYTES * list.length,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
        forgottenTopicsData: [],
        rackId: '',
      }));
    } catch {
      return; // nothing known for this leader's partitions
    }
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const k = key(t.topic, p.partitionIndex);
        const offset = wanted.get(k);
        if (offset === undefined || p.errorCode !== ErrorCode.NONE || p.records === null || p.records.length === 0) continue;
        out.set(k, await decodeFrom(p.records, offset));
      }
    }
  }));
  return out;
}

async function decodeFrom(bytes: Buffer, offset: number): Promise<DecodedRecord[]> {
  const records: DecodedRecord[] = [];
  try {
    for (const batch of await decodeRecordBatches(bytes)) {
      if (batch.isControl) continue;
      for (const r of batch.records) if (r.offset >= offset) records.push(r);
    }
  } catch {
    // A format we cannot read: nothing known rather than a failed command.
  }
  return records;
}

/**
 * The timestamps of the records at the given offsets: the age of the oldest record a group has not
 * consumed yet is what "lag in seconds" means (kafka-lag-exporter's definition, measured here by
 * reading the record instead of interpolating). null where the record cannot be read.
 */
export async function recordTimestamps(cluster: Cluster, positions: readonly RecordPosition[]): Promise<Map<string, number | null>> {
  const records = await recordsAt(cluster, positions);
  return new Map([...records].map(([k, list]) => [k, list[0] !== undefined && list[0].timestamp >= 0 ? list[0].timestamp : null]));
}
