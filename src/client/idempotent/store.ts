/** A record the handler finished with, as a dedupe store remembers it. */
export interface ProcessedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The record's business id (its key, or what `dedupeBy` returned); null when deduplicating by offset only. */
  readonly key: string | null;
}

/**
 * Where an idempotent consumer remembers what it processed. Implement it over the database the
 * handler writes to, in the same transaction as the handler's effect, and the effect happens
 * exactly once; the stores shipped here (memory, file) leave one gap: a crash after the effect and
 * before `markProcessed` resolves repeats that one record.
 */
export interface DedupeStore {
  /**
   * Whether the record was processed already: its offset is at or below the last offset
   * processed on its partition (a re-delivery), or its key was seen (the same message produced
   * twice, at another offset).
   */
  isProcessed(record: ProcessedRecord): Promise<boolean>;
  /** Remembers a processed record; resolves once it is kept (durably, for a durable store). */
  markProcessed(record: ProcessedRecord): Promise<void>;
  close(): Promise<void>;
}

export const partitionId = (topic: string, partition: number): string => `${topic}/${partition}`;

/** Default bound of the remembered keys (the oldest are forgotten first). */
export const DEFAULT_MAX_KEYS = 100_000;

/**
 * The state both shipped stores keep: the last processed offset per partition (a number each,
 * enough to drop any re-delivery, because a partition's records are processed in order) and a
 * bounded set of keys, oldest first, for duplicates that come back at new offsets.
 */
export class DedupeState {
  readonly offsets = new Map<string, number>();
  readonly keys = new Set<string>();

  constructor(readonly maxKeys = DEFAULT_MAX_KEYS) {
    if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new RangeError(`maxKeys must be a non-negative integer, got ${maxKeys}`);
  }

  has(r: ProcessedRecord): boolean {
    const last = this.offsets.get(partitionId(r.topic, r.partition));
    if (last !== undefined && r.offset <= last) return true;
    return r.key !== null && this.keys.has(r.key);
  }

  add(r: ProcessedRecord): void {
    const id = partitionId(r.topic, r.partition);
    this.offsets.set(id, Math.max(this.offsets.get(id) ?? -1, r.offset));
    if (r.key !== null) this.addKey(r.key);
  }

  /** Remembers a key as the newest; forgets the oldest past maxKeys. */
  addKey(key: string): void {
    if (this.maxKeys === 0) return;
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.maxKeys) this.keys.delete(this.keys.values().next().value!);
  }
}

/**
 * Remembers in this process only: protects against re-deliveries to the same process (a
 * rebalance that moves partitions between consumers of one process, a failed commit), not
 * against a restart. For tests, and for handlers whose effects are in memory too.
 */
export class MemoryDedupeStore implements DedupeStore {
  private readonly state: DedupeState;

  constructor(o: { maxKeys?: number } = {}) {
    this.state = new DedupeState(o.maxKeys);
  }

  async isProcessed(record: ProcessedRecord): Promise<boolean> {
    return this.state.has(record);
  }

  async markProcessed(record: ProcessedRecord): Promise<void> {
    this.state.add(record);
  }

  async close(): Promise<void> {}
}
