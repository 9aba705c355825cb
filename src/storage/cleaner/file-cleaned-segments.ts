import { futimes, open, write } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../../common/logger.js';
import { closeAsync, fdatasyncAsync, syncDir, writeFileDurably } from '../file-io.js';
import { FileSegment, segmentPaths } from '../file-segment.js';
import { SegmentIndex } from '../segment-index.js';
import type { Segment } from '../segment.js';
import type { CleanedSegmentStore, CleanedSegmentWriter, StepHook } from './cleaned-segments.js';

/**
 * The file store's side of compaction, and its crash safety. A group of closed segments is
 * replaced the way Kafka's `.cleaned` → `.swap` protocol does it, with an explicit swap record
 * instead of a file suffix:
 *
 * 1. the cleaned copy is written to `<base>.log.cleaned` (indexes to `<base>.index.cleaned` and
 *    `.timeindex.cleaned`) and fdatasynced; a crash here leaves only `.cleaned` files, which the
 *    next start deletes (the old segments stay);
 * 2. `cleaner-swap.json`, naming the base offsets installed and replaced, is written durably: the
 *    commit point. From here the next start finishes the swap whatever happened;
 * 3. the old index files of the installed base are removed, the `.cleaned` files renamed over the
 *    segment's files, the other replaced segments' files deleted, the directory fsynced;
 * 4. the swap record is removed.
 *
 * Every step of 3 is idempotent, so recovery just runs it again.
 */

const CLEANED_SUFFIX = '.cleaned';
const SWAP_RECORD_FILE = 'cleaner-swap.json';
const CHECKPOINT_FILE = 'cleaner-offset-checkpoint';
/** Writes of cleaned batches are gathered up to this size (Kafka's cleaner writes from a 256 KiB buffer). */
const WRITE_BUFFER_BYTES = 256 * 1024;

interface SwapRecord {
  version: 1;
  install: number[];
  replace: number[];
}

function cleanedPaths(dir: string, baseOffset: number): { log: string; offsetIndex: string; timeIndex: string } {
  const p = segmentPaths(dir, baseOffset);
  return { log: p.log + CLEANED_SUFFIX, offsetIndex: p.offsetIndex + CLEANED_SUFFIX, timeIndex: p.timeIndex + CLEANED_SUFFIX };
}

const openAsync = promisify(open);
const writeAsync = promisify(write);
const futimesAsync = promisify(futimes);

async function writeAll(fd: number, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await writeAsync(fd, data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

const ignoreMissing = (err: unknown): void => {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
};

/** Step 3 and 4 of the swap, for a record just committed or found at start-up. */
async function completeSwap(dir: string, record: SwapRecord, onStep?: StepHook): Promise<void> {
  for (const base of record.install) {
    const cleaned = cleanedPaths(dir, base);
    const final = segmentPaths(dir, base);
    try {
      await rm(final.offsetIndex, { force: true });
      await rm(final.timeIndex, { force: true });
      await rename(cleaned.offsetIndex, final.offsetIndex).catch(ignoreMissing);
      await rename(cleaned.timeIndex, final.timeIndex).catch(ignoreMissing);
      await rename(cleaned.log, final.log);
    } catch (err) {
      // Already renamed by an earlier attempt.
      ignoreMissing(err);
    }
  }
  const installed = new Set(record.install);
  for (const base of record.replace) {
    if (installed.has(base)) continue;
    const p = segmentPaths(dir, base);
    await Promise.all([p.log, p.offsetIndex, p.timeIndex].map((f) => rm(f, { force: true })));
  }
  await syncDir(dir);
  await onStep?.('swap-renamed');
  await rm(join(dir, SWAP_RECORD_FILE), { force: true });
}

/**
 * Start-up recovery of a partition directory, before its segments are listed: finishes a swap
 * whose record is there, then deletes cleaned copies that were never committed.
 */
export async function recoverCleanerSwap(dir: string, log: Logger): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    ignoreMissing(err);
    return;
  }
  if (names.includes(SWAP_RECORD_FILE)) {
    const record = JSON.parse(await readFile(join(dir, SWAP_RECORD_FILE), 'utf8')) as SwapRecord;
    await completeSwap(dir, record);
    log.info('completed a compaction swap interrupted by a crash', { dir, installed: record.install, replaced: record.replace });
    names = await readdir(dir);
  }
  const leftovers = names.filter((n) => n.endsWith(CLEANED_SUFFIX));
  await Promise.all(leftovers.map((n) => rm(join(dir, n), { force: true })));
  if (leftovers.length > 0) log.info('removed an unfinished compaction of a crashed run', { dir, files: leftovers });
}

export class FileCleanedSegments implements CleanedSegmentStore {
  constructor(
    private readonly dir: string,
    private readonly indexIntervalBytes: number,
    private readonly log: Logger,
  ) {}

  async create(baseOffset: number): Promise<CleanedSegmentWriter> {
    const paths = cleanedPaths(this.dir, baseOffset);
    const fd = await openAsync(paths.log, 'w+');
    return new FileCleanedSegmentWriter(this.dir, baseOffset, fd, new SegmentIndex(baseOffset, this.indexIntervalBytes), this.log);
  }

  async readCheckpoint(): Promise<number | null> {
    try {
      const n = Number((await readFile(join(this.dir, CHECKPOINT_FILE), 'utf8')).trim());
      return Number.isSafeInteger(n) && n >= 0 ? n : null;
    } catch {
      return null;
    }
  }

  writeCheckpoint(offset: number): Promise<void> {
    return writeFileDurably(join(this.dir, CHECKPOINT_FILE), `${offset}\n`);
  }
}

class FileCleanedSegmentWriter implements CleanedSegmentWriter {
  bytesWritten = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private segment: FileSegment | null = null;
  private committed = false;

  constructor(
    private readonly dir: string,
    private readonly baseOffset: number,
    private readonly fd: number,
    private readonly index: SegmentIndex,
    private readonly log: Logger,
  ) {}

  async append(batch: Buffer, baseOffset: number, _lastOffset: number, maxTimestamp: number): Promise<void> {
    this.index.onBatch(baseOffset, this.bytesWritten + this.pendingBytes, batch.length, maxTimestamp);
    this.pending.push(batch);
    this.pendingBytes += batch.length;
    if (this.pendingBytes >= WRITE_BUFFER_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await writeAll(this.fd, data, this.bytesWritten);
    this.bytesWritten += data.length;
  }

  async finish(nextOffset: number, lastModifiedMs: number): Promise<Segment> {
    await this.flush();
    await fdatasyncAsync(this.fd);
    // Keep the replaced segments' modification time (retention's fallback when batches carry no timestamps), as Kafka does.
    await futimesAsync(this.fd, lastModifiedMs / 1000, lastModifiedMs / 1000);
    const paths = cleanedPaths(this.dir, this.baseOffset);
    const { offsetIndex, timeIndex } = this.index.serialize();
    await writeFile(paths.offsetIndex, offsetIndex);
    await writeFile(paths.timeIndex, timeIndex);
    this.segment = new FileSegment({ dir: this.dir, baseOffset: this.baseOffset, fd: this.fd, sizeBytes: this.bytesWritten, nextOffset, index: this.index, sealed: true, lastModifiedMs });
    return this.segment;
  }

  async install(replaced: readonly Segment[], onStep?: StepHook): Promise<void> {
    const record: SwapRecord = { version: 1, install: [this.baseOffset], replace: replaced.map((s) => s.baseOffset) };
    await writeFileDurably(join(this.dir, SWAP_RECORD_FILE), JSON.stringify(record) + '\n');
    this.committed = true;
    await onStep?.('swap-committed');
    try {
      await completeSwap(this.dir, record, onStep);
    } catch (err) {
      // Committed: the log switches now and the next start finishes the files.
      this.log.error('could not finish a compaction swap; it completes at the next start', { dir: this.dir, baseOffset: this.baseOffset, error: (err as Error).message });
    }
  }

  async abandon(): Promise<void> {
    if (this.committed) return;
    // Once finished, the segment owns the descriptor.
    if (this.segment !== null) await this.segment.close();
    else await closeAsync(this.fd);
    const paths = cleanedPaths(this.dir, this.baseOffset);
    await Promise.all([paths.log, paths.offsetIndex, paths.timeIndex].map((p) => rm(p, { force: true })));
  }
}
