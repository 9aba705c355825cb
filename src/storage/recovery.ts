import { BATCH, compressionOf, CompressionType } from '../protocol/record-batch-header.js';
import { checkStoredBatch, storedHeaderAt, type OffsetBounds, type RecoveryCheck, type StoredBatchHeader } from './batches.js';
import { readAt } from './file-io.js';
import { SegmentIndex } from './segment-index.js';

/** Recovery reads segments in chunks this large. */
const SCAN_CHUNK_BYTES = 8 * 1024 * 1024;

/** A run of bytes in a segment file that holds no valid batch. */
export interface DamagedRange {
  /** Where the bytes start in the segment file, and how many there are. */
  position: number;
  bytes: number;
  /** First offset those bytes may have held: one past the previous valid batch. */
  firstOffset: number;
  /** Last offset they may have held (one before the next valid batch), or null when no valid batch follows. */
  lastOffset: number | null;
  reason: string;
}

export interface ScanOptions {
  baseOffset: number;
  /** Base offset of the next segment (offsets stay below it), or null for the last segment. */
  nextBase: number | null;
  indexIntervalBytes: number;
  /**
   * Called once, at the first bad batch, with the lowest offset it may hold. True: the bytes are
   * damage, so the scan goes on to map every damaged range of the segment; false: a torn tail, the
   * scan stops there (the caller truncates).
   */
  isDamage(firstOffset: number): boolean;
}

export interface ScanResult {
  /** Index of the batches before the first problem. */
  index: SegmentIndex;
  /** Bytes of whole, valid batches before the first problem. */
  validBytes: number;
  /** Offset after the last valid batch before the first problem. */
  nextOffset: number;
  /** The first problem (its `bytes` run to the end of the file when it is a torn tail), or null. */
  problem: DamagedRange | null;
  /** When the first problem is damage: every damaged range of the file, in order. */
  damaged: DamagedRange[];
  /** Offset after the last valid batch anywhere in the file (past the damage). */
  lastValidNextOffset: number;
  /** Valid batches found. */
  batches: number;
}

/** Reads a segment file through one window, so a scan costs one read per chunk. */
class FileWindow {
  private buf: Buffer = Buffer.alloc(0);
  start = 0;
  private readonly reusable: Buffer;

  constructor(
    private readonly fd: number,
    readonly fileBytes: number,
    from = 0,
  ) {
    this.reusable = Buffer.allocUnsafe(Math.min(SCAN_CHUNK_BYTES, Math.max(fileBytes - from, 1)));
  }

  /** The window, holding [pos, pos + length) (the caller keeps that inside the file). */
  async view(pos: number, length: number): Promise<{ buf: Buffer; off: number }> {
    if (pos < this.start || pos + length > this.start + this.buf.length) {
      const want = Math.min(Math.max(length, SCAN_CHUNK_BYTES), this.fileBytes - pos);
      this.buf = await readAt(this.fd, pos, want, want <= this.reusable.length ? this.reusable : undefined);
      this.start = pos;
    }
    return { buf: this.buf, off: pos - this.start };
  }
}

/** Checks the batch at `pos`, reading as much of the file as it needs. A batch cut by the end of the file is invalid. */
async function checkAt(w: FileWindow, pos: number, bounds: OffsetBounds): Promise<RecoveryCheck> {
  const left = w.fileBytes - pos;
  if (left < BATCH.HEADER_BYTES) return { kind: 'invalid', reason: `torn batch: ${left} bytes left, a header needs ${BATCH.HEADER_BYTES}` };
  let { buf, off } = await w.view(pos, BATCH.HEADER_BYTES);
  let check = checkStoredBatch(buf, off, bounds);
  if (check.kind === 'incomplete') {
    if (check.neededBytes > left) return { kind: 'invalid', reason: `torn batch: ${left} bytes left, batch needs ${check.neededBytes}` };
    ({ buf, off } = await w.view(pos, check.neededBytes));
    check = checkStoredBatch(buf, off, bounds);
  }
  return check;
}

/**
 * Cheap header checks for a candidate batch start while looking for the next valid batch after
 * damage, so random bytes rarely make us read (and CRC) a claimed batch: a record count that fits
 * lastOffsetDelta (a compacted batch keeps its delta and may hold fewer records) and a known codec.
 */
function plausibleHeader(buf: Buffer, off: number, fileBytesLeft: number): boolean {
  const size = buf.readInt32BE(off + BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD;
  if (size < BATCH.HEADER_BYTES || size > fileBytesLeft) return false;
  const delta = buf.readInt32BE(off + BATCH.LAST_OFFSET_DELTA);
  const records = buf.readInt32BE(off + BATCH.RECORD_COUNT);
  return delta >= 0 && records >= 0 && records <= delta + 1 && compressionOf(buf.readInt16BE(off + BATCH.ATTRIBUTES)) <= CompressionType.Zstd;
}

/** The next valid batch starting after `from` within `bounds`, or null. */
async function resync(w: FileWindow, from: number, bounds: OffsetBounds): Promise<{ pos: number; header: StoredBatchHeader } | null> {
  let q = from;
  while (q + BATCH.HEADER_BYTES <= w.fileBytes) {
    const { buf, off } = await w.view(q, BATCH.HEADER_BYTES);
    // The last place in this window where a magic byte can sit with its whole header inside.
    const lastMagic = buf.length - (BATCH.HEADER_BYTES - BATCH.MAGIC);
    const magicAt = buf.indexOf(2, off + BATCH.MAGIC);
    if (magicAt < 0 || magicAt > lastMagic) {
      q = w.start + lastMagic - BATCH.MAGIC + 1;
      continue;
    }
    const candidate = w.start + magicAt - BATCH.MAGIC;
    if (plausibleHeader(buf, magicAt - BATCH.MAGIC, w.fileBytes - candidate)) {
      const check = await checkAt(w, candidate, bounds);
      if (check.kind === 'valid') return { pos: candidate, header: check.header };
    }
    q = candidate + 1;
  }
  return null;
}

interface Accepted {
  pos: number;
  header: StoredBatchHeader;
  /** The lowest base offset it was allowed: a base above it is a gap. */
  minBase: number;
}

/**
 * Scans a segment batch by batch (length, magic, growing offsets inside the segment's range, CRC)
 * and rebuilds its index. At the first bad batch `isDamage` decides: a torn tail (the scan stops;
 * the caller truncates it, as Kafka's log recovery does) or damage, in which case the rest of the
 * file is mapped into damaged ranges and the valid batches between them.
 *
 * The base offset field is not covered by the batch CRC, so a batch that jumps ahead (a gap) is
 * held back from the index until the next batch confirms it: if the next one starts inside the
 * jump, the jump was a damaged base offset and that batch is the damaged one.
 */
export async function scanSegment(fd: number, fileBytes: number, options: ScanOptions): Promise<ScanResult> {
  const index = new SegmentIndex(options.baseOffset, options.indexIntervalBytes);
  const w = new FileWindow(fd, fileBytes);
  const maxLastOffset = options.nextBase === null ? Infinity : options.nextBase - 1;
  const result: ScanResult = { index, validBytes: 0, nextOffset: options.baseOffset, problem: null, damaged: [], lastValidNextOffset: options.baseOffset, batches: 0 };
  let pending: Accepted | null = null;
  const settle = (): void => {
    if (pending === null) return;
    if (result.problem === null) {
      index.onBatch(pending.header.baseOffset, pending.pos, pending.header.size, pending.header.maxTimestamp);
      result.validBytes = pending.pos + pending.header.size;
      result.nextOffset = pending.header.lastOffset + 1;
    }
    pending = null;
  };
  let pos = 0;
  let minBase = options.baseOffset;
  while (pos < fileBytes) {
    const check = await checkAt(w, pos, { minBaseOffset: minBase, maxLastOffset });
    if (check.kind === 'valid') {
      settle();
      pending = { pos, header: check.header, minBase };
      result.batches++;
      minBase = check.header.lastOffset + 1;
      result.lastValidNextOffset = minBase;
      pos += check.header.size;
      continue;
    }
    const reason = check.kind === 'invalid' ? check.reason : 'incomplete batch';
    let bad = { position: pos, firstOffset: minBase, reason };
    const held = pending as Accepted | null;
    const jumped = held !== null && held.header.baseOffset > held.minBase ? held : null;
    if (jumped !== null && (await checkAt(w, pos, { minBaseOffset: jumped.minBase, maxLastOffset })).kind === 'valid') {
      // This batch is whole and fits right after the batch before the jump: the jump was damage.
      bad = { position: jumped.pos, firstOffset: jumped.minBase, reason: `base offset ${jumped.header.baseOffset} skips ahead of the batches around it` };
      pending = null;
      result.batches--;
      result.lastValidNextOffset = jumped.minBase;
    } else {
      settle();
    }
    if (result.problem === null) {
      result.problem = { ...bad, bytes: fileBytes - bad.position, lastOffset: null };
      if (!options.isDamage(bad.firstOffset)) return result;
    }
    const next = await resync(w, bad.position + 1, { minBaseOffset: bad.firstOffset, maxLastOffset });
    const range: DamagedRange = { ...bad, bytes: (next?.pos ?? fileBytes) - bad.position, lastOffset: next === null ? null : next.header.baseOffset - 1 };
    result.damaged.push(range);
    if (result.damaged.length === 1) result.problem = range;
    if (next === null) break;
    pos = next.pos;
    minBase = bad.firstOffset;
  }
  settle();
  return result;
}

/**
 * After a clean shutdown: the offset after the last batch of a segment whose index was saved,
 * found by walking batch headers (no CRC: the data was synced and the shutdown was clean) from its
 * last index entry to the end of the file. Null when the headers do not lead exactly to the end
 * of the file (bytes appended since, or a stale index): the caller then scans the segment.
 */
export async function nextOffsetAfterIndex(fd: number, fileBytes: number, index: SegmentIndex): Promise<number | null> {
  const entry = index.lastEntry();
  if (entry === null) return null;
  const w = new FileWindow(fd, fileBytes, entry.position);
  let pos = entry.position;
  let minBase = entry.offset;
  while (pos < fileBytes) {
    if (fileBytes - pos < BATCH.HEADER_BYTES) return null;
    const { buf, off } = await w.view(pos, BATCH.HEADER_BYTES);
    const header = storedHeaderAt(buf, off);
    if (buf.readInt8(off + BATCH.MAGIC) !== 2 || header.size < BATCH.HEADER_BYTES || pos + header.size > fileBytes) return null;
    if (pos === entry.position ? header.baseOffset !== entry.offset : header.baseOffset < minBase) return null;
    if (header.lastOffset < header.baseOffset) return null;
    minBase = header.lastOffset + 1;
    pos += header.size;
  }
  return minBase;
}
