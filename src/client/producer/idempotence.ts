import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError, throwIfError } from '../errors.js';
import type { Cluster } from '../net/cluster.js';
import type { PartitionQueue } from './accumulator.js';
import type { ProducerBatch } from './batch.js';
import type { ResolvedProducerOptions } from './options.js';

const INT32_MAX = 2147483647;

/** Sequence numbers are int32 and wrap to 0 after INT32_MAX, as the broker expects. */
export function addSequence(sequence: number, count: number): number {
  const next = sequence + count;
  return next > INT32_MAX ? next - INT32_MAX - 1 : next;
}

export interface RetryVerdict {
  retry: boolean;
  /** Start over with a new producer id (the broker's view of our sequences is lost or broken). */
  resetProducerId: boolean;
}

/**
 * The idempotent producer's state (KIP-98, non-transactional): a producer id and epoch from
 * InitProducerId, and per partition the next sequence to assign and the last one acknowledged.
 * Error handling follows the Java client: OUT_OF_ORDER_SEQUENCE_NUMBER on a batch that is *not*
 * the next expected one only means an earlier batch failed and will be retried, so it is
 * retried too; on the next expected batch it is fatal for that batch. UNKNOWN_PRODUCER_ID on the
 * next expected batch means the broker lost our state (e.g. retention removed it): start over
 * under a new producer id and retry. Any batch that fails for good after getting a sequence
 * leaves a gap, so the producer id is reset as well (KIP-360 bumps the epoch; a new id is the
 * portable equivalent).
 */
export class IdempotenceState {
  producerId = -1;
  producerEpoch = -1;
  private state: 'disabled' | 'none' | 'pending' | 'ready';

  /**
   * For a transactional producer: called instead of taking a new producer id when the broker's
   * view of the sequences breaks (the transaction aborts and bumps the epoch, KIP-360).
   */
  onSequencesBroken: ((err: Error) => void) | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly o: ResolvedProducerOptions,
    private readonly wake: () => void,
    private readonly failAll: (err: Error) => void,
  ) {
    this.state = o.idempotent ? 'none' : 'disabled';
  }

  /** A transactional producer's id and epoch from InitProducerId: sequences start again at 0. */
  adopt(producerId: number, producerEpoch: number, all: PartitionQueue[]): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.state = 'ready';
    for (const q of all) {
      q.nextSequence = 0;
      q.lastAckedSequence = -1;
    }
    this.wake();
  }

  get enabled(): boolean {
    return this.state !== 'disabled';
  }

  /** Whether batches may be stamped and sent now; starts InitProducerId when needed. */
  ready(): boolean {
    if (this.state === 'disabled' || this.state === 'ready') return true;
    // A transactional producer gets its id from initTransactions(), never here.
    if (this.state === 'none' && this.o.transactionalId === null) void this.init();
    return false;
  }

  private async init(): Promise<void> {
    this.state = 'pending';
    try {
      const res = await this.cluster.retry(async () => {
        const { response } = await this.cluster.request('any', 22, { transactionalId: null, transactionTimeoutMs: INT32_MAX, producerId: -1, producerEpoch: -1 });
        throwIfError(response.errorCode, { api: 'InitProducerId' });
        return response;
      });
      this.producerId = res.producerId;
      this.producerEpoch = res.producerEpoch;
      this.state = 'ready';
    } catch (err) {
      const e = err as Error;
      if (err instanceof KafkaError && err.retriable) {
        this.state = 'none'; // tried again on the next drain; delivery timeouts still apply
      } else if (!this.o.idempotentExplicit) {
        // Kafka's default: idempotence only where the broker allows it.
        this.o.client.logger.warn('idempotence disabled: the broker refused InitProducerId', { error: e.message });
        this.state = 'disabled';
      } else {
        this.state = 'none';
        this.failAll(e);
      }
    }
    this.wake();
  }

  /** Gives a batch being sent its producer id and sequence (kept across retries). */
  stamp(q: PartitionQueue, b: ProducerBatch): void {
    if (this.state !== 'ready') return;
    if (b.producerId === this.producerId && b.producerEpoch === this.producerEpoch && b.baseSequence >= 0) return;
    b.producerId = this.producerId;
    b.producerEpoch = this.producerEpoch;
    b.baseSequence = q.nextSequence;
    q.nextSequence = addSequence(q.nextSequence, b.recordCount);
  }

  acknowledged(q: PartitionQueue, b: ProducerBatch): void {
    if (this.isCurrent(b)) q.lastAckedSequence = addSequence(b.baseSequence, b.recordCount - 1);
  }

  private isCurrent(b: ProducerBatch): boolean {
    return this.state === 'ready' && b.producerId === this.producerId && b.producerEpoch === this.producerEpoch && b.baseSequence >= 0;
  }

  private isNextExpected(q: PartitionQueue, b: ProducerBatch): boolean {
    return b.baseSequence === addSequence(q.lastAckedSequence, 1);
  }

  judge(q: PartitionQueue, b: ProducerBatch, err: KafkaError): RetryVerdict {
    if (!this.enabled || b.producerId < 0) return { retry: err.retriable, resetProducerId: false };
    // Sent under an earlier producer id: it is re-stamped with the current one on its retry.
    if (!this.isCurrent(b)) return { retry: true, resetProducerId: false };
    switch (err.code) {
      case ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER:
        return { retry: !this.isNextExpected(q, b), resetProducerId: false };
      case ErrorCode.UNKNOWN_PRODUCER_ID:
        return { retry: true, resetProducerId: this.isNextExpected(q, b) };
      case ErrorCode.INVALID_PRODUCER_EPOCH:
      case ErrorCode.PRODUCER_FENCED:
      case ErrorCode.INVALID_PRODUCER_ID_MAPPING:
        return { retry: false, resetProducerId: false };
      default:
        return { retry: err.retriable, resetProducerId: false };
    }
  }

  /** A batch failed for good: if it held sequences under the current id, they leave a gap. */
  failed(_q: PartitionQueue, b: ProducerBatch, all: PartitionQueue[], err?: Error): void {
    if (this.isCurrent(b)) this.reset(all, err);
  }

  /** Forget the producer id; the next drain asks for a new one and sequences restart at 0. */
  reset(all: PartitionQueue[], err?: Error): void {
    if (this.state !== 'ready') return;
    if (this.onSequencesBroken !== null) {
      this.onSequencesBroken(err ?? new Error('the broker lost track of the producer sequences'));
      return;
    }
    this.o.client.logger.info('resetting the producer id', { producerId: this.producerId });
    this.state = 'none';
    this.producerId = -1;
    this.producerEpoch = -1;
    for (const q of all) {
      q.nextSequence = 0;
      q.lastAckedSequence = -1;
    }
  }
}
