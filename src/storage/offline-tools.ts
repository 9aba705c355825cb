import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DamagedBytes } from './damage.js';
import { releaseDataDirLock, takeDataDirLock } from './data-dir-lock.js';
import { LOG_START_FILE } from './file-log.js';
import { TOPICS_FILE } from './file-store.js';
import { INTERNAL_LOG_PREFIX, partitionDirName } from './names.js';
import { CLEAN_SHUTDOWN_FILE, hasCleanShutdownMarker, readRecoveryPoints } from './recovery-point.js';
import { repairPartitionDir, type RepairReport } from './repair.js';
import { DEFAULT_INDEX_INTERVAL_BYTES } from './segment-index.js';
import { effectiveRecoveryPoint, isDamage, lastOffsetOf, scanSegmentFile, segmentBases } from './segment-files.js';

/** A partition (or internal log) directory of a data dir. */
export interface PartitionDir {
  dirName: string;
  /** The topic and partition, or null for an internal log. */
  topic: string | null;
  partition: number | null;
}

export interface PartitionCheck extends PartitionDir {
  /** `damaged`: bytes below the recovery point hold no valid batch (the broker keeps it offline). `torn-tail`: bytes past it do (a start-up truncates them). */
  status: 'ok' | 'torn-tail' | 'damaged';
  segments: number;
  bytes: number;
  batches: number;
  logStartOffset: number;
  logEndOffset: number;
  /** From the checkpoint; null when none was recorded. */
  recoveryPoint: number | null;
  damaged: DamagedBytes[];
  tornTail: { file: string; position: number; bytes: number; firstOffset: number } | null;
}

export interface DataDirCheck {
  dataDir: string;
  /** The last shutdown was clean (the next start will not scan the active segments). */
  cleanShutdown: boolean;
  partitions: PartitionCheck[];
}

/** Every partition directory the data dir's topics.json names, then the internal logs. */
export async function partitionDirs(dataDir: string): Promise<PartitionDir[]> {
  let topics: Array<{ name: string; partitions: number }> = [];
  try {
    topics = (JSON.parse(await readFile(join(dataDir, TOPICS_FILE), 'utf8')) as { topics: typeof topics }).topics;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${join(dataDir, TOPICS_FILE)}: ${(err as Error).message}`);
  }
  const dirs: PartitionDir[] = [];
  for (const t of [...topics].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    for (let p = 0; p < t.partitions; p++) dirs.push({ dirName: partitionDirName(t.name, p), topic: t.name, partition: p });
  }
  const entries = await readdir(dataDir, { withFileTypes: true });
  for (const e of entries.filter((e) => e.isDirectory() && e.name.startsWith(INTERNAL_LOG_PREFIX)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    dirs.push({ dirName: e.name, topic: null, partition: null });
  }
  return dirs;
}

async function withLock<T>(dataDir: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = resolve(dataDir);
  await stat(dir);
  await takeDataDirLock(dir);
  try {
    return await fn(dir);
  } finally {
    await releaseDataDirLock(dir);
  }
}

/**
 * Checks every segment of every partition of a data dir while no broker runs (it takes the data
 * dir's lock): lengths, offsets and CRCs, each bad range judged against the partition's recovery
 * point as a start-up would. Reads only; changes nothing.
 */
export function verifyDataDir(dataDir: string, indexIntervalBytes = DEFAULT_INDEX_INTERVAL_BYTES): Promise<DataDirCheck> {
  return withLock(dataDir, async (dir) => {
    const points = await readRecoveryPoints(dir);
    const partitions: PartitionCheck[] = [];
    for (const p of await partitionDirs(dir)) partitions.push(await verifyPartitionDir(join(dir, p.dirName), p, points.get(p.dirName) ?? null, indexIntervalBytes));
    return { dataDir: dir, cleanShutdown: await hasCleanShutdownMarker(dir), partitions };
  });
}

async function verifyPartitionDir(dir: string, where: PartitionDir, checkpointed: number | null, indexIntervalBytes: number): Promise<PartitionCheck> {
  const check: PartitionCheck = { ...where, status: 'ok', segments: 0, bytes: 0, batches: 0, logStartOffset: 0, logEndOffset: 0, recoveryPoint: checkpointed, damaged: [], tornTail: null };
  let bases: number[];
  try {
    bases = await segmentBases(dir);
  } catch {
    check.status = 'damaged';
    check.damaged.push({ file: '', position: 0, bytes: 0, firstOffset: 0, lastOffset: Math.max(0, (checkpointed ?? 1) - 1), reason: 'the partition directory is missing' });
    return check;
  }
  const recoveryPoint = effectiveRecoveryPoint(checkpointed, bases);
  check.segments = bases.length;
  check.logStartOffset = Math.max(bases[0] ?? 0, await readLogStart(dir));
  let logEnd = bases[0] ?? 0;
  for (let i = 0; i < bases.length && check.tornTail === null; i++) {
    const nextBase = bases[i + 1] ?? null;
    const { file, fileBytes, scan } = await scanSegmentFile(dir, bases[i]!, nextBase, recoveryPoint, indexIntervalBytes, true);
    check.bytes += fileBytes;
    check.batches += scan.batches;
    logEnd = nextBase ?? scan.lastValidNextOffset;
    for (const range of scan.damaged) {
      if (isDamage(nextBase, recoveryPoint, range.firstOffset)) {
        check.damaged.push({ file, position: range.position, bytes: range.bytes, firstOffset: range.firstOffset, lastOffset: lastOffsetOf(range, nextBase, recoveryPoint), reason: range.reason });
      } else {
        check.tornTail = { file, position: range.position, bytes: fileBytes - range.position, firstOffset: range.firstOffset };
        logEnd = range.firstOffset;
        break;
      }
    }
  }
  const coveredEnd = check.damaged.reduce((end, d) => Math.max(end, d.lastOffset + 1), logEnd);
  if (checkpointed !== null && check.tornTail === null && coveredEnd < checkpointed) {
    check.damaged.push({ file: '', position: 0, bytes: 0, firstOffset: coveredEnd, lastOffset: checkpointed - 1, reason: `the log ends at offset ${coveredEnd}, below its recovery point ${checkpointed}: synced data is missing` });
  }
  check.logEndOffset = Math.max(logEnd, check.damaged.reduce((end, d) => Math.max(end, d.lastOffset + 1), 0));
  check.status = check.damaged.length > 0 ? 'damaged' : check.tornTail !== null ? 'torn-tail' : 'ok';
  return check;
}

async function readLogStart(dir: string): Promise<number> {
  try {
    const n = Number((await readFile(join(dir, LOG_START_FILE), 'utf8')).trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}

/**
 * Repairs one partition while no broker runs (see repairPartitionDir). The clean-shutdown marker
 * goes too, so the next start checks what it loads after the change.
 */
export function repairPartition(dataDir: string, dirName: string, indexIntervalBytes = DEFAULT_INDEX_INTERVAL_BYTES): Promise<RepairReport> {
  return withLock(dataDir, async (dir) => {
    const found = (await partitionDirs(dir)).find((p) => p.dirName === dirName);
    if (found === undefined) throw new Error(`${dirName} is not a partition of the data dir ${dir}`);
    const points = await readRecoveryPoints(dir);
    const where = { topic: found.topic ?? dirName, partition: found.partition ?? 0, dirName };
    const report = await repairPartitionDir(join(dir, dirName), where, points.get(dirName) ?? null, indexIntervalBytes);
    await rm(join(dir, CLEAN_SHUTDOWN_FILE), { force: true });
    return report;
  });
}
