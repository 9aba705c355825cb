import { ConsumerGroups } from './consumer/groups.js';
import { PendingTxnOffsets } from './pending-txn-offsets.js';
import { isClassicRecord, type CoordinatorRecord, type GroupMetadataValue, type OffsetCommitRecord, type OffsetCommitValue } from './records.js';

/**
 * What survives a restart: the latest group metadata snapshot per classic group, the consumer
 * groups (KIP-848; all their state is durable) and the committed offsets. Mutated only by
 * `apply(record)`, so the live coordinator and one rebuilt from the log hold the same state.
 * Offsets are read from here directly (OffsetFetch never needs more).
 */
export class DurableState {
  private readonly groups = new Map<string, GroupMetadataValue>();
  /** Consumer groups: replaying their records is all there is to them. */
  readonly consumerGroups = new ConsumerGroups();
  /** group -> topic -> partition -> committed offset */
  private readonly offsets = new Map<string, Map<string, Map<number, OffsetCommitValue>>>();
  /** Offsets of transactions still running (TxnOffsetCommit), invisible until their commit. */
  readonly pendingTxnOffsets = new PendingTxnOffsets();

  apply(record: CoordinatorRecord): void {
    if (!isClassicRecord(record)) {
      this.consumerGroups.apply(record);
      return;
    }
    if (record.type === 'group-metadata') {
      if (record.value === null) this.groups.delete(record.groupId);
      else this.groups.set(record.groupId, record.value);
      return;
    }
    if (record.type === 'txn-offset-commit') {
      this.pendingTxnOffsets.add(record);
      return;
    }
    if (record.type === 'txn-offset-marker') {
      const pending = this.pendingTxnOffsets.take(record.groupId, record.producerId);
      if (record.committed) for (const p of pending) this.applyOffset({ type: 'offset-commit', groupId: p.groupId, topic: p.topic, partition: p.partition, value: p.value });
      return;
    }
    this.pendingTxnOffsets.supersede(record.groupId, record.topic, record.partition);
    this.applyOffset(record);
  }

  private applyOffset(record: OffsetCommitRecord): void {
    let topics = this.offsets.get(record.groupId);
    if (record.value === null) {
      const partitions = topics?.get(record.topic);
      if (partitions === undefined) return;
      partitions.delete(record.partition);
      if (partitions.size === 0) topics!.delete(record.topic);
      if (topics!.size === 0) this.offsets.delete(record.groupId);
      return;
    }
    if (topics === undefined) this.offsets.set(record.groupId, (topics = new Map()));
    let partitions = topics.get(record.topic);
    if (partitions === undefined) topics.set(record.topic, (partitions = new Map()));
    partitions.set(record.partition, record.value);
  }

  groupMetadata(groupId: string): GroupMetadataValue | undefined {
    return this.groups.get(groupId);
  }

  offset(groupId: string, topic: string, partition: number): OffsetCommitValue | undefined {
    return this.offsets.get(groupId)?.get(topic)?.get(partition);
  }

  /** topic -> partition -> offset for one group (empty map when none). */
  groupOffsets(groupId: string): ReadonlyMap<string, ReadonlyMap<number, OffsetCommitValue>> {
    return this.offsets.get(groupId) ?? new Map();
  }

  hasOffsets(groupId: string): boolean {
    return this.offsets.has(groupId) || this.pendingTxnOffsets.hasGroup(groupId);
  }

  /** Every group with metadata, offsets or pending transactional offsets, sorted. */
  groupIds(): string[] {
    return [...new Set([...this.groups.keys(), ...this.offsets.keys(), ...this.pendingTxnOffsets.groupIds(), ...this.consumerGroups.ids()])].sort();
  }

  /** The groups that are not consumer groups: classic ones and commit-only ("simple") ones. */
  classicGroupIds(): string[] {
    return this.groupIds().filter((id) => !this.consumerGroups.has(id));
  }

  /**
   * The smallest set of records that rebuilds this state (one per live key, sorted): what a
   * compaction of the internal log writes as its snapshot.
   */
  snapshotRecords(): CoordinatorRecord[] {
    const records: CoordinatorRecord[] = [];
    for (const groupId of this.groupIds()) {
      const value = this.groups.get(groupId);
      if (value !== undefined) records.push({ type: 'group-metadata', groupId, value });
      records.push(...this.consumerGroups.snapshotRecords(groupId));
      const topics = this.offsets.get(groupId);
      for (const topic of [...(topics?.keys() ?? [])].sort()) {
        const partitions = topics!.get(topic)!;
        for (const partition of [...partitions.keys()].sort((a, b) => a - b)) {
          records.push({ type: 'offset-commit', groupId, topic, partition, value: partitions.get(partition)! });
        }
      }
      // After the committed offsets: replaying a plain commit drops older pending offsets.
      records.push(...this.pendingTxnOffsets.recordsOf(groupId));
    }
    return records;
  }

  /** A canonical text form, for comparing two states (tests and the simulator). */
  fingerprint(): string {
    return JSON.stringify(this.snapshotRecords(), (_key, v: unknown) =>
      v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer'
        ? Buffer.from((v as { data: number[] }).data).toString('base64')
        : v,
    );
  }
}
