import type { CoordinatorEvent } from '../types.js';
import type { ConsumerGroupState } from './group.js';
import type { ConsumerGroups } from './groups.js';

type State = ConsumerGroupState | 'Dead';

/**
 * Consumer group states are derived from the records (epochs and members), so a state change is
 * known only once a call's records are replayed. The coordinator marks the groups a record
 * touched; after the shell has replayed a call's records it asks here for the changes, reported
 * as `consumer-state-changed` events (with, on reaching Stable, how long the group was not).
 */
export class ConsumerStateTracker {
  private readonly last = new Map<string, { state: State; unstableSinceMs: number | null }>();
  private readonly dirty = new Set<string>();

  touched(groupId: string): void {
    this.dirty.add(groupId);
  }

  /** Takes the current states as known without reporting them (after a load). */
  reset(groups: ConsumerGroups, nowMs: number): void {
    this.last.clear();
    this.dirty.clear();
    for (const g of groups.values()) this.last.set(g.groupId, { state: g.state, unstableSinceMs: g.state === 'Stable' || g.state === 'Empty' ? null : nowMs });
  }

  drain(groups: ConsumerGroups, nowMs: number): CoordinatorEvent[] {
    const events: CoordinatorEvent[] = [];
    for (const groupId of [...this.dirty].sort()) {
      const group = groups.get(groupId);
      const to: State = group?.state ?? 'Dead';
      const before = this.last.get(groupId) ?? { state: 'Dead' as State, unstableSinceMs: null };
      if (to === before.state) continue;
      const settled = to === 'Stable' || to === 'Empty' || to === 'Dead';
      const unstableSinceMs = settled ? null : (before.unstableSinceMs ?? nowMs);
      events.push({
        type: 'consumer-state-changed',
        groupId,
        atMs: nowMs,
        from: before.state,
        to,
        groupEpoch: group?.groupEpoch ?? -1,
        assignmentEpoch: group?.assignmentEpoch ?? -1,
        durationMs: to === 'Stable' && before.unstableSinceMs !== null ? nowMs - before.unstableSinceMs : null,
      });
      if (to === 'Dead') this.last.delete(groupId);
      else this.last.set(groupId, { state: to, unstableSinceMs });
    }
    this.dirty.clear();
    return events;
  }
}
