import { ConsumerGroup } from './group.js';
import type { ConsumerGroupRecord } from './records.js';

/**
 * Every consumer group of the coordinator. Changed only by `apply`: a record creates its group
 * when needed, and the group's metadata tombstone deletes it.
 */
export class ConsumerGroups {
  private readonly groups = new Map<string, ConsumerGroup>();

  apply(record: ConsumerGroupRecord): void {
    let group = this.groups.get(record.groupId);
    if (group === undefined) {
      // A tombstone for a group that is gone changes nothing.
      if (record.value === null) return;
      this.groups.set(record.groupId, (group = new ConsumerGroup(record.groupId)));
    }
    if (!group.apply(record)) this.groups.delete(record.groupId);
  }

  get(groupId: string): ConsumerGroup | undefined {
    return this.groups.get(groupId);
  }

  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  /** Group ids, sorted. */
  ids(): string[] {
    return [...this.groups.keys()].sort();
  }

  values(): IterableIterator<ConsumerGroup> {
    return this.groups.values();
  }

  snapshotRecords(groupId: string): ConsumerGroupRecord[] {
    return this.groups.get(groupId)?.snapshotRecords() ?? [];
  }
}
