import { ErrorCode } from '../../protocol/errors.js';
import type { ProduceResponse } from '../../protocol/messages/00-produce.js';
import { KafkaError } from '../errors.js';
import { hasProducerBatchSubscribers, publishProducerBatchSent, publishRequestError } from '../events.js';
import type { Cluster } from '../net/cluster.js';
import type { RecordAccumulator, PartitionQueue } from './accumulator.js';
import type { ProducerBatch } from './batch.js';
import { IdempotenceState } from './idempotence.js';
import type { TransactionManager } from './transactions.js';
import type { ResolvedProducerOptions } from './options.js';
import { restampBatch } from './restamp.js';

interface NodeState {
  inFlight: number;
  /** Requests are encoded and written in the order they were drained (sequence order). */
  chain: Promise<void>;
}

/** Errors after which the partition's leader may have moved: refresh metadata before retrying. */
const STALE_METADATA = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.LEADER_NOT_AVAILABLE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NETWORK_EXCEPTION, ErrorCode.REQUEST_TIMED_OUT, ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.NOT_ENOUGH_REPLICAS,
]);

/**
 * Moves batches from the accumulator to partition leaders. One pass takes, for every broker that
 * has a ready batch and a free request slot, the oldest batch of each of its partitions (as
 * Java's sender drains a ready node), up to `maxRequestSize`, into one Produce request. Answers
 * complete records; retriable failures go back to the front of their partition's queue with
 * their sequence numbers, so retries neither reorder nor duplicate (idempotence, KIP-98).
 */
export class Sender {
  private readonly nodes = new Map<number, NodeState>();
  private drainQueued = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAtMs = Infinity;
  private flushers = 0;
  private inFlightBatches = 0;
  private idleWaiters: Array<() => void> = [];
  private metadataRefreshing = false;
  private stopped = false;
  readonly idempotence: IdempotenceState;
  /** Set for a transactional producer: batches wait until their partition is in the transaction. */
  transactions: TransactionManager | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly acc: RecordAccumulator,
    private readonly o: ResolvedProducerOptions,
    private readonly onBatchClosed: (batch: ProducerBatch) => void,
    private readonly onMemoryFreed: () => void,
  ) {
    this.idempotence = new IdempotenceState(cluster, o, () => this.wake(), (err) => this.failEverything(err));
  }

  /** Runs a drain pass soon (once per tick however many records arrived). */
  wake(): void {
    if (this.drainQueued || this.stopped) return;
    this.drainQueued = true;
    queueMicrotask(() => {
      this.drainQueued = false;
      this.drain();
    });
  }

  /** Sends everything buffered now, and resolves once all of it is acknowledged or failed. */
  async flush(): Promise<void> {
    this.flushers++;
    try {
      this.wake();
      if (!this.isIdle()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    } finally {
      this.flushers--;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
  }

  private isIdle(): boolean {
    return this.acc.isEmpty && this.inFlightBatches === 0;
  }

  private drain(): void {
    if (this.stopped) return;
    const nowMs = this.o.client.clock.nowMs();
    this.expire(nowMs);
    if (!this.idempotence.ready()) return; // wakes us when the producer id arrives
    const flushing = this.flushers > 0;
    for (;;) {
      const requests = this.collect(nowMs, flushing);
      if (requests.size === 0) break;
      for (const [nodeId, batches] of requests) this.dispatch(nodeId, batches, nowMs);
    }
    this.maybeRefreshMetadata(nowMs);
    this.armTimer(nowMs);
    this.checkIdle();
  }

  /** One request's worth of batches per ready broker with a free slot. */
  private collect(nowMs: number, flushing: boolean): Map<number, ProducerBatch[]> {
    const readyNodes = new Set<number>();
    const cache = this.cluster.cache;
    for (const q of this.acc.pending) {
      if (!this.acc.isReady(q, nowMs, flushing)) continue;
      const leader = cache.leaderFor(q.topic, q.partition);
      if (leader < 0) this.needMetadata = true;
      else if (this.node(leader).inFlight < this.o.maxInFlightRequestsPerConnection) readyNodes.add(leader);
    }
    const requests = new Map<number, ProducerBatch[]>();
    if (readyNodes.size === 0) return requests;
    const bytes = new Map<number, number>();
    for (const q of [...this.acc.pending]) {
      const leader = cache.leaderFor(q.topic, q.partition);
      if (!readyNodes.has(leader) || !this.canTake(q, nowMs)) continue;
      if (this.transactions !== null && !this.transactions.partitionReady(q.topic, q.partition)) continue;
      const size = q.batches[0]!.sizeBytes;
      const used = bytes.get(leader) ?? 0;
      if (used > 0 && used + size > this.o.maxRequestSize) continue;
      bytes.set(leader, used + size);
      const batch = this.take(q);
      const list = requests.get(leader);
      if (list === undefined) requests.set(leader, [batch]);
      else list.push(batch);
    }
    return requests;
  }

  private needMetadata = false;

  private canTake(q: PartitionQueue, nowMs: number): boolean {
    const b = q.batches[0];
    if (b === undefined) return false;
    if (b.attempts > 0) {
      if (b.retryAtMs > nowMs) return false;
      // A retry goes out only once nothing earlier of its partition is in flight: order holds.
      if (this.o.idempotent && q.inFlight > 0) return false;
    }
    return true;
  }

  private take(q: PartitionQueue): ProducerBatch {
    const wasOpen = q.batches[0]!.open;
    const batch = this.acc.take(q);
    if (wasOpen) this.onBatchClosed(batch);
    this.idempotence.stamp(q, batch);
    return batch;
  }

  private node(nodeId: number): NodeState {
    let n = this.nodes.get(nodeId);
    if (n === undefined) {
      n = { inFlight: 0, chain: Promise.resolve() };
      this.nodes.set(nodeId, n);
    }
    return n;
  }

  private dispatch(nodeId: number, batches: ProducerBatch[], nowMs: number): void {
    const node = this.node(nodeId);
    node.inFlight++;
    this.inFlightBatches += batches.length;
    for (const b of batches) {
      this.acc.queue(b.topic, b.partition).inFlight++;
      b.sentAtMs = nowMs;
    }
    node.chain = node.chain.then(async () => {
      let topicData;
      try {
        topicData = await this.encode(batches);
      } catch (err) {
        this.onFailure(nodeId, batches, err);
        return;
      }
      const body = { transactionalId: this.o.transactionalId, acks: this.o.acks, timeoutMs: this.o.client.requestTimeoutMs, topicData };
      this.cluster.request(nodeId, 0, body, { retries: 0, expectResponse: this.o.acks !== 0 }).then(
        (res) => this.onResponse(nodeId, batches, res.response),
        (err) => this.onFailure(nodeId, batches, err),
      );
    });
  }

  private async encode(batches: ProducerBatch[]): Promise<Array<{ name: string; partitionData: Array<{ index: number; records: Buffer }> }>> {
    const topics = new Map<string, Array<{ index: number; records: Buffer }>>();
    for (const b of batches) {
      if (b.encoded === null) {
        b.encoded = await b.builder.finish({ compression: this.o.compression, producerId: b.producerId, producerEpoch: b.producerEpoch, baseSequence: b.baseSequence, transactional: this.o.transactionalId !== null });
      } else {
        restampBatch(b.encoded, b.producerId, b.producerEpoch, b.baseSequence);
      }
      let list = topics.get(b.topic);
      if (list === undefined) {
        list = [];
        topics.set(b.topic, list);
      }
      list.push({ index: b.partition, records: b.encoded });
    }
    return [...topics].map(([name, partitionData]) => ({ name, partitionData }));
  }

  private onResponse(nodeId: number, batches: ProducerBatch[], res: ProduceResponse | undefined): void {
    this.node(nodeId).inFlight--;
    const answers = new Map<string, ProduceResponse['responses'][number]['partitionResponses'][number]>();
    for (const t of res?.responses ?? []) for (const p of t.partitionResponses) answers.set(`${p.index}:${t.name}`, p);
    for (const b of batches) {
      if (this.o.acks === 0) {
        this.complete(nodeId, b, -1, -1);
        continue;
      }
      const a = answers.get(`${b.partition}:${b.topic}`);
      if (a === undefined) {
        this.handleError(b, new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, { api: 'Produce', broker: nodeId, topic: b.topic, partition: b.partition }, `broker ${nodeId} did not answer for ${b.topic}/${b.partition}`));
      } else if (a.errorCode === ErrorCode.NONE || a.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        this.complete(nodeId, b, a.baseOffset, a.logAppendTimeMs);
        // Answered, so written: the buffer may take another batch (with acks=0 nothing says when
        // the socket let go of it, and a failed batch may still sit in a socket: neither is recycled).
        b.recycle();
      } else {
        this.handleError(b, new KafkaError(a.errorCode, { api: 'Produce', broker: nodeId, topic: b.topic, partition: b.partition, detail: a.errorMessage }));
      }
    }
    this.wake();
  }

  private onFailure(nodeId: number, batches: ProducerBatch[], err: unknown): void {
    this.node(nodeId).inFlight--;
    const e = err instanceof KafkaError ? err : new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, { api: 'Produce', broker: nodeId, cause: err }, `Produce to broker ${nodeId} failed: ${(err as Error).message}`);
    for (const b of batches) this.handleError(b, e);
    this.wake();
  }

  private complete(nodeId: number, b: ProducerBatch, baseOffset: number, logAppendTimeMs: number): void {
    const q = this.acc.queue(b.topic, b.partition);
    q.inFlight--;
    this.inFlightBatches--;
    this.idempotence.acknowledged(q, b);
    const { topic, partition, timestamps, owners, positions } = b;
    for (let i = 0; i < timestamps.length; i++) {
      const owner = owners[i]!;
      if (owner.settled) continue;
      owner.results[positions[i]!] = {
        topic, partition,
        offset: baseOffset < 0 ? -1 : baseOffset + i,
        timestamp: logAppendTimeMs >= 0 ? logAppendTimeMs : timestamps[i]!,
      };
      if (--owner.remaining === 0) owner.done();
    }
    this.release(b);
    if (hasProducerBatchSubscribers()) {
      publishProducerBatchSent({
        clientId: this.o.client.clientId, nodeId, topic, partition, records: timestamps.length, bytes: b.encoded?.length ?? b.sizeBytes,
        compression: this.o.compressionName, baseOffset, durationMs: this.o.client.clock.nowMs() - b.sentAtMs, attempts: b.attempts,
      });
    }
  }

  private handleError(b: ProducerBatch, err: KafkaError): void {
    const q = this.acc.queue(b.topic, b.partition);
    q.inFlight--;
    this.inFlightBatches--;
    const nowMs = this.o.client.clock.nowMs();
    const verdict = this.idempotence.judge(q, b, err);
    if (STALE_METADATA.has(err.code)) {
      this.cluster.invalidateTopic(b.topic);
      this.needMetadata = true;
    }
    const inTime = nowMs < b.createdAtMs + this.o.deliveryTimeoutMs;
    const willRetry = verdict.retry && b.attempts < this.o.retries && inTime;
    publishRequestError({
      clientId: this.o.client.clientId, api: 'Produce', nodeId: typeof err.broker === 'number' ? err.broker : -1,
      code: err.code, name: err.name, retriable: err.retriable, attempt: b.attempts, willRetry,
      message: `${b.topic}/${b.partition}: ${err.message}`,
    });
    if (willRetry) {
      b.attempts++;
      b.retryAtMs = nowMs + this.cluster.retryDelayMs(b.attempts - 1);
      this.acc.requeue(q, b);
    } else {
      this.fail(b, err);
    }
    if (verdict.resetProducerId) this.idempotence.reset(this.acc.allQueues());
  }

  private fail(b: ProducerBatch, err: Error): void {
    for (const owner of b.owners) owner.fail(err);
    this.idempotence.failed(this.acc.queue(b.topic, b.partition), b, this.acc.allQueues(), err);
    this.transactions?.batchFailed(err);
    this.release(b);
  }

  /** Fails every batch still waiting to be sent (an aborted transaction); those in flight finish. */
  failUnsent(err: Error): void {
    for (const q of [...this.acc.pending]) while (q.batches.length > 0) this.fail(this.acc.take(q), err);
    this.checkIdle();
  }

  private release(b: ProducerBatch): void {
    this.acc.release(b);
    this.onMemoryFreed();
  }

  /** Fails batches that outlived deliveryTimeoutMs while waiting to be sent. */
  private expire(nowMs: number): void {
    for (const q of [...this.acc.pending]) {
      while (q.batches.length > 0 && q.batches[0]!.createdAtMs + this.o.deliveryTimeoutMs <= nowMs) {
        const b = this.acc.take(q);
        this.fail(b, new KafkaError(ErrorCode.REQUEST_TIMED_OUT, { api: 'Produce', topic: b.topic, partition: b.partition },
          `REQUEST_TIMED_OUT (7): ${b.recordCount} record(s) for ${b.topic}/${b.partition} not delivered within deliveryTimeoutMs (${this.o.deliveryTimeoutMs} ms)`));
      }
    }
  }

  /** Everything pending fails (a fatal producer error, or close with nothing reachable). */
  failEverything(err: Error): void {
    for (const q of [...this.acc.pending]) while (q.batches.length > 0) this.fail(this.acc.take(q), err);
    this.checkIdle();
  }

  private maybeRefreshMetadata(nowMs: number): void {
    const stale = nowMs - this.cluster.cache.updatedAtMs >= this.o.client.metadataMaxAgeMs;
    if ((!this.needMetadata && !stale) || this.metadataRefreshing) return;
    this.metadataRefreshing = true;
    this.needMetadata = false;
    const topics = [...new Set(this.acc.allQueues().map((q) => q.topic))];
    this.cluster.refreshMetadata(topics, true).catch((err) => {
      this.o.client.logger.warn('metadata refresh failed', { error: (err as Error).message });
    }).finally(() => {
      // Back off before looking again, so a leaderless partition does not spin the loop.
      setTimeout(() => {
        this.metadataRefreshing = false;
        this.wake();
      }, this.o.client.retryBackoffMs).unref();
      this.wake();
    });
  }

  private armTimer(nowMs: number): void {
    const at = this.acc.nextReadyAtMs();
    if (at === Infinity || at <= nowMs || at >= this.timerAtMs) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAtMs = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAtMs = Infinity;
      this.drain();
    }, at - nowMs);
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
