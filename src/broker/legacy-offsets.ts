import type { SegmentSummary } from '../storage/types.js';

/** What ListOffsets v0 looks at in a partition. */
export interface LegacyOffsetsInput {
  segments: readonly SegmentSummary[];
  logStartOffset: number;
  logEndOffset: number;
  nowMs: number;
}

/** ListOffsets special timestamps, as v0 knows them. */
const LATEST = -1;
const EARLIEST = -2;

/**
 * ListOffsets v0's OldStyleOffsets, as Kafka 3.x computes them (`legacyFetchOffsetsBefore`): the
 * candidates are each segment's base offset (raised to the log start), stamped with the segment's
 * last-modified time, plus the log end stamped `nowMs` when the active segment holds data.
 * -1 starts from the log end, -2 from the oldest segment, any other timestamp from the newest
 * candidate modified at or before it; up to `maxNumOffsets` are returned from there towards the
 * oldest, in descending order. Segment granularity is what v0 always meant: old clients asked for
 * "offsets before time T" to find a segment to start from.
 */
export function legacyOffsetsBefore(input: LegacyOffsetsInput, timestampMs: number, maxNumOffsets: number): number[] {
  const candidates = input.segments.map((s) => ({ offset: Math.max(s.baseOffset, input.logStartOffset), timeMs: s.lastModifiedMs }));
  const last = input.segments[input.segments.length - 1];
  if (last !== undefined && last.sizeBytes > 0) candidates.push({ offset: input.logEndOffset, timeMs: input.nowMs });
  let start: number;
  if (timestampMs === LATEST) start = candidates.length - 1;
  else if (timestampMs === EARLIEST) start = 0;
  else {
    start = candidates.length - 1;
    while (start >= 0 && candidates[start]!.timeMs > timestampMs) start--;
  }
  const count = Math.max(0, Math.min(maxNumOffsets, start + 1));
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) offsets.push(candidates[start - i]!.offset);
  return offsets.sort((a, b) => b - a);
}
