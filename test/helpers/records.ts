import assert from 'node:assert/strict';
import { murmur2Partition } from '../../src/protocol/murmur2.js';
import { decodeRecordBatches } from '../../src/protocol/record-batch.js';
import { deliverableRecords } from '../../src/client/consumer/committed-records.js';
import { RawConnection } from './raw-client.js';

/** One record as read back: where it is and what it holds (as UTF-8 text). */
export interface ReadRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  /** Compression of the batch the record came in (set by readTopicRaw). */
  compression?: number;
}

/** The i-th record of the standard compat workload: unique keys, values carrying the index. */
export const workloadKey = (i: number): string => `key-${i}`;
export const workloadValue = (i: number): string => `value-${i}`;

/**
 * Reads every record of a topic with plain Fetch requests decoded by our own decoder (every
 * compression codec), independent of any client library.
 */
export async function readTopicRaw(port: number, topic: string, partitions: number, maxBytes = 4 << 20): Promise<ReadRecord[]> {
  const c = await RawConnection.connect(port);
  try {
    const out: ReadRecord[] = [];
    for (let partition = 0; partition < partitions; partition++) {
      let offset = 0;
      for (;;) {
        const res = await c.request(1, 11, {
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes,
          topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: maxBytes }] }],
        });
        const p = res.responses[0]!.partitions[0]!;
        assert.equal(p.errorCode, 0, `fetch ${topic}/${partition} at ${offset}`);
        if (p.records === null || p.records.length === 0) break;
        for (const batch of await decodeRecordBatches(p.records)) {
          for (const r of batch.records) {
            if (r.offset < offset) continue;
            out.push({ partition, offset: r.offset, key: r.key?.toString('utf8') ?? null, value: r.value?.toString('utf8') ?? null, compression: batch.compression });
            offset = r.offset + 1;
          }
        }
        if (offset >= p.highWatermark) break;
      }
    }
    return out;
  } finally {
    c.close();
  }
}

export interface WorkloadCheck {
  count: number;
  partitions: number;
  /** Also require each key on the partition Java's murmur2 partitioner picks. */
  murmur2?: boolean;
}

/**
 * The compat workload's acceptance: records 0..count-1 each read exactly once, offsets and
 * produce order increasing within each partition, and (for murmur2 clients) every key on the
 * Java client's partition.
 */
export function checkWorkload(records: readonly ReadRecord[], check: WorkloadCheck): void {
  const seen = new Set<number>();
  const lastIndex = new Map<number, number>();
  const lastOffset = new Map<number, number>();
  for (const r of records) {
    const m = /^value-(\d+)$/.exec(r.value ?? '');
    assert.ok(m, `unexpected value ${r.value}`);
    const i = Number(m[1]);
    assert.equal(r.key, workloadKey(i), `key of record ${i}`);
    assert.ok(!seen.has(i), `record ${i} read twice`);
    seen.add(i);
    assert.ok(r.partition >= 0 && r.partition < check.partitions, `partition ${r.partition}`);
    assert.ok((lastIndex.get(r.partition) ?? -1) < i, `record ${i} out of produce order in partition ${r.partition}`);
    assert.ok((lastOffset.get(r.partition) ?? -1) < r.offset, `offsets not increasing in partition ${r.partition}`);
    lastIndex.set(r.partition, i);
    lastOffset.set(r.partition, r.offset);
    if (check.murmur2) {
      assert.equal(r.partition, murmur2Partition(Buffer.from(r.key!), check.partitions), `key ${r.key} is not on Java's murmur2 partition`);
    }
  }
  assert.equal(seen.size, check.count, `read ${seen.size} distinct records, expected ${check.count}`);
  assert.equal(records.length, check.count, 'no duplicates');
  const used = new Set(records.map((r) => r.partition));
  assert.equal(used.size, check.partitions, 'keys spread over every partition');
}

/**
 * Every record a read_committed consumer would get from a topic, read with plain Fetch requests
 * (IsolationLevel READ_COMMITTED) up to each partition's last stable offset, without aborted
 * records or markers: the view a downstream reader of a transactional pipeline has.
 */
export async function readCommittedRaw(port: number, topic: string, partitions: number, maxBytes = 4 << 20): Promise<ReadRecord[]> {
  const c = await RawConnection.connect(port);
  try {
    const out: ReadRecord[] = [];
    for (let partition = 0; partition < partitions; partition++) {
      let offset = 0;
      for (;;) {
        const res = await c.request(1, 11, {
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes,
          isolationLevel: 1,
          topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: maxBytes }] }],
        });
        const p = res.responses[0]!.partitions[0]!;
        assert.equal(p.errorCode, 0, `fetch ${topic}/${partition} at ${offset}`);
        if (p.records === null || p.records.length === 0) break;
        const batches = await decodeRecordBatches(p.records);
        for (const r of deliverableRecords(batches, offset, p.abortedTransactions ?? [])) {
          out.push({ partition, offset: r.offset, key: r.key?.toString('utf8') ?? null, value: r.value?.toString('utf8') ?? null });
        }
        for (const b of batches) offset = Math.max(offset, b.header.baseOffset + b.header.lastOffsetDelta + 1);
        if (offset >= p.lastStableOffset) break;
      }
    }
    return out;
  } finally {
    c.close();
  }
}
