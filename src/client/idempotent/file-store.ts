import { closeSync, fsyncSync, openSync, readFileSync, renameSync, existsSync, writeSync, ftruncateSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { DedupeState, type DedupeStore, type ProcessedRecord } from './store.js';

export interface FileDedupeStoreOptions {
  /** The snapshot file; the journal is `<path>.journal`, a snapshot being written `<path>.tmp`. */
  readonly path: string;
  readonly maxKeys?: number;
  /** Journal lines after which the state is written as a new snapshot and the journal emptied. */
  readonly compactEveryRecords?: number;
}

interface Snapshot {
  offsets: Record<string, number>;
  keys: string[];
}

/**
 * A dedupe store that survives a crash of the process or of the machine:
 *  - each processed record is appended to a journal and fsync'd before `markProcessed` resolves,
 *    so what the handler was told is remembered is on disk;
 *  - a torn last journal line (a crash in the middle of a write) is dropped on open: the record
 *    it described counts as not processed, the one gap every store outside the handler's own
 *    transaction has;
 *  - the journal is folded into a snapshot written to a temporary file, fsync'd, renamed over the
 *    old one and the directory fsync'd, so a crash leaves either the old snapshot or the new one,
 *    never half of one; the journal is emptied only after, and replaying it twice is harmless.
 * One process at a time: two processes appending to one journal would interleave.
 */
export class FileDedupeStore implements DedupeStore {
  private readonly state: DedupeState;
  private readonly journalPath: string;
  private fd: number;
  private journalLines = 0;
  private readonly compactEvery: number;

  private constructor(private readonly o: FileDedupeStoreOptions) {
    this.state = new DedupeState(o.maxKeys);
    this.journalPath = `${o.path}.journal`;
    this.compactEvery = o.compactEveryRecords ?? 10_000;
    this.load();
    this.fd = openSync(this.journalPath, 'a');
  }

  /** Opens (or creates) the store at `path`, recovering what an earlier process remembered. */
  static async open(o: FileDedupeStoreOptions): Promise<FileDedupeStore> {
    return new FileDedupeStore(o);
  }

  async isProcessed(record: ProcessedRecord): Promise<boolean> {
    return this.state.has(record);
  }

  async markProcessed(record: ProcessedRecord): Promise<void> {
    const line = JSON.stringify([record.topic, record.partition, record.offset, record.key]) + '\n';
    writeSync(this.fd, line);
    fsyncSync(this.fd);
    this.state.add(record);
    if (++this.journalLines >= this.compactEvery) this.compact();
  }

  async close(): Promise<void> {
    closeSync(this.fd);
  }

  /** Writes the state as a new snapshot (atomically) and empties the journal. */
  compact(): void {
    const snapshot: Snapshot = { offsets: Object.fromEntries(this.state.offsets), keys: [...this.state.keys] };
    const tmp = `${this.o.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(snapshot));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.o.path);
    syncDirectory(dirname(this.o.path));
    ftruncateSync(this.fd, 0);
    fsyncSync(this.fd);
    this.journalLines = 0;
  }

  private load(): void {
    // A snapshot being written when the process died never replaced the real one: ignore it.
    if (existsSync(`${this.o.path}.tmp`)) unlinkSync(`${this.o.path}.tmp`);
    if (existsSync(this.o.path)) {
      const snapshot = JSON.parse(readFileSync(this.o.path, 'utf8')) as Snapshot;
      for (const [id, offset] of Object.entries(snapshot.offsets)) this.state.offsets.set(id, offset);
      for (const key of snapshot.keys) this.state.addKey(key);
    }
    if (!existsSync(this.journalPath)) return;
    const bytes = readFileSync(this.journalPath);
    let good = 0;
    while (good < bytes.length) {
      const newline = bytes.indexOf(0x0a, good);
      if (newline < 0) break; // the last line has no end: torn
      let entry: [string, number, number, string | null];
      try {
        entry = JSON.parse(bytes.subarray(good, newline).toString('utf8')) as [string, number, number, string | null];
      } catch {
        break; // a damaged line ends what can be trusted
      }
      this.state.add({ topic: entry[0], partition: entry[1], offset: entry[2], key: entry[3] });
      good = newline + 1;
      this.journalLines++;
    }
    if (good < bytes.length) {
      // Cut the torn tail, so that new lines do not follow garbage.
      const fd = openSync(this.journalPath, 'r+');
      try {
        ftruncateSync(fd, good);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
