import { closeSync, fstatSync, openSync } from 'node:fs';
import { readFile, truncate } from 'node:fs/promises';
import type { Logger } from '../common/logger.js';
import type { DamagedBytes } from './damage.js';
import { FileSegment, segmentPaths } from './file-segment.js';
import { nextOffsetAfterIndex, scanSegment } from './recovery.js';
import { isDamage, lastOffsetOf, reachesPastRecoveryPoint, removeSegmentFiles } from './segment-files.js';
import { SegmentIndex } from './segment-index.js';

export interface LoadOptions {
  dir: string;
  /** `<topic>-<partition>`, for log lines. */
  name: string;
  bases: readonly number[];
  /** The checkpointed recovery point, or null when none is known. */
  recoveryPoint: number | null;
  /** The effective recovery point (see effectiveRecoveryPoint). */
  checkPoint: number;
  /** The store was closed cleanly: segments are trusted, the active one included. */
  cleanShutdown: boolean;
  /** Check every segment (verify-on-start, or a partition already found damaged). */
  verify: boolean;
  indexIntervalBytes: number;
  log: Logger;
}

export type LoadResult = { segments: FileSegment[] } | { damaged: DamagedBytes[] };

/**
 * Opens a partition's segments as Kafka's log loading does. After a clean shutdown every segment
 * comes back from its index files (the active one too, with a short header walk to find its end).
 * After a crash, segments that may hold bytes past the recovery point are scanned (length,
 * offsets, CRC): a bad batch past the recovery point starts a torn tail, truncated with every
 * later segment; one below it is damage, reported without changing a byte. Segments wholly below
 * the recovery point load from their index files, and are scanned only when those are unusable
 * (or when verifying).
 */
export async function loadSegments(o: LoadOptions): Promise<LoadResult> {
  const segments: FileSegment[] = [];
  try {
    for (let i = 0; i < o.bases.length; i++) {
      const baseOffset = o.bases[i]!;
      const nextBase = o.bases[i + 1] ?? null;
      const loaded = await loadSegment(o, baseOffset, nextBase);
      if ('damaged' in loaded) {
        await Promise.all(segments.map((s) => s.close()));
        return loaded;
      }
      segments.push(loaded.segment);
      if (loaded.truncated) {
        // Later segments lie past the torn bytes: nothing in them was synced (Kafka deletes them too).
        const later = o.bases.slice(i + 1);
        for (const base of later) await removeSegmentFiles(o.dir, base);
        if (later.length > 0) o.log.warn('deleting segments after a torn log tail', { partition: o.name, segments: later });
        break;
      }
    }
  } catch (err) {
    await Promise.all(segments.map((s) => s.close()));
    throw err;
  }
  const last = segments[segments.length - 1]!;
  if (o.recoveryPoint !== null && last.nextOffset < o.recoveryPoint) {
    const file = segmentPaths(o.dir, last.baseOffset).log.split('/').pop()!;
    await Promise.all(segments.map((s) => s.close()));
    const reason = `the log ends at offset ${last.nextOffset}, below its recovery point ${o.recoveryPoint}: synced data is missing`;
    return { damaged: [{ file, position: last.sizeBytes, bytes: 0, firstOffset: last.nextOffset, lastOffset: o.recoveryPoint - 1, reason }] };
  }
  return { segments };
}

type SegmentLoad = { segment: FileSegment; truncated: boolean } | { damaged: DamagedBytes[] };

async function loadSegment(o: LoadOptions, baseOffset: number, nextBase: number | null): Promise<SegmentLoad> {
  const paths = segmentPaths(o.dir, baseOffset);
  const isActive = nextBase === null;
  const fd = openSync(paths.log, 'r+');
  try {
    const stat = fstatSync(fd);
    const init = { dir: o.dir, baseOffset, fd, lastModifiedMs: stat.mtimeMs };
    const pastRecoveryPoint = reachesPastRecoveryPoint(nextBase, o.checkPoint);
    if (!o.verify && (o.cleanShutdown || !pastRecoveryPoint)) {
      const index = await loadIndex(paths, baseOffset, o.indexIntervalBytes, stat.size);
      if (index !== null && !isActive) {
        return { segment: new FileSegment({ ...init, sizeBytes: stat.size, nextOffset: nextBase, index, sealed: true }), truncated: false };
      }
      const nextOffset = index === null ? null : await nextOffsetAfterIndex(fd, stat.size, index);
      if (index !== null && nextOffset !== null) {
        return { segment: new FileSegment({ ...init, sizeBytes: stat.size, nextOffset, index, sealed: false }), truncated: false };
      }
    }
    const scan = await scanSegment(fd, stat.size, {
      baseOffset,
      nextBase,
      indexIntervalBytes: o.indexIntervalBytes,
      isDamage: (firstOffset) => isDamage(nextBase, o.checkPoint, firstOffset),
    });
    if (scan.damaged.length > 0) {
      closeSync(fd);
      const file = paths.log.split('/').pop()!;
      return {
        damaged: scan.damaged.map((r) => ({ file, position: r.position, bytes: r.bytes, firstOffset: r.firstOffset, lastOffset: lastOffsetOf(r, nextBase, o.checkPoint), reason: r.reason })),
      };
    }
    const truncated = scan.problem !== null;
    if (truncated) {
      o.log.warn('truncating a torn log tail past the recovery point', {
        partition: o.name,
        segment: baseOffset,
        offset: scan.nextOffset,
        position: scan.validBytes,
        droppedBytes: stat.size - scan.validBytes,
        recoveryPoint: o.checkPoint,
        reason: scan.problem!.reason,
      });
      await truncate(paths.log, scan.validBytes);
    }
    const becomesActive = isActive || truncated;
    const segment = new FileSegment({
      ...init,
      sizeBytes: scan.validBytes,
      nextOffset: becomesActive ? scan.nextOffset : nextBase,
      index: scan.index,
      sealed: false,
      // Bytes past the recovery point may not be on disk yet: the next sync covers them.
      unsynced: pastRecoveryPoint,
    });
    // A closed segment whose index files were unusable gets them written again.
    if (!becomesActive) segment.seal();
    return { segment, truncated };
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
