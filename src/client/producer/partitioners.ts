import { murmur2Partition } from '../../protocol/murmur2.js';

export type PartitionerName = 'murmur2' | 'crc32';

export interface PartitionerArgs {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  partitionCount: number;
}

/** A custom partitioner: return a partition in [0, partitionCount), or -1 for "sticky" (no opinion). */
export type Partitioner = (args: PartitionerArgs) => number;

/** A keyed record's partition as Java (and kafkajs 2.x, kafka-python) pick it. */
export function murmur2Partitioner(key: Uint8Array, partitionCount: number): number {
  return murmur2Partition(key, partitionCount);
}

const CRC32_TABLE = (() => {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** CRC-32 (IEEE, zlib's) of `data`, unsigned. */
export function crc32(data: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < data.length; i++) c = CRC32_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/**
 * librdkafka's `consistent` partitioner (the hashing half of its default `consistent_random`):
 * the unsigned CRC-32 of the key modulo the partition count.
 */
export function crc32Partitioner(key: Uint8Array, partitionCount: number): number {
  return crc32(key) % partitionCount;
}

/**
 * KIP-480 sticky partitioning for records without a key: every such record of a topic goes to
 * one partition until that partition's batch is closed (full or sent); then another partition is
 * picked at random (a different one when there is a choice). Batches fill up instead of spreading
 * a trickle of records over every partition.
 */
export class StickyPartitions {
  private readonly current = new Map<string, number>();

  constructor(private readonly random: () => number) {}

  partition(topic: string, partitionCount: number): number {
    const p = this.current.get(topic);
    if (p !== undefined && p < partitionCount) return p;
    return this.pick(topic, partitionCount, -1);
  }

  /** The batch of `partition` was closed: move on if it was the sticky one. */
  batchClosed(topic: string, partition: number, partitionCount: number): void {
    if (this.current.get(topic) === partition) this.pick(topic, partitionCount, partition);
  }

  private pick(topic: string, partitionCount: number, previous: number): number {
    let p = Math.floor(this.random() * partitionCount);
    if (partitionCount > 1 && p === previous) p = (p + 1 + Math.floor(this.random() * (partitionCount - 1))) % partitionCount;
    this.current.set(topic, p);
    return p;
  }
}
