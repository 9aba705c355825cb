import { closeSync, fstatSync, openSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { LOG_EXTENSION, segmentPaths } from './file-segment.js';
import { parseSegmentFileName } from './names.js';
import { scanSegment, type DamagedRange, type ScanResult } from './recovery.js';

/** Base offsets of the segment files in a partition directory, oldest first. */
export async function segmentBases(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names.map((n) => parseSegmentFileName(n, LOG_EXTENSION)).filter((b): b is number => b !== null).sort((a, b) => a - b);
}

/**
 * The recovery point to check a log against. Without a checkpoint entry (a data dir written
 * before recovery points existed) it is the active segment's base: closed segments are trusted
 * and the active one may be truncated, which is how recovery worked before.
 */
export function effectiveRecoveryPoint(checkpointed: number | null, bases: readonly number[]): number {
  return checkpointed ?? (bases.length > 0 ? bases[bases.length - 1]! : 0);
}

/** Whether a segment may hold bytes past the recovery point: those may be torn by a crash. */
export function reachesPastRecoveryPoint(nextBase: number | null, recoveryPoint: number): boolean {
  return nextBase === null || nextBase > recoveryPoint;
}

/**
 * A bad batch is damage when it held offsets below the recovery point (they had been synced), and
 * a torn write otherwise. A segment that ends at or below the recovery point is wholly synced.
 */
export function isDamage(nextBase: number | null, recoveryPoint: number, firstOffset: number): boolean {
  return !reachesPastRecoveryPoint(nextBase, recoveryPoint) || firstOffset < recoveryPoint;
}

export interface SegmentFileScan {
  baseOffset: number;
  nextBase: number | null;
  /** The segment file's name and size. */
  file: string;
  fileBytes: number;
  scan: ScanResult;
}

/**
 * Scans one segment file, mapping every damaged range (`mapAll`, for verify and repair) or
 * stopping at a torn tail past the recovery point (start-up).
 */
export async function scanSegmentFile(dir: string, baseOffset: number, nextBase: number | null, recoveryPoint: number, indexIntervalBytes: number, mapAll: boolean): Promise<SegmentFileScan> {
  const path = segmentPaths(dir, baseOffset).log;
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    const scan = await scanSegment(fd, fileBytes, {
      baseOffset,
      nextBase,
      indexIntervalBytes,
      isDamage: (firstOffset) => mapAll || isDamage(nextBase, recoveryPoint, firstOffset),
    });
    return { baseOffset, nextBase, file: basename(path), fileBytes, scan };
  } finally {
    closeSync(fd);
  }
}

/** A damaged range's last offset when no valid batch follows it in its segment. */
export function lastOffsetOf(range: DamagedRange, nextBase: number | null, logEndFloor: number): number {
  if (range.lastOffset !== null) return range.lastOffset;
  return nextBase !== null ? nextBase - 1 : Math.max(logEndFloor, range.firstOffset + 1) - 1;
}

/** Removes a segment's files (log and indexes). */
export async function removeSegmentFiles(dir: string, baseOffset: number): Promise<void> {
  const paths = segmentPaths(dir, baseOffset);
  await Promise.all([paths.log, paths.offsetIndex, paths.timeIndex].map((p) => rm(p, { force: true })));
}
