import { ATTR_CONTROL, ATTR_TRANSACTIONAL, BATCH, readInt64 } from '../../protocol/record-batch-header.js';
import type { Segment } from '../segment.js';
import { filterBatch, type BatchFilter } from './batch-filter.js';
import { groupSegmentsBySize, segmentsIn, type CleaningPlan, type CompactionSettings } from './cleanable.js';
import type { StepHook } from './cleaned-segments.js';
import { OffsetMap } from './offset-map.js';
import { recordBytesOf, walkRecords } from './records.js';
import type { Throttle } from './throttle.js';
import type { CleanableLog, CleanedLogStats } from './types.js';

/** The pass stopped without harm: the broker is stopping, or retention removed a segment meanwhile. */
export class CleaningAbortedError extends Error {
  override name = 'CleaningAbortedError';
}

export interface CleanLogOptions {
  nowMs: number;
  settings: CompactionSettings;
  /** `log.cleaner.dedupe.buffer.size`: most memory the offset map may take. */
  dedupeBufferBytes: number;
  /** Bytes read from a segment at a time. */
  readChunkBytes: number;
  throttle: Throttle;
  /** Called between batches: yields to the event loop when the cleaner has run long enough, throws when stopping. */
  pause(): Promise<void>;
  /** The last offset of an active idempotent producer's last batch, kept even when emptied (Kafka's RETAIN_EMPTY). */
  producerLastOffset?: (producerId: number) => number | undefined;
  /** Aborted transactions of the partition: their records never enter the offset map. */
  abortedTransactions?: readonly { producerId: number; firstOffset: number; lastOffset: number }[];
  onStep?: StepHook;
}

type Counters = Pick<CleanedLogStats, 'bytesRead' | 'bytesWritten' | 'recordsRead' | 'recordsKept' | 'keylessRecordsRemoved' | 'tombstonesRemoved'>;

type BatchVisitor = (buf: Buffer, pos: number, size: number, baseOffset: number, lastOffset: number) => Promise<boolean | void>;

/**
 * Calls `visit` for every batch of `segment` that ends at or after `fromOffset`, reading whole
 * batches `chunkBytes` at a time; stops early when `visit` returns true (and returns true).
 */
async function forEachBatch(segment: Segment, fromOffset: number, o: CleanLogOptions, counters: Counters, visit: BatchVisitor): Promise<boolean> {
  let offset = fromOffset;
  for (;;) {
    const read = await segment.read(offset, o.readChunkBytes, true);
    if (read === null) throw new CleaningAbortedError(`segment ${segment.baseOffset} was removed while being cleaned`);
    counters.bytesRead += read.bytes;
    await o.throttle.maybeThrottle(read.bytes);
    let progressed = false;
    for (const chunk of read.chunks) {
      for (let pos = 0; pos < chunk.length; ) {
        const size = chunk.readInt32BE(pos + BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD;
        const baseOffset = readInt64(chunk, pos + BATCH.BASE_OFFSET);
        const lastOffset = baseOffset + chunk.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
        if (lastOffset >= offset) {
          if ((await visit(chunk, pos, size, baseOffset, lastOffset)) === true) return true;
          offset = lastOffset + 1;
          progressed = true;
          await o.pause();
        }
        pos += size;
      }
    }
    if (!progressed) return false;
  }
}

/** A transactional batch inside one of the partition's aborted transactions (Kafka's cleaner skips these when mapping keys). */
function isAbortedBatch(buf: Buffer, pos: number, o: CleanLogOptions): boolean {
  const aborted = o.abortedTransactions;
  if (aborted === undefined || aborted.length === 0 || (buf.readInt16BE(pos + BATCH.ATTRIBUTES) & ATTR_TRANSACTIONAL) === 0) return false;
  const producerId = readInt64(buf, pos + BATCH.PRODUCER_ID);
  const baseOffset = readInt64(buf, pos + BATCH.BASE_OFFSET);
  return aborted.some((t) => t.producerId === producerId && baseOffset >= t.firstOffset && baseOffset <= t.lastOffset);
}

/** Phase 1: the latest offset of every key in the dirty section, as far as the map holds. */
async function buildOffsetMap(log: CleanableLog, plan: CleaningPlan, o: CleanLogOptions, counters: Counters): Promise<OffsetMap> {
  const start = plan.firstDirtyOffset;
  const end = plan.firstUncleanableOffset;
  const map = new OffsetMap(OffsetMap.bytesFor(end - start, o.dedupeBufferBytes));
  const dirty = segmentsIn(log.allSegments(), start, end);
  for (let i = 0; i < dirty.length; i++) {
    const full = await forEachBatch(dirty[i]!, start, o, counters, async (buf, pos, size, _base, lastOffset) => {
      if ((buf.readInt16BE(pos + BATCH.ATTRIBUTES) & ATTR_CONTROL) === 0 && !isAbortedBatch(buf, pos, o)) {
        const bytes = await recordBytesOf(buf, pos, size);
        const baseOffset = readInt64(buf, pos + BATCH.BASE_OFFSET);
        for (const r of walkRecords(bytes.data, bytes.start, bytes.end, buf.readInt32BE(pos + BATCH.RECORD_COUNT))) {
          const offset = baseOffset + r.offsetDelta;
          if (r.keyLength < 0 || offset < start) continue;
          if (map.isFull) return true;
          map.put(bytes.data, r.keyStart, r.keyStart + r.keyLength, offset);
        }
      }
      map.latestOffset = lastOffset;
      return false;
    });
    if (full) break;
    // Gaps at the end of a segment belong to it: the map covers everything up to the next one.
    map.latestOffset = (dirty[i + 1]?.baseOffset ?? end) - 1;
  }
  return map;
}

/** Kafka's shouldRetainRecord and batch retention rules, over one pass's offset map. */
function cleanerFilter(map: OffsetMap, plan: CleaningPlan, o: CleanLogOptions, counters: Counters): BatchFilter {
  const horizon = o.nowMs + o.settings.deleteRetentionMs;
  return {
    newDeleteHorizonMs: Number.isSafeInteger(horizon) ? horizon : Number.MAX_SAFE_INTEGER,
    retainRecord(data, r, offset, horizonMs) {
      if (offset > map.latestOffset) return true;
      if (r.keyLength < 0) {
        counters.keylessRecordsRemoved++;
        return false;
      }
      if (offset < map.get(data, r.keyStart, r.keyStart + r.keyLength)) return false;
      if (!r.valueIsNull || horizonMs === null || o.nowMs < horizonMs) return true;
      counters.tombstonesRemoved++;
      return false;
    },
    retainEmpty(h) {
      const lastOffset = h.baseOffset + h.lastOffsetDelta;
      if (h.producerId >= 0 && o.producerLastOffset?.(h.producerId) === lastOffset) return true;
      // The last batch before the uncleanable part keeps the log's last offset visible (Kafka does the same).
      return lastOffset + 1 === plan.firstUncleanableOffset;
    },
  };
}

/** Phase 2 for one group: writes what stays of its segments and swaps the copy in. */
async function cleanGroup(log: CleanableLog, group: Segment[], filter: BatchFilter, o: CleanLogOptions, counters: Counters): Promise<Segment> {
  const writer = await log.cleanedSegments.create(group[0]!.baseOffset);
  try {
    for (const segment of group) {
      await forEachBatch(segment, segment.baseOffset, o, counters, async (buf, pos, size) => {
        const f = await filterBatch(buf, pos, size, filter);
        counters.recordsRead += f.recordsRead;
        counters.recordsKept += f.recordsKept;
        if (f.bytes === null) return;
        await writer.append(f.bytes, f.baseOffset, f.lastOffset, f.maxTimestamp);
        await o.throttle.maybeThrottle(f.bytes.length);
      });
    }
    const last = group[group.length - 1]!;
    const cleaned = await writer.finish(last.nextOffset, last.lastModifiedMs);
    counters.bytesWritten += writer.bytesWritten;
    await o.onStep?.('cleaned-segment-written');
    const swapped = await log.replaceSegments(group, cleaned, () => writer.install(group, o.onStep));
    if (!swapped) throw new CleaningAbortedError(`segments from ${group[0]!.baseOffset} left the log while being cleaned`);
    await o.onStep?.('segments-replaced');
    return cleaned;
  } finally {
    await writer.abandon();
  }
}

/**
 * One cleaning pass over one log (Kafka's Cleaner.doClean): map the dirty section's keys to their
 * latest offsets, then rewrite every closed segment below the map's end, grouped by size, keeping
 * each key's latest record and tombstones until their delete horizon. The active segment is never
 * touched. The checkpoint moves to the end of what was mapped once every group is swapped in.
 */
export async function cleanLog(log: CleanableLog, plan: CleaningPlan, o: CleanLogOptions): Promise<Omit<CleanedLogStats, 'reason' | 'durationMs' | 'throttledMs'>> {
  const counters: Counters = { bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsKept: 0, keylessRecordsRemoved: 0, tombstonesRemoved: 0 };
  const map = await buildOffsetMap(log, plan, o, counters);
  await o.onStep?.('offset-map-built');
  const endOffset = map.latestOffset + 1;
  const closed = log.allSegments().slice(0, -1);
  const toClean = closed.filter((s) => s.baseOffset < endOffset);
  const bytesBefore = toClean.reduce((n, s) => n + s.sizeBytes, 0);
  let bytesAfter = 0;
  let segmentsAfter = 0;
  if (endOffset > plan.firstDirtyOffset) {
    const filter = cleanerFilter(map, plan, o, counters);
    for (const group of groupSegmentsBySize(toClean, o.settings.segmentBytes, plan.firstUncleanableOffset)) {
      const cleaned = await cleanGroup(log, group, filter, o, counters);
      bytesAfter += cleaned.sizeBytes;
      segmentsAfter++;
    }
    await log.cleanedSegments.writeCheckpoint(endOffset);
    await o.onStep?.('checkpointed');
  }
  return {
    topic: log.topic,
    partition: log.partition,
    firstDirtyOffset: plan.firstDirtyOffset,
    endOffset: Math.max(endOffset, plan.firstDirtyOffset),
    firstUncleanableOffset: plan.firstUncleanableOffset,
    dirtyRatio: plan.cleanableRatio,
    ...counters,
    bytesBefore,
    bytesAfter,
    keysMapped: map.size,
    mapUtilization: map.utilization,
    segmentsBefore: toClean.length,
    segmentsAfter,
  };
}
