import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileDurably } from './file-io.js';
import { openFileLog } from './file-log.js';
import { loadProducerState } from './producer-state-files.js';
import { resolveLogConfig } from './log-config.js';
import { INTERNAL_LOG_PREFIX, newKafkaUuid, partitionDirName, topicNameProblem } from './names.js';
import type { SegmentedPartitionLog } from './partition-log.js';
import { BaseLogStore, type LogLocation, type StoreSettings, type TopicState } from './store-base.js';
import { TailCacheBudget } from './tail-cache.js';
import type { TopicInfo } from './types.js';

const META_FILE = 'meta.json';
const TOPICS_FILE = 'topics.json';
const LOCK_FILE = '.lock';
/** Partitions recovered at once at startup: overlaps disk reads with CRC checks. */
const RECOVERY_CONCURRENCY = 4;

/** Data dirs open in this process: a second store on the same dir would corrupt it. */
const openDataDirs = new Set<string>();

export interface FileStoreSettings extends StoreSettings {
  flushIntervalMs: number;
  indexIntervalBytes: number;
  tailCacheBytes: number;
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
 * fdatasync every `flushIntervalMs`.
 */
export class FileLogStore extends BaseLogStore {
  private topicsWrite: Promise<void> = Promise.resolve();
  private readonly tailCache: TailCacheBudget;
  private flushTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly dataDir: string,
    readonly clusterId: string,
    private readonly fileSettings: FileStoreSettings,
  ) {
    super(fileSettings);
    this.tailCache = new TailCacheBudget(fileSettings.tailCacheBytes);
  }

  static async open(dataDir: string, settings: FileStoreSettings): Promise<FileLogStore> {
    const dir = resolve(dataDir);
    if (openDataDirs.has(dir)) throw new Error(`data dir ${dir} is already open in this process`);
    await mkdir(dir, { recursive: true });
    await takeLock(dir);
    openDataDirs.add(dir);
    try {
      const store = new FileLogStore(dir, await loadOrCreateClusterId(dir), settings);
      await store.loadTopics();
      store.startFlushTimer();
      return store;
    } catch (err) {
      openDataDirs.delete(dir);
      await rm(join(dir, LOCK_FILE), { force: true });
      throw err;
    }
  }

  /** Bytes held by the tail cache across all partitions (for tests and metrics). */
  get tailCacheBytes(): number {
    return this.tailCache.totalBytes;
  }

  protected async openLog(location: LogLocation, fresh: boolean): Promise<SegmentedPartitionLog> {
    const dir = join(this.dataDir, location.dirName);
    const log = await openFileLog(dir, location, {
      indexIntervalBytes: this.fileSettings.indexIntervalBytes,
      tailCache: this.tailCache,
      log: this.settings.log,
      nowMs: this.settings.clock.nowMs(),
    }, fresh);
    // Internal logs carry no producer ids; topic partitions get their producer state back.
    if (!location.dirName.startsWith(INTERNAL_LOG_PREFIX)) await loadProducerState(log, dir, this.settings.log);
    return log;
  }

  protected async removeLogStorage(dirName: string): Promise<void> {
    await rm(join(this.dataDir, dirName), { recursive: true, force: true });
  }

  protected persistTopics(): Promise<void> {
    // Writes run one after another; each writes the state current when it starts.
    const write = this.topicsWrite.then(() => {
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
    this.settings.log.info('log store opened', { dataDir: this.dataDir, topics: states.length, partitions: jobs.length, recoveryMs: Math.round(performance.now() - startedMs) });
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
      this.syncAll().catch((err: unknown) => this.settings.log.error('background log flush failed', { error: String(err) }));
    }, this.fileSettings.flushIntervalMs);
    this.flushTimer.unref();
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushTimer !== null) clearInterval(this.flushTimer);
    await super.close();
    await this.topicsWrite;
    await rm(join(this.dataDir, LOCK_FILE), { force: true });
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

/** A lock file naming our pid; a lock left by a process that no longer runs is taken over. */
async function takeLock(dir: string): Promise<void> {
  const path = join(dir, LOCK_FILE);
  try {
    await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processIsAlive(holder)) {
    throw new Error(`data dir ${dir} is in use by process ${holder} (remove ${path} if that is wrong)`);
  }
  await writeFile(path, `${process.pid}\n`);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
