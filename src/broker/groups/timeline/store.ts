import type { Clock } from '../../../common/clock.js';
import type { Logger } from '../../../common/logger.js';
import { TIMELINE_MAX_ENTRIES_PER_GROUP, type TimelineEntry } from '../../../common/timeline/index.js';
import type { CoordinatorEvent, CoordinatorRecord } from '../../../coordinator/index.js';
import { encodeRecordBatch } from '../../../protocol/record-batch.js';
import type { LogStore, PartitionLog } from '../../../storage/types.js';
import type { BrokerConfig } from '../../config.js';
import { BROKER_EVENTS, subscribeBrokerEvent } from '../../events.js';
import { COORDINATOR_EVENTS, publishCoordinatorEvent } from '../events.js';
import { readInternalLog } from '../internal-log.js';
import { TimelineBuilder } from './builder.js';

/** Name of the internal log holding the rebalance history of every group. */
export const TIMELINE_LOG_NAME = 'group_timeline';

/** Layout of the stored values; bumped if an entry's JSON changes incompatibly. */
const VALUE_VERSION = 1;

export interface TimelineStoreOptions {
  readonly store: LogStore;
  readonly config: BrokerConfig;
  readonly log: Logger;
  readonly clock: Clock;
  /** Entries kept per group. Default 200. */
  readonly maxEntriesPerGroup?: number;
}

/**
 * The rebalance history of every group, kept by the broker so that it survives restarts and is
 * there before anyone watches. Entries come from the group coordinator (exact: see
 * TimelineBuilder) and go, one record each keyed by group id, to a small internal log of their
 * own, replayed at start. The log is rewritten as a snapshot of the live entries (the last N per
 * group) once it holds twice as many records, like the coordinator's own log; a group's
 * deletion writes a tombstone. Writing never holds up the coordinator: records reach the disk
 * with the periodic flush.
 */
export class GroupTimelineStore {
  private readonly byGroup = new Map<string, TimelineEntry[]>();
  private readonly builder: TimelineBuilder;
  private readonly maxEntries: number;
  private recordsInLog = 0;
  private writes: Promise<void> = Promise.resolve();
  private readonly unsubscribe: Array<() => void> = [];
  private closed = false;

  private constructor(
    private readonly o: TimelineStoreOptions,
    private readonly log: PartitionLog,
  ) {
    this.maxEntries = o.maxEntriesPerGroup ?? TIMELINE_MAX_ENTRIES_PER_GROUP;
    // Consumer groups (KIP-848) name topics by id; entries name them.
    this.builder = new TimelineBuilder((topicId) => o.store.listTopics().find((t) => t.id === topicId)?.name);
  }

  static async open(options: TimelineStoreOptions): Promise<GroupTimelineStore> {
    const log = await options.store.openInternalLog(TIMELINE_LOG_NAME);
    const store = new GroupTimelineStore(options, log);
    await store.load();
    store.listenToTopics();
    return store;
  }

  /** The group's entries, oldest first (at most the last N). */
  history(groupId: string): readonly TimelineEntry[] {
    return this.byGroup.get(groupId) ?? [];
  }

  /** Groups that have history, sorted. */
  groupIds(): string[] {
    return [...this.byGroup.keys()].sort();
  }

  /**
   * Called by the coordinator shell with each call's records (already durable or on their way)
   * and events. Never throws: a timeline problem must not disturb the coordinator.
   */
  onCoordinatorOutput(records: readonly CoordinatorRecord[], events: readonly CoordinatorEvent[]): void {
    if (this.closed || events.length === 0) return;
    try {
      const { entries, deleted } = this.builder.apply(records, events, this.o.clock.nowMs());
      for (const groupId of deleted) this.remove(groupId);
      for (const entry of entries) this.add(entry);
    } catch (err) {
      this.o.log.error('group timeline: could not record a rebalance', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  }

  /** Waits for pending writes, then stops listening. */
  async close(): Promise<void> {
    this.closed = true;
    for (const u of this.unsubscribe.splice(0)) u();
    await this.writes;
  }

  // ---- internals ----

  private add(entry: TimelineEntry): void {
    let list = this.byGroup.get(entry.groupId);
    if (list === undefined) this.byGroup.set(entry.groupId, (list = []));
    list.push(entry);
    if (list.length > this.maxEntries) list.splice(0, list.length - this.maxEntries);
    this.write([[entry.groupId, entry]]);
    publishCoordinatorEvent(COORDINATOR_EVENTS.timelineEntry, { nodeId: this.o.config.nodeId, port: this.o.config.port, groupId: entry.groupId, atMs: entry.completedAtMs, entry });
  }

  private remove(groupId: string): void {
    if (!this.byGroup.delete(groupId)) return;
    this.write([[groupId, null]]);
  }

  private async load(): Promise<void> {
    this.recordsInLog = await readInternalLog(this.log, (offset, key, value) => {
      if (key === null) return;
      const groupId = key.toString('utf8');
      if (value === null) {
        this.byGroup.delete(groupId);
        return;
      }
      const entry = decodeEntry(value);
      if (entry === null) {
        this.o.log.warn('group timeline: skipping an unreadable record', { offset });
        return;
      }
      let list = this.byGroup.get(groupId);
      if (list === undefined) this.byGroup.set(groupId, (list = []));
      list.push(entry);
      if (list.length > this.maxEntries) list.shift();
    });
    for (const list of this.byGroup.values()) this.builder.restore(list[list.length - 1]!);
  }

  private listenToTopics(): void {
    const mine = (e: { nodeId: number; port: number }) => e.nodeId === this.o.config.nodeId && e.port === this.o.config.port;
    this.unsubscribe.push(
      subscribeBrokerEvent(BROKER_EVENTS.partitionsCreated, (e) => {
        if (mine(e)) this.builder.topicChanged({ topic: e.topic, partitionsBefore: e.previousPartitions, partitionsAfter: e.partitions, atMs: this.o.clock.nowMs() });
      }),
      subscribeBrokerEvent(BROKER_EVENTS.topicCreated, (e) => {
        if (mine(e)) this.builder.topicChanged({ topic: e.topic, partitionsBefore: 0, partitionsAfter: e.partitions, atMs: this.o.clock.nowMs() });
      }),
    );
  }

  /** Appends records in order (one write at a time); compacts when the log is mostly stale. */
  private write(items: Array<[string, TimelineEntry | null]>): void {
    this.writes = this.writes.then(async () => {
      try {
        const nowMs = this.o.clock.nowMs();
        this.log.append(await encodeEntries(items, nowMs), nowMs);
        this.recordsInLog += items.length;
        const live = [...this.byGroup.values()].reduce((n, l) => n + l.length, 0);
        if (this.recordsInLog > Math.max(2 * live, this.maxEntries)) await this.compact(live);
      } catch (err) {
        this.o.log.error('group timeline: could not write the history', { error: err instanceof Error ? err.message : String(err) });
      }
    });
  }

  /** Rewrites the live entries, then drops everything before them (a crash in between replays both: same result). */
  private async compact(live: number): Promise<void> {
    const startOffset = this.log.logEndOffset;
    const items: Array<[string, TimelineEntry]> = [];
    for (const [groupId, list] of this.byGroup) for (const e of list) items.push([groupId, e]);
    const nowMs = this.o.clock.nowMs();
    if (items.length > 0) this.log.append(await encodeEntries(items, nowMs), nowMs);
    await this.log.sync();
    await this.log.deleteRecordsBefore(startOffset);
    this.recordsInLog = live;
  }
}

async function encodeEntries(items: ReadonlyArray<[string, TimelineEntry | null]>, nowMs: number): Promise<Buffer> {
  const batches: Buffer[] = [];
  for (let i = 0; i < items.length; i += 200) {
    const records = items.slice(i, i + 200).map(([groupId, entry]) => ({
      key: Buffer.from(groupId, 'utf8'),
      value: entry === null ? null : Buffer.from(JSON.stringify({ v: VALUE_VERSION, entry }), 'utf8'),
    }));
    batches.push(await encodeRecordBatch({ records, nowMs }));
  }
  return Buffer.concat(batches);
}

function decodeEntry(value: Buffer): TimelineEntry | null {
  try {
    const parsed = JSON.parse(value.toString('utf8')) as { v?: number; entry?: TimelineEntry };
    return parsed.v === VALUE_VERSION && parsed.entry !== undefined ? parsed.entry : null;
  } catch {
    return null;
  }
}
