import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { DEFAULT_SEGMENT_MS, type LogConfig } from './log-config.js';
import { FileLogStore } from './file-store.js';
import { MemoryLogStore } from './memory-store.js';
import { DEFAULT_INDEX_INTERVAL_BYTES } from './segment-index.js';
import { DEFAULT_TAIL_CACHE_BYTES } from './tail-cache.js';
import type { LogStore } from './types.js';
import type { BufferRecycler } from '../common/buffer-recycler.js';

export * from './types.js';
export { topicNameProblem, MAX_TOPIC_NAME_LENGTH } from './names.js';
export { DELETE_TO_HIGH_WATERMARK } from './partition-log.js';
export { partitionDirs, repairPartition, verifyDataDir, type DataDirCheck, type PartitionCheck, type PartitionDir } from './offline-tools.js';
export { COMPACTION_DEFAULTS, LONG_MAX_TEXT, parseCleanupPolicy } from './log-config.js';
export * from './cleaner/index.js';

export interface LogStoreOptions {
  /** null: everything in memory. */
  dataDir: string | null;
  /** `log.segment.bytes` (topic `segment.bytes` overrides). */
  segmentBytes: number;
  /** `log.retention.ms`, -1 for no limit (topic `retention.ms` overrides). */
  retentionMs: number;
  /** `log.retention.bytes` per partition, -1 for no limit (topic `retention.bytes` overrides). */
  retentionBytes: number;
  flushPolicy: 'acks-all' | 'interval';
  /** Period of the background fdatasync of every log with unsynced data. */
  flushIntervalMs: number;
  log: Logger;
  clock: Clock;
  /** `log.roll.ms`: roll an active segment this old (topic `segment.ms` overrides). Default 7 days. */
  segmentMs?: number;
  /** `index.interval.bytes`: bytes of log between offset index entries. Default 4096. */
  indexIntervalBytes?: number;
  /** Memory for recently appended batches across all partitions (file stores). Default 64 MiB; 0 disables. */
  tailCacheBytes?: number;
  /** Check every segment (closed ones too) when opening a file store. Default false. */
  verifyOnOpen?: boolean;
  /** Repair damaged logs when opening a file store instead of leaving them offline. Default false. */
  repairOnOpen?: boolean;
  /** Broker defaults of the compaction settings (`log.cleaner.*`); topic configs override them. Default Kafka's. */
  compaction?: CompactionDefaults;
  /** The broker's recycler of Produce frames (file stores only: the tail cache takes holds on it). */
  recycler?: BufferRecycler;
}

export type CompactionDefaults = Partial<Pick<LogConfig, 'deleteRetentionMs' | 'minCompactionLagMs' | 'maxCompactionLagMs' | 'minCleanableDirtyRatio'>>;

/** Options with every default filled in. */
export type ResolvedLogStoreOptions = Required<Omit<LogStoreOptions, 'recycler'>> & Pick<LogStoreOptions, 'recycler'>;

export function resolveLogStoreOptions(options: LogStoreOptions): ResolvedLogStoreOptions {
  const resolved: ResolvedLogStoreOptions = {
    ...options,
    segmentMs: options.segmentMs ?? DEFAULT_SEGMENT_MS,
    indexIntervalBytes: options.indexIntervalBytes ?? DEFAULT_INDEX_INTERVAL_BYTES,
    tailCacheBytes: options.tailCacheBytes ?? DEFAULT_TAIL_CACHE_BYTES,
    verifyOnOpen: options.verifyOnOpen ?? false,
    repairOnOpen: options.repairOnOpen ?? false,
    compaction: options.compaction ?? {},
  };
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new RangeError(`invalid log store option: ${message}`);
  };
  check(Number.isSafeInteger(resolved.segmentBytes) && resolved.segmentBytes >= 14, `segmentBytes must be an integer >= 14, got ${resolved.segmentBytes}`);
  check(resolved.retentionMs >= -1, `retentionMs must be >= -1, got ${resolved.retentionMs}`);
  check(resolved.retentionBytes >= -1, `retentionBytes must be >= -1, got ${resolved.retentionBytes}`);
  check(resolved.flushIntervalMs > 0, `flushIntervalMs must be positive, got ${resolved.flushIntervalMs}`);
  check(resolved.segmentMs > 0, `segmentMs must be positive, got ${resolved.segmentMs}`);
  check(Number.isInteger(resolved.indexIntervalBytes) && resolved.indexIntervalBytes > 0, `indexIntervalBytes must be a positive integer`);
  check(resolved.tailCacheBytes >= 0, `tailCacheBytes must be >= 0`);
  return resolved;
}

/** Opens the store: in memory when `dataDir` is null, else the durable file store (recovering it). */
export async function openLogStore(options: LogStoreOptions): Promise<LogStore> {
  const o = resolveLogStoreOptions(options);
  const settings = {
    defaults: { segmentBytes: o.segmentBytes, segmentMs: o.segmentMs, retentionMs: o.retentionMs, retentionBytes: o.retentionBytes, ...o.compaction },
    log: o.log,
    clock: o.clock,
  };
  if (o.dataDir === null) return new MemoryLogStore(settings);
  return FileLogStore.open(o.dataDir, {
    ...settings,
    flushIntervalMs: o.flushIntervalMs,
    indexIntervalBytes: o.indexIntervalBytes,
    tailCacheBytes: o.tailCacheBytes,
    verifyOnOpen: o.verifyOnOpen,
    repairOnOpen: o.repairOnOpen,
    ...(o.recycler !== undefined ? { recycler: o.recycler } : {}),
  });
}
