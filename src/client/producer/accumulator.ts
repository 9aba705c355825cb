import type { RecordHeader } from '../../protocol/record-batch.js';
import type { BufferRecycler } from '../../common/buffer-recycler.js';
import { ProducerBatch, type SendTracker } from './batch.js';

/** The batches of one partition, oldest first, and its idempotence bookkeeping. */
export interface PartitionQueue {
  topic: string;
  partition: number;
  batches: ProducerBatch[];
  /** Batches of this partition sent and not yet answered. */
  inFlight: number;
  /** Idempotence: next sequence to hand out, and the last one the broker acknowledged. */
  nextSequence: number;
  lastAckedSequence: number;
}

/**
 * Collects records into per-partition batches (pure: time comes in as `nowMs`). A batch is ready
 * to send when it is full (`batchSize`), when another batch queues behind it, when it has waited
 * `lingerMs`, when a flush asks for everything, or — for a retry — when its backoff has passed.
 */
export class RecordAccumulator {
  private readonly byTopic = new Map<string, PartitionQueue[]>();
  /** Queues holding at least one batch, in the order they became non-empty. */
  readonly pending = new Set<PartitionQueue>();
  bufferedBytes = 0;

  constructor(
    private readonly batchSize: number,
    private readonly lingerMs: number,
    /** Batch buffers of at least 32 KiB are recycled once the broker has answered for them. */
    private readonly recycler: BufferRecycler | null = null,
  ) {}

  queue(topic: string, partition: number): PartitionQueue {
    let list = this.byTopic.get(topic);
    if (list === undefined) {
      list = [];
      this.byTopic.set(topic, list);
    }
    let q = list[partition];
    if (q === undefined) {
      q = { topic, partition, batches: [], inFlight: 0, nextSequence: 0, lastAckedSequence: -1 };
      list[partition] = q;
    }
    return q;
  }

  allQueues(): PartitionQueue[] {
    const out: PartitionQueue[] = [];
    for (const list of this.byTopic.values()) for (const q of list) if (q !== undefined) out.push(q);
    return out;
  }

  /**
   * Appends one record (`sizeBytes` is its upper-bound estimate, reserved against bufferMemory);
   * returns the batch it closed, if it filled one (the caller then drains at once and moves a
   * sticky partition on).
   */
  append(
    topic: string, partition: number, key: Buffer | null, value: Buffer | null, headers: RecordHeader[] | undefined,
    timestamp: number, sizeBytes: number, owner: SendTracker, position: number, nowMs: number,
  ): ProducerBatch | null {
    const q = this.queue(topic, partition);
    let batch = q.batches.length > 0 ? q.batches[q.batches.length - 1]! : undefined;
    let closed: ProducerBatch | null = null;
    if (batch !== undefined && batch.open && batch.recordCount > 0 && batch.sizeBytes + sizeBytes > this.batchSize) {
      batch.open = false;
      closed = batch;
      batch = undefined;
    }
    if (batch === undefined || !batch.open) {
      batch = new ProducerBatch(topic, partition, nowMs, this.batchSize, this.recycler);
      q.batches.push(batch);
      this.pending.add(q);
    }
    batch.builder.append(key, value, headers, timestamp);
    batch.timestamps.push(timestamp);
    batch.owners.push(owner);
    batch.positions.push(position);
    batch.reservedBytes += sizeBytes;
    this.bufferedBytes += sizeBytes;
    if (batch.sizeBytes >= this.batchSize) {
      batch.open = false;
      closed ??= batch;
    }
    return closed;
  }

  /** Whether the oldest batch of `q` may be sent at `nowMs`. */
  isReady(q: PartitionQueue, nowMs: number, flushing: boolean): boolean {
    const b = q.batches[0];
    if (b === undefined) return false;
    if (b.attempts > 0) return b.retryAtMs <= nowMs;
    return flushing || !b.open || q.batches.length > 1 || nowMs - b.createdAtMs >= this.lingerMs;
  }

  /** When the next batch becomes ready by time alone (linger or retry backoff), or Infinity. */
  nextReadyAtMs(): number {
    let min = Infinity;
    for (const q of this.pending) {
      const b = q.batches[0]!;
      const at = b.attempts > 0 ? b.retryAtMs : !b.open || q.batches.length > 1 ? 0 : b.createdAtMs + this.lingerMs;
      if (at < min) min = at;
    }
    return min;
  }

  /** Takes the oldest batch of `q` for sending (closing it if it was still open). */
  take(q: PartitionQueue): ProducerBatch {
    const b = q.batches.shift()!;
    b.open = false;
    if (q.batches.length === 0) this.pending.delete(q);
    return b;
  }

  /**
   * Puts a batch back for a retry, ahead of every batch with a later sequence (or none yet), so
   * that a partition's batches reach the broker in sequence order.
   */
  requeue(q: PartitionQueue, batch: ProducerBatch): void {
    let i = 0;
    while (i < q.batches.length) {
      const other = q.batches[i]!;
      if (other.attempts === 0 || other.baseSequence < 0 || other.baseSequence > batch.baseSequence) break;
      i++;
    }
    q.batches.splice(i, 0, batch);
    this.pending.add(q);
  }

  release(batch: ProducerBatch): void {
    this.bufferedBytes -= batch.reservedBytes;
    batch.reservedBytes = 0;
  }

  get isEmpty(): boolean {
    return this.pending.size === 0;
  }
}
