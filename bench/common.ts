import { murmur2Partition } from '../src/protocol/murmur2.js';

/**
 * What every benchmark process shares: the record layout, the keys, the clock and the latency
 * histogram. Every system gets byte-for-byte the same records.
 */

/** Partitions (Kafka), streams (Redis) or subjects (JetStream) the keys are spread over. */
export const PARTITIONS = 6;
/** Distinct keys; a record's key is `key-<seq % KEY_COUNT>`. */
export const KEY_COUNT = 1000;

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface KeySpace {
  keys: Buffer[];
  /** The partition Java's murmur2 partitioner picks for each key. */
  partitions: Uint8Array;
}

export function keySpace(): KeySpace {
  const keys: Buffer[] = [];
  const partitions = new Uint8Array(KEY_COUNT);
  for (let i = 0; i < KEY_COUNT; i++) {
    keys.push(Buffer.from(`key-${String(i).padStart(4, '0')}`));
    partitions[i] = murmur2Partition(keys[i]!, PARTITIONS);
  }
  return { keys, partitions };
}

/**
 * Record value layout: float64 producer timestamp (ms), uint32 sequence number, then filler that
 * does not compress. The consumer reads the first 12 bytes; nothing else is decoded.
 */
export const HEADER_BYTES = 12;

export function filler(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = 2654435761;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** A fresh value for record `seq`, stamped now. */
export function makeValue(seq: number, recordBytes: number, fill: Buffer): Buffer {
  const b = Buffer.allocUnsafe(recordBytes);
  b.writeDoubleLE(nowMs(), 0);
  b.writeUInt32LE(seq, 8);
  fill.copy(b, HEADER_BYTES, 0, recordBytes - HEADER_BYTES);
  return b;
}

export function valueTimestamp(v: Uint8Array): number {
  if (Buffer.isBuffer(v)) return v.readDoubleLE(0);
  return new DataView(v.buffer, v.byteOffset, 8).getFloat64(0, true);
}

export function valueSeq(v: Uint8Array): number {
  return v[8]! | (v[9]! << 8) | (v[10]! << 16) | (v[11]! * 0x1000000);
}

/**
 * Log-bucketed latency histogram: bucket i holds latencies in [1.02^i, 1.02^(i+1)) microseconds,
 * so percentiles are exact to 2%. Small and mergeable across processes.
 */
export class LatencyHistogram {
  static readonly BASE = Math.log(1.02);
  static readonly BUCKETS = 1200; // 1.02^1200 µs is far beyond any run
  readonly counts: number[];

  constructor(counts?: number[]) {
    this.counts = counts ?? new Array<number>(LatencyHistogram.BUCKETS).fill(0);
  }

  record(latencyMs: number): void {
    const us = latencyMs * 1000;
    const i = us <= 1 ? 0 : Math.min(LatencyHistogram.BUCKETS - 1, Math.floor(Math.log(us) / LatencyHistogram.BASE));
    this.counts[i]!++;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
  }

  total(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }

  /** The latency in ms below which `q` (0..1) of the samples fall (bucket midpoint). */
  quantileMs(q: number): number {
    const total = this.total();
    if (total === 0) return NaN;
    const target = q * total;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return Math.exp((i + 0.5) * LatencyHistogram.BASE) / 1000;
    }
    return NaN;
  }
}
