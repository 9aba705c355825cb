import { EventEmitter } from 'node:events';
import { ErrorCode } from '../protocol/errors.js';
import type { Consumer } from './consumer/consumer.js';
import type { Batch } from './consumer/types.js';
import { KafkaConfigError, KafkaError } from './errors.js';
import type { Producer, ProducerRecord } from './producer/producer.js';

/** Producer errors after which the pipeline must stop: another instance took over the transactional id. */
const FENCED = new Set<number>([ErrorCode.PRODUCER_FENCED, ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]);

export interface ExactlyOnceOptions {
  /**
   * The input's consumer. It must have `autoCommit: false`, `commitOnRevoke: false` (offsets are
   * committed only by the transactions) and `isolationLevel: 'read_committed'` (so that it never
   * reads another pipeline's aborted output). Its rebalance listener runs as usual.
   */
  consumer: Consumer;
  /** A producer with a `transactionalId`; one per consumer instance (KIP-447). */
  producer: Producer;
  topics: string[];
  /** Turns one batch of input records (one partition) into the records to write; may be async. */
  transform(batch: Batch): ProducerRecord[] | Promise<ProducerRecord[]>;
}

export interface ExactlyOnceEvents {
  /** The pipeline stopped for good (its producer was fenced by another instance, or it failed fatally). */
  fatal: [error: Error];
}

/**
 * Consume-transform-produce with exactly-once results (KIP-98, KIP-447): every batch of input
 * records becomes one transaction that writes the transformed records and commits the
 * consumer's offset past the batch, atomically. If anything fails the transaction is aborted
 * and the consumer delivers the same records again, so the output holds each input's result
 * exactly once for read_committed readers.
 *
 * Rebalances are safe with one transactional producer per consumer (KIP-447): the consumer
 * finishes the batch in hand before it gives a partition up, so no transaction spans an
 * ownership change; and the offsets carry the member's generation, so an instance that was
 * fenced out of the group (a zombie that missed a rebalance) has its commit refused by the
 * group coordinator, aborts, and its output is never visible.
 *
 *   const pipeline = new ExactlyOnceProcessor({ consumer, producer, topics: ['in'], transform: (b) => [{ topic: 'out', messages: ... }] });
 *   await pipeline.start();
 */
export class ExactlyOnceProcessor extends EventEmitter<ExactlyOnceEvents> {
  private stopped = false;

  constructor(private readonly o: ExactlyOnceOptions) {
    super();
    const c = o.consumer.options;
    if (c.autoCommit || c.commitOnRevoke) throw new KafkaConfigError('exactly-once processing needs a consumer with autoCommit: false and commitOnRevoke: false');
    if (c.isolationLevel !== 1) throw new KafkaConfigError("exactly-once processing needs a consumer with isolationLevel: 'read_committed'");
    if (o.producer.options.transactionalId === null) throw new KafkaConfigError('exactly-once processing needs a producer with a transactionalId');
  }

  /** Registers the transactional id (fencing older instances), subscribes and starts consuming. */
  async start(): Promise<void> {
    await this.o.producer.initTransactions();
    await this.o.consumer.subscribe({ topics: this.o.topics });
    await this.o.consumer.run({ eachBatch: ({ batch, isStale }) => this.process(batch, isStale), partitionsConsumedConcurrently: 1 });
  }

  /** Stops consuming (the batch in hand finishes first) and closes the producer. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.o.consumer.close();
    await this.o.producer.close();
  }

  private async process(batch: Batch, isStale: () => boolean): Promise<void> {
    const last = batch.lastOffset();
    if (last === null || this.stopped || isStale()) return;
    // The generation that owns the batch now: committing under it is what fences this instance if
    // a rebalance moves the partition while the batch is processed (a member that left would
    // otherwise commit with no generation, which the coordinator accepts from old clients).
    const group = this.o.consumer.groupMetadata();
    const producer = this.o.producer;
    producer.beginTransaction();
    try {
      const output = await this.o.transform(batch);
      if (output.length > 0) await producer.sendBatch({ topicMessages: output });
      await producer.sendOffsetsToTransaction([{ topic: batch.topic, partition: batch.partition, offset: last + 1 }], group);
      await producer.commitTransaction();
    } catch (err) {
      await this.abort(err as Error);
      // The consumer delivers the batch again (unless the partition moved away meanwhile).
      throw err;
    }
  }

  private async abort(cause: Error): Promise<void> {
    try {
      await this.o.producer.abortTransaction();
    } catch (err) {
      this.fatal(err as Error);
      return;
    }
    if (cause instanceof KafkaError && FENCED.has(cause.code)) this.fatal(cause);
  }

  private fatal(err: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    this.o.consumer.options.client.logger.error('exactly-once processing stopped', { error: err.message });
    this.emit('fatal', err);
    void this.o.consumer.close().catch(() => undefined);
  }
}
