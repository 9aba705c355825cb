import type { Segment } from '../segment.js';

/** The compaction settings of one log, every default filled in. */
export interface CompactionSettings {
  segmentBytes: number;
  deleteRetentionMs: number;
  minCompactionLagMs: number;
  /** Infinity: no limit. */
  maxCompactionLagMs: number;
  minCleanableDirtyRatio: number;
}

/** How much of a log is worth cleaning now: Kafka's LogCleanerManager.cleanableOffsets and LogToClean. */
export interface CleaningPlan {
  /** Where the uncleaned ("dirty") part of the log starts: the cleaner's checkpoint, or the log start. */
  firstDirtyOffset: number;
  /** The cleaner stops here: the active segment's base, or the first segment younger than min.compaction.lag.ms. */
  firstUncleanableOffset: number;
  /** True when the checkpoint was outside the log and was reset to the log start. */
  checkpointReset: boolean;
  /** Bytes of the segments below the first dirty offset (already compacted). */
  cleanBytes: number;
  /** Bytes of the segments from the first dirty offset to the first uncleanable one. */
  cleanableBytes: number;
  /** cleanableBytes / (cleanBytes + cleanableBytes): compared with min.cleanable.dirty.ratio. */
  cleanableRatio: number;
  /** How long past max.compaction.lag.ms the oldest dirty record is (0: not overdue). */
  compactionDelayMs: number;
  /** Whether the cleaner should clean this log now. */
  eligible: boolean;
}

export interface PlanInput {
  /** Every segment of the log, oldest first; the last is the active one. */
  segments: readonly Segment[];
  logStartOffset: number;
  logEndOffset: number;
  /** The cleaner's checkpoint (first dirty offset), null when the log was never cleaned. */
  checkpoint: number | null;
  /** First offset of the oldest open transaction: nothing from its segment on is cleaned (Kafka's LSO bound). */
  firstUnstableOffset?: number | null;
  nowMs: number;
  settings: CompactionSettings;
}

/** Kafka's "largest timestamp" of a segment: its max batch timestamp, else when it last changed. */
function largestTimestamp(s: Segment): number {
  return s.maxTimestamp >= 0 ? s.maxTimestamp : s.lastModifiedMs;
}

/** Segments overlapping [from, to): from the one holding `from` to the last starting before `to`. */
export function segmentsIn(segments: readonly Segment[], from: number, to: number): Segment[] {
  const out: Segment[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const next = segments[i + 1];
    if (s.baseOffset >= to) break;
    if (next === undefined || next.baseOffset > from) out.push(s);
  }
  return out;
}

const sumBytes = (segments: readonly Segment[]): number => segments.reduce((n, s) => n + s.sizeBytes, 0);

export function planCleaning(input: PlanInput): CleaningPlan {
  const { segments, settings, nowMs } = input;
  const active = segments[segments.length - 1]!;
  let firstDirtyOffset = input.checkpoint ?? input.logStartOffset;
  let checkpointReset = false;
  // A checkpoint below the log start (retention, DeleteRecords) or past its end (a truncated
  // tail) starts again from the log start, as Kafka does.
  if (firstDirtyOffset < input.logStartOffset || firstDirtyOffset > input.logEndOffset) {
    checkpointReset = input.checkpoint !== null;
    firstDirtyOffset = input.logStartOffset;
  }
  const dirtyClosed = segmentsIn(segments, firstDirtyOffset, active.baseOffset);
  let uncleanable = active.baseOffset;
  const unstable = input.firstUnstableOffset ?? null;
  if (unstable !== null) {
    const holding = segments.findLast((s) => s.baseOffset <= unstable);
    uncleanable = Math.min(uncleanable, holding?.baseOffset ?? unstable);
  }
  if (settings.minCompactionLagMs > 0) {
    const young = dirtyClosed.find((s) => largestTimestamp(s) > nowMs - settings.minCompactionLagMs);
    if (young !== undefined) uncleanable = Math.min(uncleanable, young.baseOffset);
  }
  const firstUncleanableOffset = Math.max(firstDirtyOffset, uncleanable);
  const cleanBytes = sumBytes(segments.filter((s) => s.baseOffset < firstDirtyOffset));
  const cleanableBytes = sumBytes(segmentsIn(segments, Math.min(firstDirtyOffset, firstUncleanableOffset), firstUncleanableOffset));
  const total = cleanBytes + cleanableBytes;
  const cleanableRatio = total === 0 ? 0 : cleanableBytes / total;
  // max.compaction.lag.ms: the oldest first-batch timestamp among dirty closed segments.
  let earliest = Infinity;
  for (const s of dirtyClosed) if (s.firstTimestamp > 0 && s.firstTimestamp < earliest) earliest = s.firstTimestamp;
  const cleanUntilMs = nowMs - settings.maxCompactionLagMs;
  const compactionDelayMs = earliest < cleanUntilMs ? cleanUntilMs - earliest : 0;
  const eligible = total > 0 && ((compactionDelayMs > 0 && cleanableBytes > 0) || cleanableRatio > settings.minCleanableDirtyRatio);
  return { firstDirtyOffset, firstUncleanableOffset, checkpointReset, cleanBytes, cleanableBytes, cleanableRatio, compactionDelayMs, eligible };
}

/** Index files hold offsets relative to a segment's base in 32 bits. */
const MAX_RELATIVE_OFFSET = 0xffff_fffe;

/**
 * Groups consecutive segments whose sizes add up to at most `maxBytes` (segment.bytes), each
 * group cleaned into one segment, so that compaction does not leave ever smaller segments behind
 * (Kafka's groupSegmentsBySize). A group also keeps its offsets within what a segment's index can
 * address.
 */
export function groupSegmentsBySize(segments: readonly Segment[], maxBytes: number, firstUncleanableOffset: number): Segment[][] {
  const groups: Segment[][] = [];
  let i = 0;
  while (i < segments.length) {
    const group = [segments[i]!];
    let bytes = segments[i]!.sizeBytes;
    i++;
    while (i < segments.length) {
      const next = segments[i]!;
      const lastOffset = (segments[i + 1]?.baseOffset ?? firstUncleanableOffset) - 1;
      if (bytes + next.sizeBytes > maxBytes) break;
      if (next.sizeBytes > 0 && lastOffset - group[0]!.baseOffset > MAX_RELATIVE_OFFSET) break;
      group.push(next);
      bytes += next.sizeBytes;
      i++;
    }
    groups.push(group);
  }
  return groups;
}
