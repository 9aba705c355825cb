import { LatencyHistogram, makeValue, nowMs, filler, keySpace, valueSeq, valueTimestamp, HEADER_BYTES } from './common.js';
import type { ChildConfig, ChildMessage } from './ipc.js';

/** Sends one message to the main process (the IPC channel of a forked child). */
export function tell(m: ChildMessage): void {
  process.send!(m);
}

/**
 * Collects what a consumer's handler saw and reports it to the main process before the records
 * are acknowledged, so a consumer killed after reporting counts its records as processed.
 */
export class DeliverySink {
  readonly latency = new LatencyHistogram();
  /** Offset commits the client made (clients that say: the Samsa client). */
  commits = 0;
  private seqs = new Uint32Array(1024);
  private partitions = new Uint8Array(1024);
  private timestamps: Float64Array | null;
  private count = 0;
  /** Per partition, the largest batch handed over since the last flush (see batch()). */
  private batchRecords: number[] | null = null;

  constructor(private readonly reportTimestamps: boolean) {
    this.timestamps = reportTimestamps ? new Float64Array(1024) : null;
  }

  /** The handler's work for one record: read the header, note the latency. */
  record(partition: number, value: Uint8Array | null | undefined): void {
    if (value == null || value.length < HEADER_BYTES) return;
    const ts = valueTimestamp(value);
    this.latency.record(nowMs() - ts);
    if (this.count === this.seqs.length) this.grow();
    this.seqs[this.count] = valueSeq(value);
    this.partitions[this.count] = partition;
    if (this.timestamps !== null) this.timestamps[this.count] = ts;
    this.count++;
  }

  /** A fetch batch of `records` records of `partition` was handed to the handler. */
  batch(partition: number, records: number): void {
    this.batchRecords ??= [];
    if (records > (this.batchRecords[partition] ?? 0)) this.batchRecords[partition] = records;
  }

  private flushScheduled = false;

  /**
   * Reports at the end of this turn of the event loop (one message for all the batches handled
   * in it). For clients whose acknowledgement comes later anyway (Kafka commits).
   */
  flushSoon(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Reports what was recorded since the last flush. */
  flush(): void {
    if (this.count === 0) return;
    tell({
      ev: 'delivered',
      atMs: nowMs(),
      seqs: this.seqs.slice(0, this.count),
      partitions: this.partitions.slice(0, this.count),
      timestamps: this.timestamps === null ? null : this.timestamps.slice(0, this.count),
      ...(this.batchRecords !== null ? { batchRecords: Array.from(this.batchRecords, (n) => n ?? 0) } : {}),
    });
    this.count = 0;
    this.batchRecords = null;
  }

  private grow(): void {
    const n = this.seqs.length * 2;
    const s = new Uint32Array(n);
    s.set(this.seqs);
    this.seqs = s;
    const p = new Uint8Array(n);
    p.set(this.partitions);
    this.partitions = p;
    if (this.timestamps !== null && this.reportTimestamps) {
      const t = new Float64Array(n);
      t.set(this.timestamps);
      this.timestamps = t;
    }
  }
}

/** One chunk of records for a producer: keys, partitions (murmur2 of the key) and fresh values. */
export interface Chunk {
  firstSeq: number;
  keys: Buffer[];
  partitions: number[];
  values: Buffer[];
}

export interface ProducerShape {
  /** Records per send call. */
  chunkRecords: number;
  /** Send calls awaiting their acknowledgement at once. */
  chunksInFlight: number;
  send(chunk: Chunk): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The producer loop every system shares: chunks of `chunkRecords` with `chunksInFlight` awaiting
 * acknowledgement; paced to `ratePerSecond` when set (chunks of about 5 ms of records then).
 * Stops after `records` or when `shouldStop()` turns true; resolves with the records acknowledged.
 */
export async function produceLoop(cfg: ChildConfig, shape: ProducerShape, shouldStop: () => boolean): Promise<number> {
  const ks = keySpace();
  const fill = filler(cfg.recordBytes);
  const paced = cfg.ratePerSecond > 0;
  const chunkRecords = paced ? Math.max(1, Math.min(shape.chunkRecords, Math.round(cfg.ratePerSecond / 200))) : shape.chunkRecords;
  const startedMs = nowMs();
  let next = 0;
  let acked = 0;
  const lane = async (): Promise<void> => {
    while (next < cfg.records && !shouldStop()) {
      if (paced) {
        const dueMs = startedMs + (next / cfg.ratePerSecond) * 1000;
        const waitMs = dueMs - nowMs();
        if (waitMs > 1) {
          await sleep(waitMs);
          continue; // another lane may have taken this slot
        }
      }
      const firstSeq = next;
      const count = Math.min(chunkRecords, cfg.records - firstSeq);
      next += count;
      const chunk: Chunk = { firstSeq, keys: new Array(count), partitions: new Array(count), values: new Array(count) };
      for (let i = 0; i < count; i++) {
        const seq = firstSeq + i;
        const k = seq % ks.keys.length;
        chunk.keys[i] = ks.keys[k]!;
        chunk.partitions[i] = ks.partitions[k]!;
        chunk.values[i] = makeValue(seq, cfg.recordBytes, fill);
      }
      await shape.send(chunk);
      acked += count;
    }
  };
  await Promise.all(Array.from({ length: shape.chunksInFlight }, lane));
  return acked;
}
