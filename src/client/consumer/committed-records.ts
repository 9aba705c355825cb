import { CONTROL_TYPE_ABORT } from '../../protocol/control-record.js';
import type { DecodedBatch, DecodedRecord } from '../../protocol/record-batch.js';

export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

/**
 * The records a consumer delivers from one fetched partition, from `fetchOffset` on: never
 * control batches (transaction markers), and with read_committed never the records of aborted
 * transactions. As the Java consumer's Fetcher does: an aborted transaction of a producer starts
 * at its first offset (from the fetch response's AbortedTransactions) and ends at that
 * producer's ABORT marker; every transactional batch of the producer in between is dropped.
 */
export function deliverableRecords(batches: readonly DecodedBatch[], fetchOffset: number, aborted: readonly AbortedTransaction[] | null): DecodedRecord[] {
  const pending = aborted === null ? [] : [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  const abortedProducers = new Set<number>();
  const records: DecodedRecord[] = [];
  let next = 0;
  for (const b of batches) {
    const h = b.header;
    if (aborted !== null && h.producerId >= 0) {
      const lastOffset = h.baseOffset + h.lastOffsetDelta;
      for (; next < pending.length && pending[next]!.firstOffset <= lastOffset; next++) abortedProducers.add(pending[next]!.producerId);
      if (b.isControl) {
        if (isAbortMarker(b)) abortedProducers.delete(h.producerId);
        continue;
      }
      if (b.isTransactional && abortedProducers.has(h.producerId)) continue;
    }
    if (b.isControl) continue;
    for (const r of b.records) if (r.offset >= fetchOffset) records.push(r);
  }
  return records;
}

function isAbortMarker(b: DecodedBatch): boolean {
  const key = b.records[0]?.key;
  return key !== null && key !== undefined && key.length >= 4 && key.readInt16BE(2) === CONTROL_TYPE_ABORT;
}
