import { ErrorCode } from '../protocol/errors.js';

/** Kafka keeps the last five batches of each producer per partition (max.in.flight = 5). */
export const PRODUCER_BATCHES_KEPT = 5;

const INT32_MAX = 2_147_483_647;
const EPOCH_MAX = 32_767;

interface BatchSeen {
  firstSequence: number;
  lastSequence: number;
  baseOffset: number;
}

interface PartitionProducerEntry {
  epoch: number;
  /** Oldest first, at most PRODUCER_BATCHES_KEPT. */
  batches: BatchSeen[];
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'error'; errorCode: number; detail: string };

/** The sequence that follows `seq`, wrapping at INT32_MAX as the Java producer does. */
export function nextSequence(seq: number, delta = 1): number {
  const n = seq + delta;
  return n > INT32_MAX ? n - INT32_MAX - 1 : n;
}

/**
 * Idempotent-producer bookkeeping (KIP-98) for non-transactional producers: which producer ids we
 * handed out, and per (producer id, partition) the epoch and the sequences of the last five
 * batches. The state lives in memory only: after a restart a producer id we did not issue in this
 * run is trusted from whatever sequence it sends next (as Kafka does for a producer whose state it
 * lost to retention), so a batch retried across a restart can be stored twice (docs/limitations.md).
 */
export class ProducerStateTable {
  private nextProducerId: number;
  private readonly firstProducerId: number;
  private readonly entries = new Map<string, PartitionProducerEntry>();

  /**
   * `firstProducerId` should differ between broker runs so that ids from an earlier run are not
   * handed out again; the broker passes its start time in milliseconds.
   */
  constructor(firstProducerId: number) {
    this.firstProducerId = firstProducerId;
    this.nextProducerId = firstProducerId;
  }

  /** InitProducerId for an idempotent producer: a fresh id at epoch 0. */
  allocate(): { producerId: number; producerEpoch: number } {
    return { producerId: this.nextProducerId++, producerEpoch: 0 };
  }

  /**
   * InitProducerId with an existing id and epoch (KIP-360, v3+): bump the epoch so the producer
   * can reset its sequences; a fresh id when the epoch would overflow.
   */
  bumpEpoch(producerId: number, producerEpoch: number): { producerId: number; producerEpoch: number } {
    if (producerEpoch >= EPOCH_MAX) return this.allocate();
    return { producerId, producerEpoch: producerEpoch + 1 };
  }

  private issuedThisRun(producerId: number): boolean {
    return producerId >= this.firstProducerId && producerId < this.nextProducerId;
  }

  /** Decides what to do with a batch from an idempotent producer, before anything is appended. */
  check(topic: string, partition: number, producerId: number, epoch: number, firstSequence: number, lastOffsetDelta: number): SequenceCheck {
    const entry = this.entries.get(key(topic, partition, producerId));
    const lastSequence = nextSequence(firstSequence, lastOffsetDelta);
    if (entry === undefined) {
      if (firstSequence === 0 || !this.issuedThisRun(producerId)) return { kind: 'append' };
      return { kind: 'error', errorCode: ErrorCode.UNKNOWN_PRODUCER_ID, detail: `no state for producer ${producerId} and first sequence ${firstSequence} is not 0` };
    }
    if (epoch < entry.epoch) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, detail: `epoch ${epoch} is older than ${entry.epoch}` };
    }
    if (epoch > entry.epoch) {
      // A new epoch starts its sequences again from 0.
      if (firstSequence === 0) return { kind: 'append' };
      return { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, detail: `new epoch ${epoch} must start at sequence 0, got ${firstSequence}` };
    }
    const dup = entry.batches.find((b) => b.firstSequence === firstSequence && b.lastSequence === lastSequence);
    if (dup !== undefined) return { kind: 'duplicate', baseOffset: dup.baseOffset };
    const last = entry.batches[entry.batches.length - 1];
    const expected = last === undefined ? 0 : nextSequence(last.lastSequence);
    if (firstSequence !== expected) {
      return { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, detail: `expected sequence ${expected}, got ${firstSequence}` };
    }
    return { kind: 'append' };
  }

  /** Records a batch after it was appended at `baseOffset`. */
  record(topic: string, partition: number, producerId: number, epoch: number, firstSequence: number, lastOffsetDelta: number, baseOffset: number): void {
    const k = key(topic, partition, producerId);
    let entry = this.entries.get(k);
    if (entry === undefined || entry.epoch !== epoch) {
      entry = { epoch, batches: [] };
      this.entries.set(k, entry);
    }
    entry.batches.push({ firstSequence, lastSequence: nextSequence(firstSequence, lastOffsetDelta), baseOffset });
    if (entry.batches.length > PRODUCER_BATCHES_KEPT) entry.batches.shift();
  }

  /** The last offset of a producer's last batch on a partition, if the producer is known here (the log cleaner keeps that batch). */
  lastOffset(topic: string, partition: number, producerId: number): number | undefined {
    const last = this.entries.get(key(topic, partition, producerId))?.batches.at(-1);
    return last === undefined ? undefined : last.baseOffset + (last.lastSequence - last.firstSequence + (last.lastSequence < last.firstSequence ? INT32_MAX + 1 : 0));
  }

  /** Forgets every producer's state for a deleted topic. */
  forgetTopic(topic: string): void {
    const prefix = `${topic}\u0000`;
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  /** Number of (producer, partition) entries, for tests and metrics. */
  get size(): number {
    return this.entries.size;
  }
}

function key(topic: string, partition: number, producerId: number): string {
  return `${topic}\u0000${partition}\u0000${producerId}`;
}
