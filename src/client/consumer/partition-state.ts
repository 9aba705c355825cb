import type { DecodedRecord } from '../../protocol/record-batch.js';
import { partitionKey, sortPartitions } from '../group/partitions.js';
import type { TopicPartition } from '../group/types.js';

/** Records fetched for one partition and not yet handed to the application. */
export interface BufferedRecords {
  records: DecodedRecord[];
  /** Next record to deliver. */
  index: number;
  highWatermark: number;
  sizeBytes: number;
  /** The partition's epoch when fetched; a seek or reset makes older data stale. */
  epoch: number;
}

/**
 * Everything the consumer tracks about one assigned partition. Offsets follow Kafka's meaning:
 * `position` is the next offset to fetch, `processed` the next offset after the last record the
 * application finished (what a commit stores), `committed` the last value known committed.
 */
/** The first fetch of a partition asks for this much (or maxBytesPerPartition, if smaller). */
export const FIRST_FETCH_BYTES = 262_144;
/** Fetch sizes stop growing once an answer holds this many records (offsets spanned). */
export const GROW_BELOW_RECORDS = 1000;

/**
 * What a partition's next fetch asks for after an answer of `answerBytes` spanning
 * `answerRecords` offsets to a fetch of `askedBytes`. A full answer (half of what was asked or
 * more) means more is waiting: ask twice as much, up to `maxBytes`, unless the answer already held
 * GROW_BELOW_RECORDS records. An answer is decoded whole before any of it is handled and that
 * takes time by records, not bytes: 1 MiB of 100-byte records held the handler back where 1 MiB
 * of 1 KiB records did not.
 */
/** What the next fetch of `s` asks for: its ramp, within maxBytesPerPartition. */
export function fetchBytesOf(s: PartitionState, maxBytesPerPartition: number): number {
  return Math.min(s.fetchBytes, maxBytesPerPartition);
}

export function nextFetchBytes(askedBytes: number, answerBytes: number, answerRecords: number, maxBytes: number): number {
  if (answerBytes * 2 < askedBytes || answerRecords >= GROW_BELOW_RECORDS) return askedBytes;
  return Math.min(askedBytes * 2, maxBytes);
}

export class PartitionState {
  readonly key: string;
  position: number | null = null;
  processed: number | null = null;
  committed: number | null = null;
  highWatermark = -1;
  readonly buffer: BufferedRecords[] = [];
  bufferedBytes = 0;
  /**
   * Bytes of the buffered chunk a handler is working through now. They count as drained for
   * fetching, so the next fetch of this partition travels while the handler works (double
   * buffering: up to twice maxBytesPerPartition buffered) instead of after it.
   */
  handedOverBytes = 0;
  /**
   * How much the next fetch asks of this partition: from FIRST_FETCH_BYTES, doubled after each
   * answer that came back at least half full with few records (Fetcher.rampFetchBytes), up to
   * maxBytesPerPartition; back to the start on a seek. Small first answers reach the handler
   * soon; a backlog of large records is then read in large ones.
   */
  fetchBytes = FIRST_FETCH_BYTES;
  /** Bumped by seek, reset and revocation: fetch answers and handlers of an older epoch are ignored. */
  epoch = 0;
  paused = false;
  /** Being given up: no more fetching or delivery. */
  revoking = false;
  /** A Fetch that includes this partition is in flight. */
  fetching = false;
  /** Its committed offset or reset offset is being looked up. */
  initializing = false;
  /** When the handler now working on this partition started, or null. */
  activeSinceMs: number | null = null;
  /** Resolves the waiters of `idle()` when the handler finishes. */
  private idleWaiters: Array<() => void> = [];
  /** Do not deliver before this time (a handler failed and the records will be retried). */
  retryAtMs = 0;
  handlerFailures = 0;

  constructor(readonly topic: string, readonly partition: number) {
    this.key = partitionKey({ topic, partition });
  }

  get tp(): TopicPartition {
    return { topic: this.topic, partition: this.partition };
  }

  hasBufferedRecords(): boolean {
    return this.buffer.length > 0;
  }

  /** Drops everything fetched and not delivered; returns the offset the next fetch must start at. */
  clearBuffer(): void {
    this.buffer.length = 0;
    this.bufferedBytes = 0;
    this.handedOverBytes = 0;
  }

  /** Moves to `offset`: buffered data and in-flight fetches become stale. */
  seek(offset: number): void {
    this.epoch++;
    this.clearBuffer();
    this.fetchBytes = FIRST_FETCH_BYTES;
    this.position = offset;
    this.processed = offset;
    this.fetching = false;
  }

  startHandler(nowMs: number): void {
    this.activeSinceMs = nowMs;
  }

  finishHandler(): void {
    this.activeSinceMs = null;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once no handler is working on this partition. */
  idle(): Promise<void> {
    if (this.activeSinceMs === null) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

/** The assigned partitions, by key. */
export class PartitionRegistry {
  private readonly states = new Map<string, PartitionState>();

  get size(): number {
    return this.states.size;
  }

  get(tp: TopicPartition): PartitionState | undefined {
    return this.states.get(partitionKey(tp));
  }

  add(tp: TopicPartition): PartitionState {
    const key = partitionKey(tp);
    let s = this.states.get(key);
    if (s === undefined) this.states.set(key, (s = new PartitionState(tp.topic, tp.partition)));
    return s;
  }

  remove(tp: TopicPartition): PartitionState | undefined {
    const key = partitionKey(tp);
    const s = this.states.get(key);
    if (s !== undefined) this.states.delete(key);
    return s;
  }

  all(): PartitionState[] {
    return [...this.states.values()];
  }

  assignment(): TopicPartition[] {
    return sortPartitions([...this.states.values()].map((s) => s.tp));
  }
}
