import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../errors.js';
import type { Cluster } from '../net/cluster.js';
import type { PartitionQueue } from './accumulator.js';
import type { IdempotenceState } from './idempotence.js';
import type { ResolvedProducerOptions } from './options.js';

/** The consumer's group membership that TxnOffsetCommit checks (KIP-447), from `consumer.groupMetadata()`. */
export interface ConsumerGroupMetadata {
  groupId: string;
  /** -1 outside a generation (offsets are then accepted only while the group is Empty). */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface TransactionOffset {
  topic: string;
  partition: number;
  /** The next offset to consume (the last processed record's offset + 1), as Kafka commits it. */
  offset: number;
  metadata?: string;
}

type State = 'uninitialized' | 'ready' | 'in-transaction' | 'committing' | 'aborting' | 'abortable-error' | 'fatal-error';

/** Errors after which the producer can only be closed (Java's fatal transaction errors). */
const FATAL = new Set<number>([
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.INVALID_PRODUCER_ID_MAPPING,
  ErrorCode.INVALID_TXN_STATE,
  ErrorCode.UNSUPPORTED_VERSION,
  ErrorCode.INVALID_TRANSACTION_TIMEOUT,
]);

/** What the transaction manager needs from the producer's sender. */
export interface TransactionHooks {
  /** Resolves once every batch handed to the sender is acknowledged or failed. */
  flush(): Promise<void>;
  /** Fails every batch not yet sent (abort). */
  failUnsent(err: Error): void;
  /** Batches of a partition just added to the transaction may go. */
  wake(): void;
  /** Every partition queue (their sequences restart with a new epoch). */
  queues(): PartitionQueue[];
}

/**
 * The transactional producer's protocol (KIP-98), after the Java client's TransactionManager:
 * InitProducerId for the transactional id at the transaction coordinator (fencing older
 * instances), AddPartitionsToTxn for each partition before its first batch of a transaction
 * (the sender holds those batches until it is done), AddOffsetsToTxn + TxnOffsetCommit for
 * `sendOffsetsToTransaction`, and EndTxn once every batch is acknowledged. A failed batch makes
 * the transaction abortable (commit refuses, abort works); a fenced producer is fatal. After an
 * abortable error the next abort bumps the epoch with the current id and epoch (KIP-360), so the
 * producer continues with fresh sequences instead of failing.
 */
export class TransactionManager {
  private state: State = 'uninitialized';
  private readonly partitions = new Set<string>();
  private readonly pendingPartitions = new Map<string, { topic: string; partition: number }>();
  private adding: Promise<void> | null = null;
  private groups = new Set<string>();
  private error: Error | null = null;
  private epochBumpNeeded = false;
  readonly transactionalId: string;

  constructor(
    private readonly cluster: Cluster,
    private readonly o: ResolvedProducerOptions,
    private readonly idempotence: IdempotenceState,
    private readonly hooks: TransactionHooks,
  ) {
    this.transactionalId = o.transactionalId!;
    idempotence.onSequencesBroken = (err) => this.sequencesBroken(err);
  }

  get inTransaction(): boolean {
    return this.state === 'in-transaction' || this.state === 'abortable-error';
  }

  /** Registers the producer id (fencing every older instance) and aborts what a previous instance left open. */
  async initTransactions(): Promise<void> {
    if (this.state !== 'uninitialized') throw stateError('initTransactions', this.state);
    await this.initProducerId(false);
    this.state = 'ready';
  }

  beginTransaction(): void {
    if (this.state !== 'ready') throw stateError('beginTransaction', this.state);
    this.state = 'in-transaction';
  }

  /** Throws unless records may be sent now (inside a transaction that has not failed). */
  checkSend(): void {
    if (this.state === 'in-transaction') return;
    if (this.state === 'abortable-error' || this.state === 'fatal-error') throw this.error!;
    throw stateError('send', this.state);
  }

  /**
   * Whether the sender may send a batch of this partition: only once the partition is in the
   * transaction. The first ask starts AddPartitionsToTxn (for every partition waiting); the
   * sender is woken when it is done.
   */
  partitionReady(topic: string, partition: number): boolean {
    const key = `${topic}\u0000${partition}`;
    if (this.partitions.has(key)) return true;
    if (this.state !== 'in-transaction' && this.state !== 'committing') return false;
    this.pendingPartitions.set(key, { topic, partition });
    if (this.adding === null) this.adding = this.addPendingPartitions().finally(() => (this.adding = null));
    return false;
  }

  /** A batch of the transaction failed for good: the transaction can only be aborted. */
  batchFailed(err: Error): void {
    if (err instanceof KafkaError && (err.code === ErrorCode.PRODUCER_FENCED || err.code === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)) this.fail(err, true);
    else this.fail(err, false);
  }

  /** The broker's view of the sequences broke (the idempotent producer would take a new id): abort and bump. */
  sequencesBroken(err: Error): void {
    this.epochBumpNeeded = true;
    this.fail(err, false);
  }

  /** Commits the consumed offsets as part of the transaction: visible only if it commits. */
  async sendOffsetsToTransaction(offsets: TransactionOffset[], group: ConsumerGroupMetadata): Promise<void> {
    this.checkSend();
    if (!this.groups.has(group.groupId)) {
      await this.coordinatorCall('AddOffsetsToTxn', async () => {
        const { response } = await this.cluster.request(this.coordinator(), 25, {
          transactionalId: this.transactionalId, producerId: this.idempotence.producerId, producerEpoch: this.idempotence.producerEpoch, groupId: group.groupId,
        }, { retries: 0 });
        return response.errorCode;
      });
      this.groups.add(group.groupId);
    }
    const byTopic = new Map<string, Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }>>();
    for (const o of offsets) {
      const list = byTopic.get(o.topic) ?? [];
      list.push({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, committedMetadata: o.metadata ?? '' });
      byTopic.set(o.topic, list);
    }
    const groupTarget = { coordinator: group.groupId, keyType: 0 as const };
    const body = {
      transactionalId: this.transactionalId, groupId: group.groupId, producerId: this.idempotence.producerId, producerEpoch: this.idempotence.producerEpoch,
      generationId: group.generationId, memberId: group.memberId, groupInstanceId: group.groupInstanceId,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    };
    try {
      await this.cluster.retry(async () => {
        const { response } = await this.cluster.request(groupTarget, 28, body, { retries: 0 });
        for (const t of response.topics) for (const p of t.partitions) {
          if (p.errorCode === ErrorCode.NOT_COORDINATOR || p.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.cluster.invalidateCoordinator(group.groupId, 0);
          if (p.errorCode !== ErrorCode.NONE) throw new KafkaError(p.errorCode, { api: 'TxnOffsetCommit', groupId: group.groupId, topic: t.name, partition: p.partitionIndex });
        }
      });
    } catch (err) {
      // A rebalance fenced this member (KIP-447) or the offsets were refused: abort and start over.
      if (err instanceof KafkaError && FATAL.has(err.code)) this.fail(err, true);
      else this.fail(err as Error, false);
      throw err;
    }
  }

  /** Waits for every batch, then commits: the records and offsets become visible together. */
  async commitTransaction(): Promise<void> {
    if (this.state === 'abortable-error' || this.state === 'fatal-error') throw this.error!;
    if (this.state !== 'in-transaction') throw stateError('commitTransaction', this.state);
    this.state = 'committing';
    await this.hooks.flush();
    while (this.adding !== null) await this.adding;
    // A batch may have failed while flushing.
    if ((this.state as State) !== 'committing') throw this.error!;
    await this.endTransaction(true);
  }

  /** Drops what was not sent, waits for what was, and aborts: nothing of the transaction is visible. */
  async abortTransaction(): Promise<void> {
    if (this.state === 'fatal-error') throw this.error!;
    if (this.state !== 'in-transaction' && this.state !== 'abortable-error') throw stateError('abortTransaction', this.state);
    this.state = 'aborting';
    this.hooks.failUnsent(new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, { api: 'Produce' }, 'the transaction was aborted before this record was sent'));
    await this.hooks.flush();
    while (this.adding !== null) await this.adding.catch(() => undefined);
    await this.endTransaction(false);
    if (this.epochBumpNeeded) {
      this.epochBumpNeeded = false;
      await this.initProducerId(true);
    }
  }

  // ---- internals ----

  private coordinator(): { coordinator: string; keyType: 1 } {
    return { coordinator: this.transactionalId, keyType: 1 };
  }

  /** Runs one coordinator call, retrying retriable errors (CONCURRENT_TRANSACTIONS included); fatal errors stick. */
  private async coordinatorCall(api: string, call: () => Promise<number>): Promise<void> {
    try {
      await this.cluster.retry(async () => {
        const errorCode = await call();
        if (errorCode === ErrorCode.NOT_COORDINATOR || errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.cluster.invalidateCoordinator(this.transactionalId, 1);
        if (errorCode !== ErrorCode.NONE) throw new KafkaError(errorCode, { api, detail: `transactional id ${this.transactionalId}` });
      }, { retries: Math.max(this.o.client.retries, 20) });
    } catch (err) {
      if (err instanceof KafkaError && FATAL.has(err.code)) this.fail(err, true);
      else if (this.state === 'in-transaction' || this.state === 'committing') this.fail(err as Error, false);
      throw err;
    }
  }

  private async initProducerId(bump: boolean): Promise<void> {
    let ids = { producerId: -1, producerEpoch: -1 };
    await this.coordinatorCall('InitProducerId', async () => {
      const { response } = await this.cluster.request(this.coordinator(), 22, {
        transactionalId: this.transactionalId,
        transactionTimeoutMs: this.o.transactionTimeoutMs,
        producerId: bump ? this.idempotence.producerId : -1,
        producerEpoch: bump ? this.idempotence.producerEpoch : -1,
      }, { retries: 0 });
      ids = { producerId: response.producerId, producerEpoch: response.producerEpoch };
      return response.errorCode;
    });
    this.idempotence.adopt(ids.producerId, ids.producerEpoch, this.hooks.queues());
  }

  private async addPendingPartitions(): Promise<void> {
    while (this.pendingPartitions.size > 0) {
      const batch = [...this.pendingPartitions.values()];
      this.pendingPartitions.clear();
      const byTopic = new Map<string, number[]>();
      for (const tp of batch) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
      try {
        await this.coordinatorCall('AddPartitionsToTxn', async () => {
          const { response } = await this.cluster.request(this.coordinator(), 24, {
            v3AndBelowTransactionalId: this.transactionalId,
            v3AndBelowProducerId: this.idempotence.producerId,
            v3AndBelowProducerEpoch: this.idempotence.producerEpoch,
            v3AndBelowTopics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
          }, { retries: 0 });
          const codes = response.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode));
          return codes.find((c) => c !== ErrorCode.NONE && c !== ErrorCode.OPERATION_NOT_ATTEMPTED) ?? codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE;
        });
      } catch (err) {
        this.hooks.failUnsent(err as Error);
        return;
      }
      for (const tp of batch) this.partitions.add(`${tp.topic}\u0000${tp.partition}`);
      this.hooks.wake();
    }
  }

  private async endTransaction(committed: boolean): Promise<void> {
    if (this.partitions.size > 0 || this.groups.size > 0) {
      await this.coordinatorCall('EndTxn', async () => {
        const { response } = await this.cluster.request(this.coordinator(), 26, {
          transactionalId: this.transactionalId, producerId: this.idempotence.producerId, producerEpoch: this.idempotence.producerEpoch, committed,
        }, { retries: 0 });
        return response.errorCode;
      });
    }
    this.partitions.clear();
    this.groups.clear();
    this.error = null;
    this.state = 'ready';
  }

  private fail(err: Error, fatal: boolean): void {
    if (this.state === 'fatal-error') return;
    if (!fatal && this.state === 'aborting') return;
    this.error = err;
    this.state = fatal ? 'fatal-error' : 'abortable-error';
    this.o.client.logger.warn(fatal ? 'transactional producer failed for good' : 'transaction must be aborted', { transactionalId: this.transactionalId, error: err.message });
  }
}

function stateError(operation: string, state: State): Error {
  const hint = state === 'uninitialized' ? ' (call initTransactions() first)' : state === 'ready' ? ' (call beginTransaction() first)' : '';
  return new Error(`cannot ${operation} while the transactional producer is ${state}${hint}`);
}
