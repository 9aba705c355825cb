import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DamagedLog } from './damaged-log.js';
import { releaseDataDirLock, takeDataDirLock } from './data-dir-lock.js';
import { writeFileDurably } from './file-io.js';
import { openFileLog } from './file-log.js';
import { loadProducerState } from './producer-state-files.js';
import { resolveLogConfig } from './log-config.js';
import { INTERNAL_LOG_PREFIX, newKafkaUuid, partitionDirName, topicNameProblem } from './names.js';
import {
  hasCleanShutdownMarker,
  readRecoveryPoints,
  removeCleanShutdownMarker,
  writeCleanShutdownMarker,
  writeRecoveryPoints,
} from './recovery-point.js';
import type { RepairReport } from './repair.js';
import { BaseLogStore, type LogLocation, type LogSlot, type StoreSettings, type TopicState } from './store-base.js';
import { TailCacheBudget } from './tail-cache.js';
import type { BufferRecycler } from '../common/buffer-recycler.js';
import type { TopicInfo } from './types.js';

const META_FILE = 'meta.json';
export const TOPICS_FILE = 'topics.json';
/** Partitions recovered at once at startup: overlaps disk reads with CRC checks. */
const RECOVERY_CONCURRENCY = 4;

/** Data dirs open in this process: a second store on the same dir would corrupt it. */
const openDataDirs = new Set<string>();

export interface FileStoreSettings extends StoreSettings {
  flushIntervalMs: number;
  indexIntervalBytes: number;
  tailCacheBytes: number;
  /** Where the broker assembles Produce frames: the tail cache holds what it keeps of them. */
  recycler?: BufferRecycler;
  /** Check every segment of every log at open, closed ones included (`--verify-on-start`). */
  verifyOnOpen: boolean;
  /** Repair damaged logs at open instead of leaving them offline (`--repair`). */
  repairOnOpen: boolean;
}

interface TopicsFile {
  version: 1;
  topics: TopicInfo[];
}

interface MetaFile {
  version: 1;
  clusterId: string;
}

/**
 * The durable store: `<dataDir>/<topic>-<partition>/` directories of segments, topic metadata in
 * `topics.json` and the cluster id in `meta.json` (both replaced atomically), one background
 * fdatasync every `flushIntervalMs`, after which the recovery points are checkpointed. A clean
 * close leaves a clean-shutdown marker, so the next open loads every log without scanning it.
 */
export class FileLogStore extends BaseLogStore {
  private topicsWrite: Promise<void> = Promise.resolve();
  private readonly tailCache: TailCacheBudget;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Recovery points by partition directory: as checkpointed, then as the logs move them. */
  private recoveryPoints = new Map<string, number>();
  /** The checkpoint's content when last written, to skip writes that change nothing. */
  private checkpointed = '';
  private checkpointWrite: Promise<void> = Promise.resolve();
  private cleanShutdown = false;
  readonly repairs: RepairReport[] = [];

  private constructor(
    private readonly dataDir: string,
    readonly clusterId: string,
    private readonly fileSettings: FileStoreSettings,
  ) {
    super(fileSettings);
    this.tailCache = new TailCacheBudget(fileSettings.tailCacheBytes, fileSettings.recycler ?? null);
  }

  static async open(dataDir: string, settings: FileStoreSettings): Promise<FileLogStore> {
    const dir = resolve(dataDir);
    if (openDataDirs.has(dir)) throw new Error(`data dir ${dir} is already open in this process`);
    await mkdir(dir, { recursive: true });
    await takeDataDirLock(dir);
    openDataDirs.add(dir);
    try {
      const store = new FileLogStore(dir, await loadOrCreateClusterId(dir), settings);
      store.recoveryPoints = await readRecoveryPoints(dir);
      store.checkpointed = JSON.stringify([...store.recoveryPoints]);
      store.cleanShutdown = await hasCleanShutdownMarker(dir);
      await store.loadTopics();
      // From here on appends may happen: a crash must not look like a clean shutdown. Internal
      // logs opened later still load as the shutdown left them (the flag is kept).
      await removeCleanShutdownMarker(dir);
      store.startFlushTimer();
      return store;
    } catch (err) {
      openDataDirs.delete(dir);
      await releaseDataDirLock(dir);
      throw err;
    }
  }

  /** Bytes held by the tail cache across all partitions (for tests and metrics). */
  get tailCacheBytes(): number {
    return this.tailCache.totalBytes;
  }

  protected async openLog(location: LogLocation, fresh: boolean): Promise<LogSlot> {
    const settings = {
      indexIntervalBytes: this.fileSettings.indexIntervalBytes,
      tailCache: this.tailCache,
      log: this.settings.log,
      nowMs: this.settings.clock.nowMs(),
      cleanShutdown: this.cleanShutdown && !fresh,
      verify: this.fileSettings.verifyOnOpen && !fresh,
      repair: this.fileSettings.repairOnOpen,
    };
    // A new log starts with nothing synced; an old entry (a deleted topic of the same name) goes.
    if (fresh) this.recoveryPoints.set(location.dirName, 0);
    const dir = join(this.dataDir, location.dirName);
    const opened = await openFileLog(dir, location, settings, fresh, fresh ? null : (this.recoveryPoints.get(location.dirName) ?? null));
    if ('damage' in opened) return new DamagedLog(opened.damage);
    if (opened.repaired !== null) this.repairs.push(opened.repaired);
    // Internal logs carry no producer ids; topic partitions get their producer state back.
    if (!location.dirName.startsWith(INTERNAL_LOG_PREFIX)) await loadProducerState(opened.log, dir, this.settings.log);
    return opened.log;
  }

  /**
   * Writes the recovery-point checkpoint when a point moved (Kafka writes it every
   * `log.flush.offset.checkpoint.interval.ms`; we do after each background flush). Writes run
   * one after another, each with the points current when it starts. Entries of logs that are not
   * open (a deleted topic) are dropped; those of damaged logs are kept as they were.
   */
  private checkpointRecoveryPoints(): Promise<void> {
    const write = this.checkpointWrite.then(async () => {
      const points = new Map<string, number>();
      for (const state of this.topics.values()) {
        state.logs.forEach((log, p) => points.set(partitionDirName(state.info.name, p), log.recoveryPoint));
      }
      for (const log of await this.openInternalLogs()) points.set(log.topic, log.recoveryPoint);
      for (const [dirName, offset] of this.recoveryPoints) {
        if (!points.has(dirName) && dirName.startsWith(INTERNAL_LOG_PREFIX)) points.set(dirName, offset);
      }
      this.recoveryPoints = points;
      const text = JSON.stringify([...points]);
      if (text === this.checkpointed) return;
      await writeRecoveryPoints(this.dataDir, points);
      this.checkpointed = text;
    });
    this.checkpointWrite = write.catch(() => {});
    return write;
  }

  protected async removeLogStorage(dirName: string): Promise<void> {
    await rm(join(this.dataDir, dirName), { recursive: true, force: true });
  }

  protected persistTopics(): Promise<void> {
    // Writes run one after another; each writes the state current when it starts. The recovery
    // points go first: a partition created or deleted changes them (a re-created topic must not
    // inherit its predecessor's).
    const write = this.topicsWrite.then(async () => {
      await this.checkpointRecoveryPoints();
      const file: TopicsFile = { version: 1, topics: this.listTopics() };
      return writeFileDurably(join(this.dataDir, TOPICS_FILE), JSON.stringify(file, null, 2) + '\n');
    });
    this.topicsWrite = write.catch(() => {});
    return write;
  }

  private async loadTopics(): Promise<void> {
    let file: TopicsFile;
    try {
      file = JSON.parse(await readFile(join(this.dataDir, TOPICS_FILE), 'utf8')) as TopicsFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error(`cannot read ${join(this.dataDir, TOPICS_FILE)}: ${(err as Error).message}`);
    }
    const states: TopicState[] = [];
    for (const info of file.topics) {
      if (topicNameProblem(info.name) !== null || !Number.isInteger(info.partitions) || info.partitions < 1) {
        throw new Error(`${TOPICS_FILE} holds an invalid topic entry: ${JSON.stringify(info)}`);
      }
      const state: TopicState = { info: { ...info, configs: { ...info.configs } }, config: resolveLogConfig(this.settings.defaults, info.configs), logs: [] };
      states.push(state);
    }
    const jobs = states.flatMap((state) => Array.from({ length: state.info.partitions }, (_, p) => ({ state, p })));
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const { state, p } = jobs[next++]!;
        state.logs[p] = await this.openLog(this.topicLocation(state, p), false);
      }
    };
    const startedMs = performance.now();
    await Promise.all(Array.from({ length: Math.min(RECOVERY_CONCURRENCY, jobs.length) }, worker));
    for (const state of states) this.topics.set(state.info.name, state);
    this.settings.log.info('log store opened', {
      dataDir: this.dataDir,
      topics: states.length,
      partitions: jobs.length,
      cleanShutdown: this.cleanShutdown,
      offlinePartitions: this.damagedPartitions().length,
      recoveryMs: Math.round(performance.now() - startedMs),
    });
    await this.warnAboutStrayDirectories();
  }

  private async warnAboutStrayDirectories(): Promise<void> {
    const expected = new Set([...this.topics.values()].flatMap((t) => t.logs.map((_, p) => partitionDirName(t.info.name, p))));
    for (const entry of await readdir(this.dataDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || expected.has(entry.name) || entry.name.startsWith(INTERNAL_LOG_PREFIX)) continue;
      this.settings.log.warn('ignoring a directory that belongs to no topic', { dataDir: this.dataDir, directory: entry.name });
    }
  }

  private startFlushTimer(): void {
    this.flushTimer = setInterval(() => {
      this.syncAll()
        .then(() => this.checkpointRecoveryPoints())
        .catch((err: unknown) => this.settings.log.error('background log flush failed', { error: String(err) }));
    }, this.fileSettings.flushIntervalMs);
    this.flushTimer.unref();
  }

  /**
   * Syncs and closes every log (saving active segments' indexes), checkpoints the recovery points
   * (now every log's end) and marks the shutdown clean, in that order: the marker is only there if
   * everything before it succeeded.
   */
  override async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushTimer !== null) clearInterval(this.flushTimer);
    let clean = true;
    try {
      await super.close();
      await this.topicsWrite;
      await this.checkpointRecoveryPoints();
    } catch (err) {
      clean = false;
      this.settings.log.error('closing the log store failed; the next start recovers as after a crash', { error: String(err) });
    }
    if (clean) await writeCleanShutdownMarker(this.dataDir);
    await releaseDataDirLock(this.dataDir);
    openDataDirs.delete(this.dataDir);
  }
}

async function loadOrCreateClusterId(dir: string): Promise<string> {
  const path = join(dir, META_FILE);
  try {
    const meta = JSON.parse(await readFile(path, 'utf8')) as MetaFile;
    if (typeof meta.clusterId === 'string' && meta.clusterId.length > 0) return meta.clusterId;
    throw new Error('no clusterId');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
  const meta: MetaFile = { version: 1, clusterId: newKafkaUuid() };
  await writeFileDurably(path, JSON.stringify(meta, null, 2) + '\n');
  return meta.clusterId;
}
