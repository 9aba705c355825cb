import { closeSync, fstatSync, openSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import { FileCleanedSegments, recoverCleanerSwap } from './cleaner/file-cleaned-segments.js';
import { writeFileDurably } from './file-io.js';
import { FileSegment, LOG_EXTENSION, OFFSET_INDEX_EXTENSION, segmentPaths, TIME_INDEX_EXTENSION } from './file-segment.js';
import { parseSegmentFileName } from './names.js';
import { SegmentedPartitionLog } from './partition-log.js';
import { scanSegment } from './recovery.js';
import { SegmentIndex } from './segment-index.js';
import type { LogLocation } from './store-base.js';
import type { TailCacheBudget } from './tail-cache.js';

/** Holds a log start offset that lies inside the first segment (DeleteRecords), like Kafka's log-start-offset checkpoint. */
const LOG_START_FILE = 'log-start-offset';

export interface FileLogSettings {
  indexIntervalBytes: number;
  tailCache: TailCacheBudget;
  log: Logger;
  nowMs: number;
}

/**
 * Opens the partition log in `dir`: closed segments come back from their index files (rebuilt by a
 * scan if those are missing or inconsistent), the active segment is scanned and a torn or corrupt
 * tail is truncated. With `fresh`, any leftover directory (from a deleted topic) is cleared first.
 */
export async function openFileLog(dir: string, location: LogLocation, settings: FileLogSettings, fresh: boolean): Promise<SegmentedPartitionLog> {
  if (fresh) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await recoverCleanerSwap(dir, settings.log);
  const names = await readdir(dir);
  const bases = names.map((n) => parseSegmentFileName(n, LOG_EXTENSION)).filter((b): b is number => b !== null).sort((a, b) => a - b);
  await removeLeftovers(dir, names, new Set(bases));
  const logStartOffset = await readLogStart(dir);
  const segments: FileSegment[] = [];
  if (bases.length === 0) {
    segments.push(FileSegment.create(dir, Math.max(0, logStartOffset), settings.indexIntervalBytes, settings.nowMs));
  }
  for (let i = 0; i < bases.length; i++) {
    const isActive = i === bases.length - 1;
    segments.push(await openSegment(dir, location, bases[i]!, bases[i + 1] ?? null, isActive, settings));
  }
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

async function openSegment(dir: string, location: LogLocation, baseOffset: number, nextBase: number | null, isActive: boolean, settings: FileLogSettings): Promise<FileSegment> {
  const paths = segmentPaths(dir, baseOffset);
  const fd = openSync(paths.log, isActive ? 'r+' : 'r');
  try {
    const stat = fstatSync(fd);
    const init = { dir, baseOffset, fd, lastModifiedMs: stat.mtimeMs };
    if (!isActive && nextBase !== null) {
      const index = await loadIndex(paths, baseOffset, settings.indexIntervalBytes, stat.size);
      if (index !== null) return new FileSegment({ ...init, sizeBytes: stat.size, nextOffset: nextBase, index, sealed: true });
    }
    const scan = await scanSegment(fd, stat.size, baseOffset, settings.indexIntervalBytes);
    if (scan.problem !== null) {
      settings.log.warn('truncating a torn or corrupt log tail', {
        partition: `${location.topic}-${location.partition}`,
        segment: baseOffset,
        offset: scan.nextOffset,
        position: scan.validBytes,
        droppedBytes: stat.size - scan.validBytes,
        reason: scan.problem,
      });
      await truncate(paths.log, scan.validBytes);
    }
    const segment = new FileSegment({ ...init, sizeBytes: scan.validBytes, nextOffset: scan.nextOffset, index: scan.index, sealed: false });
    // A closed segment whose index files were unusable gets them written again.
    if (!isActive) segment.seal();
    return segment;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

async function loadIndex(paths: { offsetIndex: string; timeIndex: string }, baseOffset: number, intervalBytes: number, logBytes: number): Promise<SegmentIndex | null> {
  try {
    const [offsetIndex, timeIndex] = await Promise.all([readFile(paths.offsetIndex), readFile(paths.timeIndex)]);
    return SegmentIndex.deserialize(baseOffset, intervalBytes, logBytes, offsetIndex, timeIndex);
  } catch {
    return null;
  }
}
