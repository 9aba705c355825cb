import { ErrorCode } from '../../protocol/errors.js';
import { BufferRecycler } from '../../common/buffer-recycler.js';
import type { RecordHeader } from '../../protocol/record-batch.js';
import { KafkaConfigError, KafkaError } from '../errors.js';
import { Cluster } from '../net/cluster.js';
import { RecordAccumulator } from './accumulator.js';
import { SendTracker, type ProducerBatch, type RecordMetadata } from './batch.js';
import { resolveProducerOptions, type ProducerOptions, type ResolvedProducerOptions } from './options.js';
import { crc32Partitioner, murmur2Partitioner, StickyPartitions } from './partitioners.js';
import { Sender } from './sender.js';
import { TransactionManager, type ConsumerGroupMetadata, type TransactionOffset } from './transactions.js';

export type MessageBytes = Buffer | Uint8Array | string;

export type MessageHeaders =
  | Record<string, MessageBytes | null | undefined | Array<MessageBytes | null>>
  | Array<{ key: string; value: MessageBytes | null }>;

export interface ProducerMessage {
  key?: MessageBytes | null;
  value: MessageBytes | null;
  headers?: MessageHeaders;
  /** An explicit partition; otherwise the partitioner picks one. */
  partition?: number;
  /** CreateTime in ms (default: now). */
  timestamp?: number | string;
}

export interface ProducerRecord {
  topic: string;
  messages: ProducerMessage[];
}

export interface ProducerBatchRecord {
  topicMessages: ProducerRecord[];
}

/** Upper bound of a record's framing inside a batch: length, attributes, deltas, lengths, counts. */
const RECORD_OVERHEAD_BYTES = 21;

/**
 * The Samsa producer. `send` buffers records into per-partition batches and resolves, per call,
 * with each record's topic, partition, offset and timestamp once the broker acknowledged all of
 * them (`acks`). Batches leave when full (`batchSize`) or after `lingerMs`; `flush()` sends
 * everything now and `close()` flushes before disconnecting, so nothing accepted is lost.
 */
export class Producer {
  readonly options: ResolvedProducerOptions;
  readonly cluster: Cluster;
  private readonly acc: RecordAccumulator;
  private readonly sender: Sender;
  private readonly sticky: StickyPartitions;
  private readonly transactions: TransactionManager | null = null;
  private memoryWaiters: Array<() => void> = [];
  private readonly appending = new Set<Promise<void>>();
  private closing: Promise<void> | null = null;

  constructor(options: ProducerOptions) {
    this.options = resolveProducerOptions(options);
    this.cluster = new Cluster(this.options.client);
    // Batches of 32 KiB and more are built in buffers used again once the broker has answered for
    // them: fresh ones cost a page fault per 4 KiB, more than filling them.
    const recycler = new BufferRecycler({ maxFreeBytes: Math.min(this.options.bufferMemory, 64 * 1024 * 1024) });
    this.acc = new RecordAccumulator(this.options.batchSize, this.options.lingerMs, recycler);
    this.sticky = new StickyPartitions(this.options.client.random);
    this.sender = new Sender(this.cluster, this.acc, this.options, (b) => this.onBatchClosed(b), () => this.onMemoryFreed());
    if (this.options.transactionalId !== null) {
      this.transactions = new TransactionManager(this.cluster, this.options, this.sender.idempotence, {
        flush: () => this.sender.flush(),
        failUnsent: (err) => this.sender.failUnsent(err),
        wake: () => this.sender.wake(),
        queues: () => this.acc.allQueues(),
      });
      this.sender.transactions = this.transactions;
    }
  }

  // ---- transactions (KIP-98): only with `transactionalId` ----

  /**
   * Registers the transactional id with its coordinator: fences any older producer with the same
   * id and aborts a transaction it left open. Call once, before the first transaction.
   */
  initTransactions(): Promise<void> {
    return this.txn('initTransactions').initTransactions();
  }

  /** Starts a transaction: every record sent until commit or abort belongs to it. */
  beginTransaction(): void {
    this.txn('beginTransaction').beginTransaction();
  }

  /**
   * Adds the consumer group's offsets to the transaction: they are committed if and only if the
   * transaction commits (consume-transform-produce). `groupMetadata` is `consumer.groupMetadata()`,
   * so a member fenced by a rebalance cannot commit (KIP-447).
   */
  sendOffsetsToTransaction(offsets: TransactionOffset[], groupMetadata: ConsumerGroupMetadata): Promise<void> {
    return this.txn('sendOffsetsToTransaction').sendOffsetsToTransaction(offsets, groupMetadata);
  }

  /** Sends what is buffered, waits for it, and commits: records and offsets become visible together. */
  commitTransaction(): Promise<void> {
    return this.txn('commitTransaction').commitTransaction();
  }

  /** Aborts: read_committed consumers never see the transaction's records, and its offsets are dropped. */
  abortTransaction(): Promise<void> {
    return this.txn('abortTransaction').abortTransaction();
  }

  private txn(operation: string): TransactionManager {
    if (this.transactions === null) throw new KafkaConfigError(`${operation} needs a transactional producer (the transactionalId option)`);
    return this.transactions;
  }

  /** Connects and fetches metadata now (optional: `send` does it on first use). */
  async connect(): Promise<void> {
    await this.cluster.metadata({ force: true });
  }

  /** Sends records of one topic; resolves with their metadata in the order given. */
  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.sendBatch({ topicMessages: [record] });
  }

  /** Sends records of several topics as one unit of acknowledgement. */
  async sendBatch(batch: ProducerBatchRecord): Promise<RecordMetadata[]> {
    if (this.closing !== null) throw new KafkaError(ErrorCode.NETWORK_EXCEPTION, { api: 'Produce' }, 'the producer is closed');
    this.transactions?.checkSend();
    const groups = batch?.topicMessages;
    if (!Array.isArray(groups)) throw new KafkaConfigError('sendBatch needs { topicMessages: [{ topic, messages }] }');
    let total = 0;
    for (const g of groups) {
      if (typeof g?.topic !== 'string' || g.topic === '') throw new KafkaConfigError('send needs a topic name');
      if (!Array.isArray(g.messages)) throw new KafkaConfigError(`send to ${g.topic}: messages must be an array`);
      total += g.messages.length;
    }
    const tracker = new SendTracker(total);
    // close() waits for sends still looking up metadata or waiting for buffer room.
    const appended = this.appendGroups(groups, tracker);
    this.appending.add(appended);
    try {
      await appended;
    } catch (err) {
      // The caller gets this error; records appended before it still settle the tracker.
      tracker.promise.catch(() => {});
      tracker.fail(err as Error);
      throw err;
    } finally {
      this.appending.delete(appended);
    }
    this.sender.wake();
    return tracker.promise;
  }

  private async appendGroups(groups: ProducerRecord[], tracker: SendTracker): Promise<void> {
    let position = 0;
    for (const g of groups) {
      const count = this.cluster.cache.partitionCount(g.topic) || (await this.loadPartitionCount(g.topic));
      position = await this.appendAll(g, count, tracker, position);
    }
  }

  private loadPartitionCount(topic: string): Promise<number> {
    return this.withinMaxBlock(this.cluster.partitionCount(topic, { allowAutoTopicCreation: true }), `metadata for ${topic}`);
  }

  /** The per-record hot path: normalise, pick a partition, append to its batch. */
  private async appendAll(g: ProducerRecord, partitionCount: number, tracker: SendTracker, position: number): Promise<number> {
    const { topic, messages } = g;
    const nowMs = this.options.client.clock.nowMs();
    const o = this.options;
    const byName = o.partitioner === 'murmur2' ? murmur2Partitioner : o.partitioner === 'crc32' ? crc32Partitioner : null;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const key = m.key == null ? null : toBuffer(m.key);
      const value = m.value == null ? null : toBuffer(m.value);
      const headers = m.headers === undefined ? undefined : toHeaders(m.headers);
      const timestamp = m.timestamp === undefined ? nowMs : Number(m.timestamp);
      let partition = m.partition ?? -1;
      if (partition === -1) {
        if (byName !== null) partition = key === null ? -1 : byName(key, partitionCount);
        else partition = (o.partitioner as Exclude<typeof o.partitioner, string>)({ topic, key, value, partitionCount });
        if (partition === -1) partition = this.sticky.partition(topic, partitionCount);
      }
      if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
        tracker.fail(new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, { api: 'Produce', topic, partition }, `partition ${partition} does not exist: ${topic} has ${partitionCount}`));
        return position + messages.length;
      }
      // A transaction adds a partition as soon as a record is bound for it (as Java's send()
      // does), so AddPartitionsToTxn overlaps the batching instead of following it.
      this.transactions?.partitionReady(topic, partition);
      const size = RECORD_OVERHEAD_BYTES + (key?.length ?? 0) + (value?.length ?? 0) + headersSize(headers);
      if (size > o.maxRequestSize) {
        tracker.fail(new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, { api: 'Produce', topic, partition }, `MESSAGE_TOO_LARGE (10): a ${size}-byte record exceeds maxRequestSize (${o.maxRequestSize})`));
        return position + messages.length;
      }
      if (this.acc.bufferedBytes + size > o.bufferMemory) await this.waitForMemory(size);
      const closed = this.acc.append(topic, partition, key, value, headers, timestamp, size, tracker, position + i, nowMs);
      if (closed !== null) {
        this.onBatchClosed(closed);
        this.sender.wake();
      }
    }
    return position + messages.length;
  }

  private onBatchClosed(b: ProducerBatch): void {
    this.sticky.batchClosed(b.topic, b.partition, this.cluster.cache.partitionCount(b.topic) || 1);
  }

  /** Backpressure: wait until `size` more bytes fit in bufferMemory, at most maxBlockMs. */
  private async waitForMemory(size: number): Promise<void> {
    this.sender.wake();
    const fits = () => this.acc.bufferedBytes + size <= this.options.bufferMemory;
    const wait = (async () => {
      while (!fits()) await new Promise<void>((resolve) => this.memoryWaiters.push(resolve));
    })();
    await this.withinMaxBlock(wait, `${size} bytes of buffer memory (bufferMemory ${this.options.bufferMemory})`);
  }

  private onMemoryFreed(): void {
    if (this.memoryWaiters.length === 0) return;
    const waiters = this.memoryWaiters;
    this.memoryWaiters = [];
    for (const w of waiters) w();
  }

  private async withinMaxBlock<T>(p: Promise<T>, what: string): Promise<T> {
    const maxBlockMs = this.options.maxBlockMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KafkaError(ErrorCode.REQUEST_TIMED_OUT, { api: 'Produce' }, `REQUEST_TIMED_OUT (7): waited maxBlockMs (${maxBlockMs} ms) for ${what}`)), maxBlockMs);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends every buffered record now and resolves when all are acknowledged (or failed). */
  flush(): Promise<void> {
    return this.sender.flush();
  }

  /** Flushes, then closes the connections. Records accepted before `close` are not lost. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await Promise.allSettled([...this.appending]);
        await this.sender.flush();
      } finally {
        this.sender.stop();
        await this.cluster.close();
      }
    })();
    return this.closing;
  }
}

export function createProducer(options: ProducerOptions): Producer {
  return new Producer(options);
}

function toBuffer(v: MessageBytes): Buffer {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  throw new KafkaConfigError(`record keys, values and header values must be Buffer, Uint8Array or string, got ${typeof v}`);
}

function toHeaders(h: MessageHeaders): RecordHeader[] {
  if (Array.isArray(h)) return h.map(({ key, value }) => ({ key, value: value == null ? null : toBuffer(value) }));
  const out: RecordHeader[] = [];
  for (const key of Object.keys(h)) {
    const v = h[key];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) out.push({ key, value: item == null ? null : toBuffer(item) });
    else out.push({ key, value: v === null ? null : toBuffer(v) });
  }
  return out;
}

function headersSize(headers: RecordHeader[] | undefined): number {
  if (headers === undefined) return 0;
  let n = 0;
  for (const h of headers) n += 10 + h.key.length * 3 + (h.value?.length ?? 0);
  return n;
}
