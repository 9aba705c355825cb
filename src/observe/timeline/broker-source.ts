import { COORDINATOR_EVENTS, subscribeCoordinatorEvent, type Broker } from '../../broker/index.js';
import type { TimelineEntry } from '../../common/timeline/index.js';
import type { TimelineSource } from './source.js';

/**
 * The exact timeline of a Samsa broker running in this process: its durable history, and new
 * entries as its group coordinator records them.
 */
export class BrokerTimelineSource implements TimelineSource {
  readonly kind = 'coordinator' as const;
  private readonly listeners = new Set<(entry: TimelineEntry) => void>();
  private readonly unsubscribe: () => void;

  constructor(private readonly broker: Broker) {
    this.unsubscribe = subscribeCoordinatorEvent(COORDINATOR_EVENTS.timelineEntry, (e) => {
      if (e.nodeId !== broker.config.nodeId || e.port !== broker.port) return;
      for (const l of this.listeners) l(e.entry);
    });
  }

  history(groupId: string): readonly TimelineEntry[] {
    return this.broker.context.timeline.history(groupId);
  }

  /** The generation of a group's last entry. */
  generationOf(groupId: string): number | null {
    const h = this.history(groupId);
    return h.length === 0 ? null : h[h.length - 1]!.generationId;
  }

  onEntry(listener: (entry: TimelineEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }
}
