import type { OffsetCommitValue, TxnOffsetCommitRecord } from './records.js';

/**
 * Offsets committed inside transactions that have not ended (TxnOffsetCommit), by group and
 * producer id, as Kafka's OffsetMetadataManager keeps `pendingTransactionalOffsets`. They are
 * invisible to OffsetFetch; a commit marker moves them to the committed offsets, an abort
 * marker drops them, and while they exist OffsetFetch with RequireStable answers
 * UNSTABLE_OFFSET_COMMIT for their partitions (KIP-447).
 */
export class PendingTxnOffsets {
  /** group -> producer id -> "topic\0partition" -> record */
  private readonly byGroup = new Map<string, Map<number, Map<string, TxnOffsetCommitRecord>>>();

  add(record: TxnOffsetCommitRecord): void {
    let producers = this.byGroup.get(record.groupId);
    if (producers === undefined) this.byGroup.set(record.groupId, (producers = new Map()));
    let offsets = producers.get(record.producerId);
    if (offsets === undefined) producers.set(record.producerId, (offsets = new Map()));
    offsets.set(key(record.topic, record.partition), record);
  }

  /** Removes and returns a producer's pending offsets in one group (in the order they were committed). */
  take(groupId: string, producerId: number): TxnOffsetCommitRecord[] {
    const producers = this.byGroup.get(groupId);
    const offsets = producers?.get(producerId);
    if (offsets === undefined) return [];
    producers!.delete(producerId);
    if (producers!.size === 0) this.byGroup.delete(groupId);
    return [...offsets.values()];
  }

  /**
   * A plain commit (or deletion) of the partition came after these pending offsets. Kafka keeps
   * whichever of the two was written last when the transaction commits, so the older pending
   * offset can never win: drop it.
   */
  supersede(groupId: string, topic: string, partition: number): void {
    const producers = this.byGroup.get(groupId);
    if (producers === undefined) return;
    for (const [producerId, offsets] of producers) {
      offsets.delete(key(topic, partition));
      if (offsets.size === 0) producers.delete(producerId);
    }
    if (producers.size === 0) this.byGroup.delete(groupId);
  }

  has(groupId: string, topic: string, partition: number): boolean {
    const producers = this.byGroup.get(groupId);
    if (producers === undefined) return false;
    for (const offsets of producers.values()) if (offsets.has(key(topic, partition))) return true;
    return false;
  }

  hasGroup(groupId: string): boolean {
    return this.byGroup.has(groupId);
  }

  groupIds(): string[] {
    return [...this.byGroup.keys()];
  }

  /** Producer ids with pending offsets in the group, sorted. */
  producersOf(groupId: string): number[] {
    return [...(this.byGroup.get(groupId)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** Every pending offset of a group, sorted by producer, topic and partition (for snapshots). */
  recordsOf(groupId: string): TxnOffsetCommitRecord[] {
    const producers = this.byGroup.get(groupId);
    if (producers === undefined) return [];
    return this.producersOf(groupId).flatMap((producerId) =>
      [...producers.get(producerId)!.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)),
    );
  }

  value(groupId: string, producerId: number, topic: string, partition: number): OffsetCommitValue | undefined {
    return this.byGroup.get(groupId)?.get(producerId)?.get(key(topic, partition))?.value;
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
