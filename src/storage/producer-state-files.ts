import type { Logger } from '../common/logger.js';
import { BATCH, readInt64 } from '../protocol/record-batch-header.js';
import type { PartitionLogObserver, SegmentedPartitionLog } from './partition-log.js';
import { deleteSnapshot, listSnapshots, pruneSnapshotsSync, readSnapshot, writeSnapshotSync } from './producer-snapshot.js';
import type { ProducerEntry } from './producer-state.js';
import { readTxnIndex, TxnIndexFile } from './txn-index.js';

/** Snapshots kept per partition: the latest, and one before it in case the latest is damaged. */
const SNAPSHOTS_KEPT = 2;
const SCAN_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Keeps a file log's producer state on disk: a snapshot at every segment roll and at a clean
 * close, and the aborted-transaction index as aborts happen. The index is fsynced (when it
 * changed) before each snapshot, since a restart that starts from that snapshot does not rebuild
 * the index entries below it; the snapshot itself is not fsynced (see writeSnapshotSync).
 */
export class ProducerStateFiles implements PartitionLogObserver {
  private indexEntriesInFile: number;
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly log: SegmentedPartitionLog,
    private index: TxnIndexFile,
    private readonly logger: Logger,
  ) {
    this.indexEntriesInFile = log.producers.abortedIndex().length;
    log.producers.onAborted = (txn) => {
      this.index.append(txn);
      this.indexEntriesInFile++;
    };
  }

  onRolled(offset: number): void {
    if (this.closed) return;
    try {
      this.compactIndexIfStale();
      this.index.sync();
      writeSnapshotSync(this.dir, offset, this.log.producers.activeProducers());
      pruneSnapshotsSync(this.dir, SNAPSHOTS_KEPT);
    } catch (err) {
      // The next snapshot (or a longer replay at start-up) makes up for it.
      this.logger.warn('producer state snapshot failed', { partition: `${this.log.topic}-${this.log.partition}`, error: (err as Error).message });
    }
  }

  onLogStartMoved(_offset: number): void {
    // The index is rewritten without the dropped entries at the next snapshot.
  }

  async close(logEndOffset: number): Promise<void> {
    if (this.closed) return;
    this.onRolled(logEndOffset);
    this.closed = true;
    this.index.close();
  }

  destroy(): void {
    this.closed = true;
    this.index.close();
  }

  /** Rewrites the index once retention has dropped many of its entries from memory. */
  private compactIndexIfStale(): void {
    const live = this.log.producers.abortedIndex();
    if (this.indexEntriesInFile <= 2 * live.length + 100) return;
    this.index = this.index.replaceSync(live);
    this.indexEntriesInFile = live.length;
  }

}

/**
 * Rebuilds a file log's producer state at start-up, as Kafka's loadProducerState does: the latest
 * usable snapshot at or below the log end (snapshots above it belong to a tail that recovery
 * cut off, and are deleted), the aborted-transaction entries below that snapshot, then every
 * batch header after it is replayed. Without a snapshot (a data dir from before snapshots), only
 * the last two segments are replayed, as Kafka does after a clean shutdown without one. Then the
 * snapshots and index follow the log.
 */
export async function loadProducerState(log: SegmentedPartitionLog, dir: string, logger: Logger): Promise<void> {
  const startedMs = performance.now();
  const logStart = log.logStartOffset;
  const logEnd = log.logEndOffset;
  let from: number | null = null;
  let entries: ProducerEntry[] = [];
  for (const offset of (await listSnapshots(dir)).reverse()) {
    if (offset > logEnd) {
      await deleteSnapshot(dir, offset);
      continue;
    }
    if (from !== null) continue;
    try {
      entries = await readSnapshot(dir, offset);
      from = offset;
    } catch (err) {
      logger.warn('ignoring a damaged producer state snapshot', { partition: `${log.topic}-${log.partition}`, offset, error: (err as Error).message });
      await deleteSnapshot(dir, offset);
    }
  }
  if (from === null) {
    const bases = log.segmentBaseOffsets();
    from = bases.length >= 2 ? bases[bases.length - 2]! : bases[0]!;
  }
  const scanFrom = Math.max(from, logStart);
  const onDisk = readTxnIndex(dir);
  log.producers.restore(entries, onDisk.filter((t) => t.lastOffset < scanFrom && t.lastOffset >= logStart));
  const scanned = await replayBatches(log, scanFrom, logEnd);
  const index = await TxnIndexFile.open(dir, log.producers.abortedIndex(), onDisk);
  log.setObserver(new ProducerStateFiles(dir, log, index, logger));
  if (scanned > 0 || entries.length > 0) {
    logger.debug('producer state loaded', {
      partition: `${log.topic}-${log.partition}`,
      snapshotOffset: from,
      producers: log.producers.size,
      batchesReplayed: scanned,
      durationMs: Math.round(performance.now() - startedMs),
    });
  }
}

/** Feeds the header of every batch in [from, to) to the producer state; returns how many. */
async function replayBatches(log: SegmentedPartitionLog, from: number, to: number): Promise<number> {
  let offset = from;
  let count = 0;
  while (offset < to) {
    const read = await log.read(offset, SCAN_CHUNK_BYTES);
    if (read.bytes === 0) break;
    let next = offset;
    for (const chunk of read.chunks) {
      for (let pos = 0; pos + BATCH.HEADER_BYTES <= chunk.length; ) {
        const size = chunk.readInt32BE(pos + BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD;
        const baseOffset = readInt64(chunk, pos + BATCH.BASE_OFFSET);
        const lastOffset = baseOffset + chunk.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
        if (lastOffset >= offset) {
          log.producers.onBatchAppended(chunk, pos, size, baseOffset, lastOffset, readInt64(chunk, pos + BATCH.MAX_TIMESTAMP));
          count++;
        }
        next = Math.max(next, lastOffset + 1);
        pos += size;
      }
    }
    if (next <= offset) break;
    offset = next;
  }
  return count;
}
