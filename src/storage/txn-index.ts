import { closeSync, fsyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync, writeFileDurably } from './file-io.js';
import type { AbortedTxn } from './producer-state.js';

/**
 * The aborted-transaction index of a partition (Kafka keeps one `.txnindex` per segment; Samsa
 * keeps one file per partition): fixed 32-byte entries of producer id, first offset, marker
 * offset and last stable offset, appended as abort markers are written. It is derived from the
 * log: entries at or after the producer snapshot a restart starts from are dropped and rebuilt
 * by replaying the log, so an entry lost in a crash comes back.
 */
export const TXN_INDEX_FILE = 'aborted-transactions.index';
const ENTRY_BYTES = 32;

export function encodeAbortedTxn(t: AbortedTxn): Buffer {
  const b = Buffer.alloc(ENTRY_BYTES);
  b.writeBigInt64BE(BigInt(t.producerId), 0);
  b.writeBigInt64BE(BigInt(t.firstOffset), 8);
  b.writeBigInt64BE(BigInt(t.lastOffset), 16);
  b.writeBigInt64BE(BigInt(t.lastStableOffset), 24);
  return b;
}

/** Reads the index, ignoring a torn last entry. */
export function readTxnIndex(dir: string): AbortedTxn[] {
  let data: Buffer;
  try {
    data = readFileSync(join(dir, TXN_INDEX_FILE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const entries: AbortedTxn[] = [];
  for (let pos = 0; pos + ENTRY_BYTES <= data.length; pos += ENTRY_BYTES) {
    entries.push({
      producerId: Number(data.readBigInt64BE(pos)),
      firstOffset: Number(data.readBigInt64BE(pos + 8)),
      lastOffset: Number(data.readBigInt64BE(pos + 16)),
      lastStableOffset: Number(data.readBigInt64BE(pos + 24)),
    });
  }
  return entries;
}

/** The index file of one partition, opened for appends on the first abort. */
export class TxnIndexFile {
  private fd: number | null = null;
  private closed = false;
  private dirty = false;

  private constructor(private readonly path: string) {}

  /**
   * Makes the file hold exactly `entries`, rewriting it (durably) only when it holds something
   * else (`onDisk`, what readTxnIndex found): most partitions never see an abort and keep no file.
   */
  static async open(dir: string, entries: readonly AbortedTxn[], onDisk: readonly AbortedTxn[]): Promise<TxnIndexFile> {
    const path = join(dir, TXN_INDEX_FILE);
    const same = entries.length === onDisk.length && entries.every((e, i) => encodeAbortedTxn(e).equals(encodeAbortedTxn(onDisk[i]!)));
    if (!same) {
      if (entries.length === 0) rmSync(path, { force: true });
      else await writeFileDurably(path, Buffer.concat(entries.map(encodeAbortedTxn)));
    }
    return new TxnIndexFile(path);
  }

  /** Replaces the file with `entries` (fsynced) and returns the file to append to from now on. */
  replaceSync(entries: readonly AbortedTxn[]): TxnIndexFile {
    this.close();
    if (entries.length === 0) {
      rmSync(this.path, { force: true });
    } else {
      writeFileAtomicSync(this.path, Buffer.concat(entries.map(encodeAbortedTxn)));
      const fd = openSync(this.path, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    return new TxnIndexFile(this.path);
  }

  /** Appends one entry; it reaches the OS at once (it survives a crash of the process). */
  append(t: AbortedTxn): void {
    if (this.closed) return;
    this.fd ??= openSync(this.path, 'a');
    const b = encodeAbortedTxn(t);
    let done = 0;
    while (done < b.length) done += writeSync(this.fd, b, done, b.length - done);
    this.dirty = true;
  }

  /** fsyncs appended entries: done before a producer snapshot, which may let a restart skip them. */
  sync(): void {
    if (this.fd === null || !this.dirty) return;
    fsyncSync(this.fd);
    this.dirty = false;
  }

  close(): void {
    this.closed = true;
    if (this.fd === null) return;
    this.sync();
    closeSync(this.fd);
    this.fd = null;
  }

  get filePath(): string {
    return this.path;
  }
}
