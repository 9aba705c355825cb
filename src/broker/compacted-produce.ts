import { ErrorCode } from '../protocol/errors.js';
import type { ProducePartitionProduceResponseInit } from '../protocol/messages/index.js';
import { keylessRecordMessage, keylessRecords, parseCleanupPolicy } from '../storage/index.js';
import type { PartitionLog } from '../storage/types.js';

/**
 * Produce to a compacted topic. Kafka's LogValidator refuses a batch holding a record without a
 * key (the cleaner could never keep or replace it) with INVALID_RECORD, naming each such record in
 * the response's record errors (Produce v8+). Finding keys means walking the records, and
 * decompressing a compressed batch: the one place the broker reads inside batches on the produce
 * path, and only for topics whose cleanup.policy holds `compact`.
 */

export function isCompactedTopic(configs: Record<string, string>): boolean {
  const policy = configs['cleanup.policy'];
  return policy !== undefined && parseCleanupPolicy(policy)?.compact === true;
}

/** Kafka shows at most this many record errors in the partition's error message. */
const ERRORS_IN_MESSAGE = 3;

/** The partition response refusing a batch whose records at `indexes` have no key. */
export function keylessRecordsResponse(index: number, topic: string, partition: number, indexes: readonly number[]): ProducePartitionProduceResponseInit {
  const message = keylessRecordMessage(topic, partition);
  const shown = indexes.slice(0, ERRORS_IN_MESSAGE).map((i) => `RecordError(batchIndex=${i}, message='${message}')`);
  return {
    index,
    errorCode: ErrorCode.INVALID_RECORD,
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    recordErrors: indexes.map((batchIndex) => ({ batchIndex, batchIndexErrorMessage: message })),
    errorMessage: `One or more records have been rejected due to ${indexes.length} record errors in total, and only showing the first three errors at most: [${shown.join(', ')}]`,
  };
}

/** Indexes of the batch's records without a key; a compressed batch is decompressed off this call. */
export function findKeylessRecords(batch: Buffer): number[] | Promise<number[]> {
  return keylessRecords(batch);
}

const queued = new WeakMap<PartitionLog, Promise<unknown>>();

/** Whether a compressed batch's check is still running for `log` (later appends must wait for it). */
export function hasQueuedAppend(log: PartitionLog): boolean {
  return queued.has(log);
}

/**
 * Runs `task` once every task queued before for the same log has finished. Appends to a partition
 * must happen in the order requests arrived (an idempotent producer's sequence numbers depend on
 * it), and decompressing one batch to check its keys takes a moment during which the next request
 * for the partition may arrive.
 */
export function afterQueuedAppends<T>(log: PartitionLog, task: () => Promise<T>): Promise<T> {
  const run = (queued.get(log) ?? Promise.resolve()).then(task);
  const tail = run.catch(() => {});
  queued.set(log, tail);
  void tail.then(() => {
    if (queued.get(log) === tail) queued.delete(log);
  });
  return run;
}
