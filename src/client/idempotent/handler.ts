import type { Consumer } from '../consumer/consumer.js';
import type { ConsumedMessage, EachMessageHandler, EachMessagePayload } from '../consumer/types.js';
import { KafkaConfigError } from '../errors.js';
import type { DedupeStore } from './store.js';

export interface IdempotentOptions {
  /** Where processed records are remembered (MemoryDedupeStore, FileDedupeStore, or your own over your database). */
  readonly store: DedupeStore;
  /**
   * What makes two deliveries the same record. `offset` (default): its partition and offset, which
   * catches every re-delivery (after a crash, a rebalance, a failed commit). `key`: also its key,
   * which catches the same message produced twice (a producer retry without idempotence, an
   * upstream replay); or a function returning the record's business id (null: offset only).
   */
  readonly dedupeBy?: 'offset' | 'key' | ((message: ConsumedMessage) => string | null);
  /**
   * With a consumer: after every N records this handler finished, commit the offset after the
   * last one on its partition, on top of the consumer's own commits (auto-commit, commit on
   * revoke). Never before processing.
   */
  readonly consumer?: Consumer;
  readonly commitEveryRecords?: number;
}

export interface IdempotentStats {
  /** Records the handler ran for. */
  processed: number;
  /** Re-deliveries (or duplicates by key) the handler was spared. */
  skipped: number;
}

export type IdempotentHandler = EachMessageHandler & { readonly stats: IdempotentStats };

/**
 * Wraps an eachMessage handler so its effect happens once per record even when Kafka delivers
 * the record again. Each part prevents one failure:
 *  - the record is remembered only after the handler returns, and offsets are committed only
 *    after that: a crash before the end re-delivers the record instead of losing it (committing
 *    first is at-most-once: the record is skipped for good);
 *  - a record the store remembers is skipped: what was processed but not yet committed when a
 *    consumer crashed or lost its partitions in a rebalance comes back to the next owner, and
 *    does not run twice;
 *  - a durable store (FileDedupeStore, or your database) keeps that memory across a restart of
 *    the process; the memory store only within it.
 * The store and the effect are separate writes unless your store shares the effect's
 * transaction: a crash between them repeats that one record.
 */
export function idempotentHandler(handler: EachMessageHandler, o: IdempotentOptions): IdempotentHandler {
  if (o.commitEveryRecords !== undefined && (o.consumer === undefined || !Number.isInteger(o.commitEveryRecords) || o.commitEveryRecords < 1)) {
    throw new KafkaConfigError('commitEveryRecords needs a consumer and a positive integer');
  }
  const idOf = o.dedupeBy === undefined || o.dedupeBy === 'offset'
    ? () => null
    : o.dedupeBy === 'key'
      ? (m: ConsumedMessage) => (m.key === null ? null : m.key.toString('utf8'))
      : o.dedupeBy;
  const stats: IdempotentStats = { processed: 0, skipped: 0 };
  let sinceCommit = 0;
  const wrapped = async (payload: EachMessagePayload): Promise<void> => {
    const { topic, partition, message } = payload;
    const record = { topic, partition, offset: message.offset, key: idOf(message) };
    if (await o.store.isProcessed(record)) {
      stats.skipped++;
      return; // returning marks it processed for the consumer, so its offset gets committed
    }
    await handler(payload);
    await o.store.markProcessed(record);
    stats.processed++;
    if (o.commitEveryRecords !== undefined && ++sinceCommit >= o.commitEveryRecords) {
      sinceCommit = 0;
      // The consumer counts this record processed only once we return: commit through it.
      await o.consumer!.commit([{ topic, partition, offset: message.offset + 1 }]);
    }
  };
  return Object.assign(wrapped, { stats });
}
