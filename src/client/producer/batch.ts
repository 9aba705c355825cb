import { RecordBatchBuilder } from '../../protocol/record-batch-builder.js';
import type { BufferRecycler } from '../../common/buffer-recycler.js';

/** What `send` resolves with, one per record, in the order the records were given. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** The record's offset (batch base offset + its index), or -1 with acks=0. */
  offset: number;
  /** CreateTime given or stamped at send, or the broker's LogAppendTime when the topic uses it. */
  timestamp: number;
}

/** One `send`/`sendBatch` call: settles when all of its records are acknowledged or one fails. */
export class SendTracker {
  readonly results: RecordMetadata[];
  remaining: number;
  settled = false;
  private resolveFn!: (r: RecordMetadata[]) => void;
  private rejectFn!: (e: Error) => void;
  readonly promise: Promise<RecordMetadata[]>;

  constructor(count: number) {
    this.results = new Array<RecordMetadata>(count);
    this.remaining = count;
    this.promise = new Promise((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    if (count === 0) this.done();
  }

  done(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveFn(this.results);
  }

  fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectFn(err);
  }
}

/** Size of a RecordBatch v2 header: every batch costs this on top of its records. */
export const BATCH_OVERHEAD_BYTES = 61;

/**
 * Records bound for one partition, sent together as one RecordBatch. Open while records are
 * appended; then it waits in its partition's queue, is encoded once when first drained, and keeps
 * its producer id and sequence across retries (re-stamped only after a producer id reset).
 */
export class ProducerBatch {
  /** The records, serialized as they arrive. */
  readonly builder: RecordBatchBuilder;
  /** For record i: its timestamp, the send call it came from, and its index in that call. */
  readonly timestamps: number[] = [];
  readonly owners: SendTracker[] = [];
  readonly positions: number[] = [];
  /** Bytes reserved against bufferMemory (released when the batch completes or fails). */
  reservedBytes = 0;
  open = true;
  producerId = -1;
  producerEpoch = -1;
  baseSequence = -1;
  encoded: Buffer | null = null;
  /** Times the batch was sent and came back with a retriable failure. */
  attempts = 0;
  retryAtMs = 0;
  sentAtMs = 0;

  /** The recycled buffer the builder started in (null: a new one). */
  private recycled: Buffer | null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly createdAtMs: number,
    initialBytes: number,
    private readonly recycler: BufferRecycler | null = null,
  ) {
    this.recycled = recycler?.acquire(initialBytes) ?? null;
    this.builder = new RecordBatchBuilder(initialBytes, this.recycled);
  }

  /**
   * The broker answered for this batch: its bytes were written and will not be sent again, so
   * the buffer it was built in may hold another batch. Nothing reads `encoded` afterwards.
   */
  recycle(): void {
    if (this.recycled === null) return;
    this.recycler!.release(this.recycled);
    this.recycled = null;
    this.encoded = null;
  }

  get recordCount(): number {
    return this.builder.count;
  }

  /** Uncompressed size so far, batch header included. */
  get sizeBytes(): number {
    return this.builder.sizeBytes;
  }
}
