import type { TimelineEntry } from '../../common/timeline/index.js';

/** Where a dashboard gets the rebalance history of groups. */
export interface TimelineSource {
  /** 'coordinator': exact, from a Samsa broker's group coordinator; 'inferred': from polling DescribeGroups. */
  readonly kind: 'coordinator' | 'inferred';
  /** A group's entries, oldest first. */
  history(groupId: string): readonly TimelineEntry[];
  /** Called with each new entry; returns the function that stops it. */
  onEntry(listener: (entry: TimelineEntry) => void): () => void;
  close(): void;
}
