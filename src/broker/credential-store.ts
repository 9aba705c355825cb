import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeScramCredential, SCRAM_MECHANISMS, type ScramMechanism } from '../protocol/sasl/scram.js';
import { ScramCredentialTable } from './security/credentials.js';

/** Where a data directory keeps SCRAM credentials (salted keys only). */
export function credentialsPath(dataDir: string): string {
  return join(dataDir, 'security', 'scram-credentials.json');
}

/** Reads a credentials file; a missing file is an empty table. */
export function readCredentialFile(path: string): ScramCredentialTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new ScramCredentialTable();
    throw err;
  }
  try {
    return ScramCredentialTable.fromJSON(JSON.parse(text));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

/** Writes the file atomically (temporary file, then rename), readable by its owner only. */
export function writeCredentialFile(path: string, table: ScramCredentialTable): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(table, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Credentials for both SCRAM mechanisms from a password (PLAIN is checked against either). */
export function addUser(table: ScramCredentialTable, user: string, password: string, mechanisms: readonly ScramMechanism[] = Object.keys(SCRAM_MECHANISMS) as ScramMechanism[], iterations = 4096): void {
  for (const m of mechanisms) table.set(user, m, makeScramCredential(m, password, randomBytes(24), iterations));
}

/**
 * The broker's credentials: the data directory's file, re-read when it changes (so
 * `samsa users add --data-dir` works on a running broker without a restart), plus users given at
 * start-up in memory. In memory mode only the latter.
 */
export class CredentialStore {
  private table = new ScramCredentialTable();
  private mtimeMs = -1;

  constructor(
    private readonly path: string | null,
    private readonly inMemory: ScramCredentialTable = new ScramCredentialTable(),
  ) {
    this.current();
  }

  /** The credentials now (one stat of the file per call). */
  current(): ScramCredentialTable {
    if (this.path === null) return this.inMemory;
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.path).mtimeMs;
    } catch {
      mtimeMs = 0;
    }
    if (mtimeMs !== this.mtimeMs) {
      const fromFile = readCredentialFile(this.path);
      for (const info of this.inMemory.list()) for (const { mechanism } of info.mechanisms) fromFile.set(info.user, mechanism, this.inMemory.get(info.user, mechanism)!);
      this.table = fromFile;
      this.mtimeMs = mtimeMs;
    }
    return this.table;
  }

  /** Applies a change and persists it (AlterUserScramCredentials). */
  update(change: (table: ScramCredentialTable) => void): void {
    if (this.path === null) {
      change(this.inMemory);
      return;
    }
    const onDisk = readCredentialFile(this.path);
    change(onDisk);
    writeCredentialFile(this.path, onDisk);
    this.mtimeMs = -1;
    this.current();
  }
}
