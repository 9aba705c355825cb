import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { ErrorCode } from '../protocol/errors.js';
import { resolveLogConfig, validateTopicConfigs, type LogConfig } from './log-config.js';
import { assertInternalLogName, assertTopicName, internalLogDirName, newKafkaUuid, partitionDirName } from './names.js';
import type { PartitionDamage } from './damage.js';
import type { DamagedLog } from './damaged-log.js';
import type { RepairReport } from './repair.js';
import type { CleanableLog } from './cleaner/types.js';
import type { SegmentedPartitionLog } from './partition-log.js';
import { StorageError, type LogStore, type PartitionLog, type TopicInfo } from './types.js';

/** A partition's log, or the offline stand-in of a damaged one. */
export type LogSlot = SegmentedPartitionLog | DamagedLog;

export function isDamaged(slot: LogSlot): slot is DamagedLog {
  return 'damage' in slot;
}

/** Kafka's limit on partitions per CreateTopics/CreatePartitions is far higher; ours guards memory and file handles. */
export const MAX_PARTITIONS_PER_TOPIC = 10_000;

export interface StoreSettings {
  defaults: LogConfig;
  log: Logger;
  clock: Clock;
}

export interface TopicState {
  info: TopicInfo;
  config: LogConfig;
  logs: LogSlot[];
}

/** Where a partition log lives and which settings it follows. */
export interface LogLocation {
  /** Directory name under the data dir (`<topic>-<n>` or `__samsa_<name>`). */
  dirName: string;
  topic: string;
  partition: number;
  config: () => LogConfig;
}

function copyInfo(info: TopicInfo): TopicInfo {
  return { name: info.name, id: info.id, partitions: info.partitions, configs: { ...info.configs } };
}

/** Topic bookkeeping shared by the memory and file stores; subclasses own logs' storage. */
export abstract class BaseLogStore implements LogStore {
  abstract readonly clusterId: string;
  abstract readonly repairs: readonly RepairReport[];
  protected readonly topics = new Map<string, TopicState>();
  private readonly creating = new Set<string>();
  private readonly internalLogs = new Map<string, Promise<SegmentedPartitionLog>>();
  protected closed = false;

  constructor(protected readonly settings: StoreSettings) {}

  /** Opens (creating when `fresh`, which also clears leftovers) the log at `location`; never damaged when fresh. */
  protected abstract openLog(location: LogLocation, fresh: boolean): Promise<LogSlot>;
  /** Removes what is left of a destroyed log's storage. */
  protected abstract removeLogStorage(dirName: string): Promise<void>;
  /** Persists every topic's metadata (id, partitions, configs). */
  protected abstract persistTopics(): Promise<void>;

  listTopics(): TopicInfo[] {
    return [...this.topics.values()].map((t) => copyInfo(t.info)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  topic(name: string): TopicInfo | undefined {
    const state = this.topics.get(name);
    return state === undefined ? undefined : copyInfo(state.info);
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    const slot = this.topics.get(topic)?.logs[partition];
    return slot === undefined || isDamaged(slot) ? undefined : slot;
  }

  partitionDamage(topic: string, partition: number): PartitionDamage | undefined {
    const slot = this.topics.get(topic)?.logs[partition];
    return slot !== undefined && isDamaged(slot) ? slot.damage : undefined;
  }

  damagedPartitions(): PartitionDamage[] {
    return [...this.topics.values()].flatMap((t) => t.logs.filter(isDamaged).map((slot) => slot.damage));
  }

  protected topicLocation(state: TopicState, partition: number): LogLocation {
    return { dirName: partitionDirName(state.info.name, partition), topic: state.info.name, partition, config: () => state.config };
  }

  async createTopic(name: string, partitions: number, configs: Record<string, string>): Promise<TopicInfo> {
    this.assertOpen();
    assertTopicName(name);
    if (this.topics.has(name) || this.creating.has(name)) throw new StorageError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${name}' already exists`);
    assertPartitionCount(partitions);
    validateTopicConfigs(configs);
    const info: TopicInfo = { name, id: newKafkaUuid(), partitions, configs: { ...configs } };
    const state: TopicState = { info, config: resolveLogConfig(this.settings.defaults, info.configs), logs: [] };
    this.creating.add(name);
    try {
      for (let p = 0; p < partitions; p++) state.logs.push(await this.openLog(this.topicLocation(state, p), true));
      this.topics.set(name, state);
      await this.persistTopics();
    } catch (err) {
      this.topics.delete(name);
      await Promise.allSettled(state.logs.map((log) => log.destroy()));
      await Promise.allSettled(Array.from({ length: partitions }, (_, p) => this.removeLogStorage(partitionDirName(name, p))));
      throw err;
    } finally {
      this.creating.delete(name);
    }
    return copyInfo(info);
  }

  async deleteTopic(name: string): Promise<void> {
    this.assertOpen();
    const state = this.requireTopic(name);
    // Forget the topic first: the metadata is the truth, and a leftover directory is cleared when
    // a topic of the same name is created again.
    this.topics.delete(name);
    await this.persistTopics();
    await Promise.all(state.logs.map((log) => log.destroy()));
    for (let p = 0; p < state.logs.length; p++) await this.removeLogStorage(partitionDirName(name, p));
  }

  async createPartitions(name: string, totalPartitions: number): Promise<void> {
    this.assertOpen();
    const state = this.requireTopic(name);
    assertPartitionCount(totalPartitions);
    if (totalPartitions <= state.info.partitions) {
      throw new StorageError(ErrorCode.INVALID_PARTITIONS, `topic '${name}' has ${state.info.partitions} partitions; the new count must be larger, got ${totalPartitions}`);
    }
    for (let p = state.logs.length; p < totalPartitions; p++) state.logs.push(await this.openLog(this.topicLocation(state, p), true));
    state.info.partitions = totalPartitions;
    await this.persistTopics();
  }

  async alterTopicConfigs(name: string, configs: Record<string, string | null>): Promise<void> {
    this.assertOpen();
    const state = this.requireTopic(name);
    validateTopicConfigs(configs);
    for (const [key, value] of Object.entries(configs)) {
      if (value === null) delete state.info.configs[key];
      else state.info.configs[key] = value;
    }
    state.config = resolveLogConfig(this.settings.defaults, state.info.configs);
    await this.persistTopics();
  }

  openInternalLog(name: string): Promise<PartitionLog> {
    this.assertOpen();
    assertInternalLogName(name);
    let opened = this.internalLogs.get(name);
    if (opened === undefined) {
      // Internal logs keep everything until their owner deletes records (no retention).
      const config: LogConfig = { ...this.settings.defaults, retentionMs: -1, retentionBytes: -1 };
      const dirName = internalLogDirName(name);
      opened = this.openLog({ dirName, topic: dirName, partition: 0, config: () => config }, false).then((slot) => {
        if (!isDamaged(slot)) return slot;
        const where = slot.damage.damaged.map((d) => `${d.file} at byte ${d.position}`).join(', ');
        throw new Error(`internal log ${dirName} is damaged below its recovery point (${where}): start with --repair to keep its valid records`);
      });
      this.internalLogs.set(name, opened);
      opened.catch(() => this.internalLogs.delete(name));
    }
    return opened;
  }

  compactedLogs(): CleanableLog[] {
    return [...this.topics.values()].filter((t) => t.config.compact === true).flatMap((t) => t.logs.filter((slot): slot is SegmentedPartitionLog => !isDamaged(slot)));
  }

  async enforceRetention(nowMs: number): Promise<number> {
    let deleted = 0;
    for (const state of [...this.topics.values()]) {
      for (const log of state.logs) deleted += await log.enforceRetention(nowMs);
    }
    return deleted;
  }

  /** Every log: topic partitions (damaged ones included) and internal logs. */
  protected async allLogs(): Promise<LogSlot[]> {
    return [...[...this.topics.values()].flatMap((t) => t.logs), ...(await this.openInternalLogs())];
  }

  /** The internal logs opened so far (their `topic` is their directory name). */
  protected async openInternalLogs(): Promise<SegmentedPartitionLog[]> {
    const logs: SegmentedPartitionLog[] = [];
    for (const opened of this.internalLogs.values()) {
      try {
        logs.push(await opened);
      } catch {
        // A log that failed to open has nothing to sync or close.
      }
    }
    return logs;
  }

  /** Syncs every log; the store's background flush and `close` use it. */
  async syncAll(): Promise<void> {
    await Promise.all((await this.allLogs()).map((log) => log.sync()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all((await this.allLogs()).map((log) => log.close()));
  }

  protected requireTopic(name: string): TopicState {
    const state = this.topics.get(name);
    if (state === undefined) throw new StorageError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${name}'`);
    return state;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the log store is closed');
  }
}

function assertPartitionCount(partitions: number): void {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS_PER_TOPIC) {
    throw new StorageError(ErrorCode.INVALID_PARTITIONS, `partition count must be an integer in [1, ${MAX_PARTITIONS_PER_TOPIC}], got ${partitions}`);
  }
}
