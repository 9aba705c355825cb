import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import { offsetRange, readDamageMarker, removeDamageMarker, writeDamageMarker, type PartitionDamage } from './damage.js';
import { FileCleanedSegments, recoverCleanerSwap } from './cleaner/file-cleaned-segments.js';
import { writeFileDurably } from './file-io.js';
import { FileSegment, LOG_EXTENSION, OFFSET_INDEX_EXTENSION, TIME_INDEX_EXTENSION } from './file-segment.js';
import { parseSegmentFileName } from './names.js';
import { SegmentedPartitionLog } from './partition-log.js';
import { repairPartitionDir, type RepairReport } from './repair.js';
import { effectiveRecoveryPoint } from './segment-files.js';
import { loadSegments } from './segment-loader.js';
import type { LogLocation } from './store-base.js';
import type { TailCacheBudget } from './tail-cache.js';

/** Holds a log start offset that lies inside the first segment (DeleteRecords), like Kafka's log-start-offset checkpoint. */
export const LOG_START_FILE = 'log-start-offset';

export interface FileLogSettings {
  indexIntervalBytes: number;
  tailCache: TailCacheBudget;
  log: Logger;
  nowMs: number;
  /** The store was closed cleanly last time: logs load from their saved indexes, unscanned. */
  cleanShutdown: boolean;
  /** Check every segment of every log (`--verify-on-start`). */
  verify: boolean;
  /** Repair a damaged log instead of leaving it offline (`--repair`). */
  repair: boolean;
}

export type OpenedFileLog =
  | { log: SegmentedPartitionLog; repaired: RepairReport | null }
  /** Damage below the recovery point: the log is not opened and nothing was changed. */
  | { damage: PartitionDamage };

/**
 * Opens the partition log in `dir` (see loadSegments for what is checked and when). With `fresh`,
 * any leftover directory (from a deleted topic) is cleared first. Damage below the recovery point
 * leaves every file as it is: the partition stays offline until repaired, and a `damaged.json`
 * makes later start-ups check all of it again.
 */
export async function openFileLog(dir: string, location: LogLocation, settings: FileLogSettings, fresh: boolean, recoveryPoint: number | null): Promise<OpenedFileLog> {
  if (fresh) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await recoverCleanerSwap(dir, settings.log);
  const names = await readdir(dir);
  const bases = names.map((n) => parseSegmentFileName(n, LOG_EXTENSION)).filter((b): b is number => b !== null).sort((a, b) => a - b);
  await removeLeftovers(dir, names, new Set(bases));
  const logStartOffset = await readLogStart(dir);
  const name = `${location.topic}-${location.partition}`;
  if (bases.length === 0) {
    const segment = FileSegment.create(dir, Math.max(0, logStartOffset, recoveryPoint ?? 0), settings.indexIntervalBytes, settings.nowMs);
    return { log: partitionLog(dir, location, settings, [segment], logStartOffset, null), repaired: null };
  }
  const known = fresh ? null : await readDamageMarker(dir);
  const loaded = await loadSegments({
    dir,
    name,
    bases,
    recoveryPoint,
    checkPoint: effectiveRecoveryPoint(recoveryPoint, bases),
    cleanShutdown: settings.cleanShutdown,
    verify: settings.verify || known !== null,
    indexIntervalBytes: settings.indexIntervalBytes,
    log: settings.log,
  });
  if ('damaged' in loaded) {
    const damage: PartitionDamage = { topic: location.topic, partition: location.partition, dirName: location.dirName, recoveryPoint: effectiveRecoveryPoint(recoveryPoint, bases), damaged: loaded.damaged };
    for (const d of damage.damaged) {
      settings.log.error('partition offline: damaged log below its recovery point', {
        partition: name,
        file: join(dir, d.file),
        position: d.position,
        bytes: d.bytes,
        offsets: offsetRange(d.firstOffset, d.lastOffset),
        recoveryPoint: damage.recoveryPoint,
        reason: d.reason,
        repair: location.dirName === name ? `samsa storage repair --topic ${location.topic} --partition ${location.partition} (broker stopped), or samsa start --repair` : 'samsa start --repair',
      });
    }
    if (!settings.repair) {
      await writeDamageMarker(dir, damage);
      return { damage };
    }
    const repaired = await repairPartitionDir(dir, { topic: location.topic, partition: location.partition, dirName: location.dirName }, recoveryPoint, settings.indexIntervalBytes);
    settings.log.warn('partition repaired', { partition: name, lost: repaired.lost.map((l) => offsetRange(l.firstOffset, l.lastOffset)), movedTo: repaired.lost.map((l) => l.movedTo), logEndOffset: repaired.logEndOffset });
    const reopened = await openFileLog(dir, location, { ...settings, repair: false }, false, Math.max(recoveryPoint ?? 0, repaired.logEndOffset));
    return 'damage' in reopened ? reopened : { log: reopened.log, repaired };
  }
  if (known !== null) await removeDamageMarker(dir);
  // After a crash, what was recovered past the recovery point is synced by the next flush.
  const durable = settings.cleanShutdown ? null : effectiveRecoveryPoint(recoveryPoint, bases);
  return { log: partitionLog(dir, location, settings, loaded.segments, logStartOffset, durable), repaired: null };
}

function partitionLog(dir: string, location: LogLocation, settings: FileLogSettings, segments: FileSegment[], logStartOffset: number, recoveryPoint: number | null): SegmentedPartitionLog {
  return new SegmentedPartitionLog({
    topic: location.topic,
    partition: location.partition,
    segments,
    logStartOffset,
    backend: {
      createSegment: (baseOffset, nowMs) => FileSegment.create(dir, baseOffset, settings.indexIntervalBytes, nowMs),
      persistLogStartOffset: (offset) => writeFileDurably(join(dir, LOG_START_FILE), `${offset}\n`),
      cleaned: new FileCleanedSegments(dir, settings.indexIntervalBytes, settings.log),
    },
    config: location.config,
    tail: settings.tailCache.createCache(),
    nowMs: settings.nowMs,
    ...(recoveryPoint !== null ? { recoveryPoint } : {}),
  });
}

/** Temporary files of an interrupted write, and indexes whose segment was deleted. */
async function removeLeftovers(dir: string, names: string[], bases: Set<number>): Promise<void> {
  for (const name of names) {
    const indexBase = parseSegmentFileName(name, OFFSET_INDEX_EXTENSION) ?? parseSegmentFileName(name, TIME_INDEX_EXTENSION);
    if (name.endsWith('.tmp') || (indexBase !== null && !bases.has(indexBase))) await rm(join(dir, name), { force: true });
  }
}

async function readLogStart(dir: string): Promise<number> {
  try {
    const n = Number((await readFile(join(dir, LOG_START_FILE), 'utf8')).trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}
