import { closeSync, openSync } from 'node:fs';
import { open, rename, rm, truncate } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readAt, syncDir, writeFileDurably } from './file-io.js';
import { removeDamageMarker } from './damage.js';
import { FileSegment, segmentPaths } from './file-segment.js';
import { segmentFileStem } from './names.js';
import type { DamagedRange } from './recovery.js';
import { effectiveRecoveryPoint, isDamage, lastOffsetOf, removeSegmentFiles, scanSegmentFile, segmentBases, type SegmentFileScan } from './segment-files.js';

const COPY_CHUNK_BYTES = 8 * 1024 * 1024;

/** Offsets a repair gave up, and where their bytes went. */
export interface LostRange {
  /** The segment file the bytes were in, and where. */
  file: string;
  position: number;
  bytes: number;
  firstOffset: number;
  lastOffset: number;
  /** The file (in the partition directory) now holding the damaged bytes; null when the bytes were missing altogether. */
  movedTo: string | null;
  reason: string;
}

export interface RepairReport {
  /** The partition (an internal log's topic is its directory name, partition 0). */
  topic: string;
  partition: number;
  /** The partition directory's name (`<topic>-<partition>`, or an internal log's). */
  dirName: string;
  recoveryPoint: number;
  /** Ranges of offsets lost, oldest first. Empty when there was nothing to repair. */
  lost: LostRange[];
  /** A torn tail past the recovery point that was truncated (never acknowledged as synced). */
  tornTail: { file: string; position: number; bytes: number; firstOffset: number } | null;
  /** The log end after the repair: never below what it was, so offsets are not handed out twice. */
  logEndOffset: number;
}

/**
 * Repairs a partition directory while no broker has it open. Every valid batch stays where it is;
 * each damaged range below the recovery point is copied to its own file named after it (segment,
 * byte range, offsets) and removed from the segment, leaving a gap of offsets, as compaction does.
 * A torn tail past the recovery point is truncated, as a start-up would. If the damage reached the
 * end of the log, a new empty segment starts at the old log end, so the lost offsets stay lost
 * and new records get new ones.
 *
 * Crash-safe by order: the damaged bytes are saved (synced) before a segment is replaced (a
 * synced temporary file renamed over it); the empty segment comes last. Running it again after
 * an interruption finishes the job.
 */
export async function repairPartitionDir(
  dir: string,
  where: { topic: string; partition: number; dirName: string },
  checkpointed: number | null,
  indexIntervalBytes: number,
): Promise<RepairReport> {
  const bases = await segmentBases(dir);
  const recoveryPoint = effectiveRecoveryPoint(checkpointed, bases);
  const report: RepairReport = { ...where, recoveryPoint, lost: [], tornTail: null, logEndOffset: 0 };
  let logEnd = bases[0] ?? 0;
  for (let i = 0; i < bases.length; i++) {
    const nextBase = bases[i + 1] ?? null;
    const checked = await scanSegmentFile(dir, bases[i]!, nextBase, recoveryPoint, indexIntervalBytes, true);
    const ranges = checked.scan.damaged;
    const damage = ranges.filter((r) => isDamage(nextBase, recoveryPoint, r.firstOffset));
    const torn = ranges.find((r) => !isDamage(nextBase, recoveryPoint, r.firstOffset)) ?? null;
    const keepBytes = torn === null ? checked.fileBytes : torn.position;
    if (damage.length > 0) report.lost.push(...(await removeDamagedRanges(dir, checked, damage, keepBytes, recoveryPoint)));
    else if (torn !== null) await truncate(segmentPaths(dir, checked.baseOffset).log, keepBytes);
    if (torn !== null) {
      report.tornTail = { file: checked.file, position: torn.position, bytes: checked.fileBytes - torn.position, firstOffset: torn.firstOffset };
      logEnd = torn.firstOffset;
      for (const later of bases.slice(i + 1)) await removeSegmentFiles(dir, later);
      break;
    }
    logEnd = nextBase ?? checked.scan.lastValidNextOffset;
  }
  const lostEnd = Math.max(logEnd, ...report.lost.map((r) => r.lastOffset + 1));
  if (report.tornTail === null && checkpointed !== null && lostEnd < checkpointed && bases.length > 0) {
    const reason = `the log ended at offset ${lostEnd}, below its recovery point ${checkpointed}: synced data was missing`;
    report.lost.push({ file: segmentPaths(dir, bases[bases.length - 1]!).log.split('/').pop()!, position: 0, bytes: 0, firstOffset: lostEnd, lastOffset: checkpointed - 1, movedTo: null, reason });
  }
  // Offsets below the recovery point, and those of the lost ranges, were handed out: never again.
  const floor = Math.max(logEnd, report.tornTail === null ? (checkpointed ?? 0) : 0, ...report.lost.map((r) => r.lastOffset + 1));
  if (floor > logEnd) {
    await FileSegment.create(dir, floor, indexIntervalBytes, Date.now()).close();
    await syncDir(dir);
  }
  report.logEndOffset = floor;
  await removeDamageMarker(dir);
  return report;
}

/** Moves each damaged range to a file of its own and rewrites the segment without them. */
async function removeDamagedRanges(dir: string, checked: SegmentFileScan, damage: readonly DamagedRange[], keepBytes: number, recoveryPoint: number): Promise<LostRange[]> {
  const paths = segmentPaths(dir, checked.baseOffset);
  const fd = openSync(paths.log, 'r');
  try {
    const lost: LostRange[] = [];
    const kept: Array<[number, number]> = [];
    let from = 0;
    for (const range of damage) {
      const lastOffset = lastOffsetOf(range, checked.nextBase, recoveryPoint);
      const end = Math.min(range.position + range.bytes, keepBytes);
      const movedTo = `${segmentFileStem(checked.baseOffset)}.log.bytes-${range.position}-${end}.offsets-${range.firstOffset}-${lastOffset}.damaged`;
      await writeFileDurably(join(dir, movedTo), await readAt(fd, range.position, end - range.position));
      lost.push({ file: checked.file, position: range.position, bytes: end - range.position, firstOffset: range.firstOffset, lastOffset, movedTo, reason: range.reason });
      if (range.position > from) kept.push([from, range.position]);
      from = end;
    }
    if (keepBytes > from) kept.push([from, keepBytes]);
    await copyRangesDurably(fd, kept, paths.log);
    // The indexes describe the old layout; the next start rebuilds them from the new file.
    await Promise.all([paths.offsetIndex, paths.timeIndex].map((p) => rm(p, { force: true })));
    return lost;
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` with the byte ranges of `fd`, copied in chunks: a synced temporary file renamed over it. */
async function copyRangesDurably(fd: number, ranges: ReadonlyArray<[number, number]>, path: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const out = await open(tmp, 'w');
  try {
    let written = 0;
    for (const [start, end] of ranges) {
      for (let pos = start; pos < end; pos += COPY_CHUNK_BYTES) {
        const chunk = await readAt(fd, pos, Math.min(COPY_CHUNK_BYTES, end - pos));
        await out.write(chunk, 0, chunk.length, written);
        written += chunk.length;
      }
    }
    await out.datasync();
  } finally {
    await out.close();
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
}
