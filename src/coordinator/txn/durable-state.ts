import type { TxnMetadataValue } from './metadata.js';
import { encodeTxnRecordKey, encodeTxnRecordValue, type TxnRecord } from './records.js';

/**
 * What survives a restart of the transaction coordinator: the metadata of every transactional id
 * and the last producer-id block reserved. Changed only by `apply(record)`, so the live
 * coordinator and one rebuilt from its log hold the same state.
 */
export class TxnDurableState {
  private readonly txns = new Map<string, TxnMetadataValue>();
  /** The latest reserved block, or null before the first one. */
  private block: { firstProducerId: number; size: number } | null = null;

  apply(record: TxnRecord): void {
    if (record.type === 'producer-id-block') {
      this.block = { firstProducerId: record.firstProducerId, size: record.size };
      return;
    }
    if (record.value === null) this.txns.delete(record.transactionalId);
    else this.txns.set(record.transactionalId, record.value);
  }

  get(transactionalId: string): TxnMetadataValue | undefined {
    return this.txns.get(transactionalId);
  }

  /** Every transactional id, sorted. */
  transactionalIds(): string[] {
    return [...this.txns.keys()].sort();
  }

  get size(): number {
    return this.txns.size;
  }

  /** The end (exclusive) of the last reserved producer-id block, or null before the first one. */
  get blockEnd(): number | null {
    return this.block === null ? null : this.block.firstProducerId + this.block.size;
  }

  /** The smallest set of records that rebuilds this state: what a compaction of the log writes. */
  snapshotRecords(): TxnRecord[] {
    const records: TxnRecord[] = [];
    if (this.block !== null) records.push({ type: 'producer-id-block', ...this.block });
    for (const transactionalId of this.transactionalIds()) records.push({ type: 'txn-metadata', transactionalId, value: this.txns.get(transactionalId)! });
    return records;
  }

  /** A canonical text form, for comparing two states (tests and the simulator). */
  fingerprint(): string {
    // The binary form: canonical whatever order an object's fields were built in.
    return this.snapshotRecords()
      .map((r) => `${encodeTxnRecordKey(r).toString('hex')}=${encodeTxnRecordValue(r)?.toString('hex') ?? 'null'}`)
      .join('\n');
  }
}
