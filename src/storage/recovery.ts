import { checkStoredBatch } from './batches.js';
import { readAt } from './file-io.js';
import { SegmentIndex } from './segment-index.js';

/** Recovery reads the active segment in chunks this large. */
const SCAN_CHUNK_BYTES = 8 * 1024 * 1024;

export interface ScanResult {
  index: SegmentIndex;
  /** Bytes of whole, valid batches from the start of the file. */
  validBytes: number;
  /** Offset after the last valid batch. */
  nextOffset: number;
  /** Why the scan stopped before the end of the file, or null. */
  problem: string | null;
}

/**
 * Scans a segment batch by batch, checking length, magic, offsets and CRC, and rebuilds its
 * indexes. Stops at the first batch that is torn or invalid: everything from there on is a tail
 * that a crash left behind (or corruption), and the caller truncates it as Kafka's log recovery does.
 */
export async function scanSegment(fd: number, fileBytes: number, baseOffset: number, indexIntervalBytes: number): Promise<ScanResult> {
  const index = new SegmentIndex(baseOffset, indexIntervalBytes);
  const reusable = Buffer.allocUnsafe(Math.min(SCAN_CHUNK_BYTES, Math.max(fileBytes, 1)));
  let chunk: Buffer = Buffer.alloc(0);
  let chunkStart = 0;
  let pos = 0;
  let expected = baseOffset;
  let problem: string | null = null;
  while (pos < fileBytes) {
    let check = checkStoredBatch(chunk, pos - chunkStart, expected);
    if (check.kind === 'incomplete') {
      const wanted = Math.max(check.neededBytes, SCAN_CHUNK_BYTES);
      chunk = await readAt(fd, pos, Math.min(wanted, fileBytes - pos), wanted <= reusable.length ? reusable : undefined);
      chunkStart = pos;
      check = checkStoredBatch(chunk, 0, expected);
    }
    if (check.kind === 'incomplete') {
      problem = `torn batch: ${fileBytes - pos} bytes left, batch needs ${check.neededBytes}`;
      break;
    }
    if (check.kind === 'invalid') {
      problem = check.reason;
      break;
    }
    const h = check.header;
    index.onBatch(h.baseOffset, pos, h.size, h.maxTimestamp);
    pos += h.size;
    expected = h.lastOffset + 1;
  }
  return { index, validBytes: pos, nextOffset: expected, problem };
}
