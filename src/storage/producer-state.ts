import { CONTROL_TYPE_ABORT, CONTROL_TYPE_COMMIT, readControlRecord } from '../protocol/control-record.js';
import { ErrorCode } from '../protocol/errors.js';
import { ATTR_CONTROL, ATTR_TRANSACTIONAL, BATCH, readInt64 } from '../protocol/record-batch-header.js';

/** Kafka keeps the last five batches of each producer per partition (max.in.flight = 5). */
export const PRODUCER_BATCHES_KEPT = 5;
const INT32_MAX = 2_147_483_647;

export interface BatchMetadata {
  firstSequence: number;
  lastSequence: number;
  firstOffset: number;
  lastOffset: number;
}

/** What a partition knows about one producer (Kafka's ProducerStateEntry). */
export interface ProducerEntry {
  producerId: number;
  producerEpoch: number;
  /** Epoch of the coordinator that wrote this producer's last marker, -1 before any. */
  coordinatorEpoch: number;
  /** First offset of the producer's open transaction in this partition, -1 when none. */
  currentTxnFirstOffset: number;
  /** Max timestamp of the producer's last batch: idle producers expire from it. */
  lastTimestamp: number;
  /** Oldest first, at most PRODUCER_BATCHES_KEPT, all of the current epoch. */
  batches: BatchMetadata[];
}

/** An aborted transaction in this partition (Kafka's AbortedTxn, an entry of the .txnindex). */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** Offset of the abort marker. */
  lastOffset: number;
  /** The last stable offset right after the marker: no transaction open at that point started before it. */
  lastStableOffset: number;
}

export type ProducerCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; firstOffset: number; lastOffset: number }
  | { kind: 'error'; errorCode: number; detail: string };

/** The header fields of a batch a producer sends, as the checks need them. */
export interface ProducedBatchHeader {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
  attributes: number;
}

/** The sequence that follows `seq`, wrapping at INT32_MAX as the Java producer does. */
export function nextSequence(seq: number, delta = 1): number {
  const n = seq + delta;
  return n > INT32_MAX ? n - INT32_MAX - 1 : n;
}

/**
 * The producer state of one partition (Kafka's ProducerStateManager): per producer id the epoch,
 * the last five batches' sequences and offsets (de-duplication of retries, KIP-98) and the first
 * offset of its open transaction; the open transactions, which hold the last stable offset back;
 * and the aborted transactions, which read_committed fetches return so consumers skip their
 * records. Only batch headers and marker records are ever read: never the records of a batch.
 *
 * The log feeds every appended batch through `onBatchAppended` (so produce, markers and the
 * replay of a log tail at start-up take the same path); the broker calls `check` before it appends.
 */
export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>();
  /** producer id -> first offset, for producers with an open transaction. */
  private readonly ongoing = new Map<number, number>();
  private aborted: AbortedTxn[] = [];
  /** Called with each aborted transaction as it is recorded (the file store persists the index). */
  onAborted: ((txn: AbortedTxn) => void) | null = null;

  /**
   * Decides what to do with a batch from a producer before it is appended (Kafka's
   * analyzeAndValidateProducerState and ProducerAppendInfo): a retry of one of the last five
   * batches is a duplicate; an older epoch is INVALID_PRODUCER_EPOCH; a new epoch must start at
   * sequence 0; otherwise the sequence must follow the last one. A producer the partition does
   * not know is accepted from any sequence (its state may have expired). A plain batch from a
   * producer with an open transaction here is INVALID_TXN_STATE.
   */
  check(h: ProducedBatchHeader): ProducerCheck {
    const entry = this.producers.get(h.producerId);
    if (entry === undefined) return { kind: 'append' };
    const lastSequence = nextSequence(h.baseSequence, h.lastOffsetDelta);
    if (h.producerEpoch === entry.producerEpoch) {
      const dup = entry.batches.find((b) => b.firstSequence === h.baseSequence && b.lastSequence === lastSequence);
      if (dup !== undefined) return { kind: 'duplicate', firstOffset: dup.firstOffset, lastOffset: dup.lastOffset };
    }
    if (h.producerEpoch < entry.producerEpoch) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, detail: `producer ${h.producerId}: epoch ${h.producerEpoch} is older than ${entry.producerEpoch}` };
    }
    if (h.producerEpoch > entry.producerEpoch) {
      if (h.baseSequence !== 0) {
        return { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, detail: `producer ${h.producerId}: new epoch ${h.producerEpoch} must start at sequence 0, got ${h.baseSequence}` };
      }
    } else {
      const last = entry.batches[entry.batches.length - 1];
      // No batch of this epoch here yet (only a marker): any sequence, as after expiry.
      if (last !== undefined && h.baseSequence !== nextSequence(last.lastSequence)) {
        return { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, detail: `producer ${h.producerId}: expected sequence ${nextSequence(last.lastSequence)}, got ${h.baseSequence}` };
      }
    }
    if ((h.attributes & ATTR_TRANSACTIONAL) === 0 && entry.currentTxnFirstOffset >= 0) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_TXN_STATE, detail: `producer ${h.producerId} has a transaction open at offset ${entry.currentTxnFirstOffset}; a non-transactional batch is refused` };
    }
    return { kind: 'append' };
  }

  /**
   * Checks a transaction marker before it is appended: its epoch must not be older than the
   * producer's, nor its coordinator epoch older than the last marker's. NONE or an error code.
   */
  checkMarker(producerId: number, producerEpoch: number, coordinatorEpoch: number): number {
    const entry = this.producers.get(producerId);
    if (entry === undefined) return ErrorCode.NONE;
    if (producerEpoch < entry.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (coordinatorEpoch < entry.coordinatorEpoch) return ErrorCode.TRANSACTION_COORDINATOR_FENCED;
    return ErrorCode.NONE;
  }

  /** Whether the producer has a transaction open here under this epoch (no verification needed then). */
  hasOngoingTransaction(producerId: number, producerEpoch: number): boolean {
    const entry = this.producers.get(producerId);
    return entry !== undefined && entry.producerEpoch === producerEpoch && entry.currentTxnFirstOffset >= 0;
  }

  /**
   * Records a batch just appended at `[baseOffset, lastOffset]`, reading its header (and, for a
   * marker, its control record) at `pos` in `buf`.
   */
  onBatchAppended(buf: Buffer, pos: number, size: number, baseOffset: number, lastOffset: number, maxTimestamp: number): void {
    const producerId = readInt64(buf, pos + BATCH.PRODUCER_ID);
    if (producerId < 0) return;
    const producerEpoch = buf.readInt16BE(pos + BATCH.PRODUCER_EPOCH);
    const attributes = buf.readInt16BE(pos + BATCH.ATTRIBUTES);
    const entry = this.entryFor(producerId, producerEpoch);
    entry.lastTimestamp = Math.max(entry.lastTimestamp, maxTimestamp);
    if ((attributes & ATTR_CONTROL) !== 0) {
      const control = readControlRecord(buf, pos, size);
      if (control !== null && (control.type === CONTROL_TYPE_ABORT || control.type === CONTROL_TYPE_COMMIT)) {
        this.endTransaction(entry, control.type === CONTROL_TYPE_ABORT, lastOffset);
        entry.coordinatorEpoch = Math.max(entry.coordinatorEpoch, control.coordinatorEpoch);
      }
      return;
    }
    const baseSequence = buf.readInt32BE(pos + BATCH.BASE_SEQUENCE);
    entry.batches.push({ firstSequence: baseSequence, lastSequence: nextSequence(baseSequence, lastOffset - baseOffset), firstOffset: baseOffset, lastOffset });
    if (entry.batches.length > PRODUCER_BATCHES_KEPT) entry.batches.shift();
    if ((attributes & ATTR_TRANSACTIONAL) !== 0 && entry.currentTxnFirstOffset < 0) {
      entry.currentTxnFirstOffset = baseOffset;
      this.ongoing.set(producerId, baseOffset);
    }
  }

  /** The entry of a producer, moved to `epoch` when newer (a new epoch starts its sequences again). */
  private entryFor(producerId: number, epoch: number): ProducerEntry {
    let entry = this.producers.get(producerId);
    if (entry === undefined) {
      entry = { producerId, producerEpoch: epoch, coordinatorEpoch: -1, currentTxnFirstOffset: -1, lastTimestamp: -1, batches: [] };
      this.producers.set(producerId, entry);
    } else if (epoch > entry.producerEpoch) {
      entry.producerEpoch = epoch;
      entry.batches = [];
    }
    return entry;
  }

  private endTransaction(entry: ProducerEntry, aborted: boolean, markerOffset: number): void {
    const firstOffset = entry.currentTxnFirstOffset;
    entry.currentTxnFirstOffset = -1;
    // A marker for a transaction without data here (or a repeated marker) changes nothing else.
    if (firstOffset < 0) return;
    this.ongoing.delete(entry.producerId);
    if (!aborted) return;
    const txn: AbortedTxn = { producerId: entry.producerId, firstOffset, lastOffset: markerOffset, lastStableOffset: this.firstUnstableOffset() ?? markerOffset + 1 };
    this.aborted.push(txn);
    this.onAborted?.(txn);
  }

  /** First offset of the oldest open transaction, or null when none is open. */
  firstUnstableOffset(): number | null {
    let first: number | null = null;
    for (const offset of this.ongoing.values()) if (first === null || offset < first) first = offset;
    return first;
  }

  /** The last stable offset (KIP-98): read_committed consumers read up to it, never past an open transaction. */
  lastStableOffset(highWatermark: number): number {
    const first = this.firstUnstableOffset();
    return first === null ? highWatermark : Math.min(first, highWatermark);
  }

  /**
   * Aborted transactions a fetch of `[fetchOffset, upperBoundOffset)` must report (Kafka's
   * collectAbortedTxns): those whose marker is at or after the fetch offset and whose data
   * started before the upper bound. The scan stops at an entry whose last stable offset reaches
   * the upper bound: every later abort started after it.
   */
  abortedTransactions(fetchOffset: number, upperBoundOffset: number): Array<{ producerId: number; firstOffset: number }> {
    const found: Array<{ producerId: number; firstOffset: number }> = [];
    let lo = 0;
    let hi = this.aborted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.aborted[mid]!.lastOffset < fetchOffset) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.aborted.length; i++) {
      const txn = this.aborted[i]!;
      if (txn.firstOffset < upperBoundOffset) found.push({ producerId: txn.producerId, firstOffset: txn.firstOffset });
      if (txn.lastStableOffset >= upperBoundOffset) break;
    }
    return found;
  }

  /** The log start moved forward: aborted transactions wholly before it are forgotten. */
  onLogStartMoved(logStartOffset: number): void {
    if (this.aborted.length > 0 && this.aborted[0]!.lastOffset < logStartOffset) this.aborted = this.aborted.filter((t) => t.lastOffset >= logStartOffset);
  }

  /**
   * Forgets producers idle for `expirationMs` (`producer.id.expiration.ms`, measured from their
   * last batch's timestamp, as Kafka does) that have no transaction open. Returns how many.
   */
  expire(nowMs: number, expirationMs: number): number {
    let removed = 0;
    for (const [producerId, entry] of this.producers) {
      if (entry.currentTxnFirstOffset < 0 && nowMs - entry.lastTimestamp >= expirationMs) {
        this.producers.delete(producerId);
        removed++;
      }
    }
    return removed;
  }

  /** Every producer known here, by id (DescribeProducers). */
  activeProducers(): ProducerEntry[] {
    return [...this.producers.values()].sort((a, b) => a.producerId - b.producerId);
  }

  producer(producerId: number): ProducerEntry | undefined {
    return this.producers.get(producerId);
  }

  abortedIndex(): readonly AbortedTxn[] {
    return this.aborted;
  }

  get size(): number {
    return this.producers.size;
  }

  /** Restores entries and aborted transactions (a snapshot and the aborted index, at start-up). */
  restore(entries: readonly ProducerEntry[], aborted: readonly AbortedTxn[]): void {
    this.producers.clear();
    this.ongoing.clear();
    for (const e of entries) {
      this.producers.set(e.producerId, { ...e, batches: e.batches.map((b) => ({ ...b })) });
      if (e.currentTxnFirstOffset >= 0) this.ongoing.set(e.producerId, e.currentTxnFirstOffset);
    }
    this.aborted = [...aborted].sort((a, b) => a.lastOffset - b.lastOffset);
  }
}
