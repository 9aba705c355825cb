import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir, writeFileDurably } from './file-io.js';

/**
 * Each partition's recovery point (everything below it was fdatasynced), in one file per data
 * dir as Kafka's `recovery-point-offset-checkpoint`: a version line (0), a count line, then one
 * `<partition directory> <offset>` line per log. Rewritten atomically and durably.
 */
export const RECOVERY_POINT_FILE = 'recovery-point-offset-checkpoint';

/** Kafka's `.kafka_cleanshutdown`: present only while the store is closed after a clean close. */
export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';

const VERSION = 0;

/** The recovery points on disk by partition directory (empty when there is no checkpoint yet). */
export async function readRecoveryPoints(dataDir: string): Promise<Map<string, number>> {
  const path = join(dataDir, RECOVERY_POINT_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw err;
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  const malformed = (why: string): Error =>
    new Error(`${path} is malformed (${why}); it is written atomically, so this is damage: move it away to start as if no recovery point were known`);
  if (Number(lines[0]) !== VERSION) throw malformed(`version ${lines[0]}`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count !== lines.length - 2) throw malformed(`count ${lines[1]} for ${lines.length - 2} entries`);
  const points = new Map<string, number>();
  for (const line of lines.slice(2)) {
    const space = line.lastIndexOf(' ');
    const offset = Number(line.slice(space + 1));
    if (space <= 0 || !Number.isSafeInteger(offset) || offset < 0) throw malformed(`line '${line}'`);
    points.set(line.slice(0, space), offset);
  }
  return points;
}

export async function writeRecoveryPoints(dataDir: string, points: ReadonlyMap<string, number>): Promise<void> {
  const entries = [...points].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const text = [String(VERSION), String(entries.length), ...entries.map(([dir, offset]) => `${dir} ${offset}`)].join('\n') + '\n';
  await writeFileDurably(join(dataDir, RECOVERY_POINT_FILE), text);
}

export async function hasCleanShutdownMarker(dataDir: string): Promise<boolean> {
  try {
    await access(join(dataDir, CLEAN_SHUTDOWN_FILE));
    return true;
  } catch {
    return false;
  }
}

/** Written last on a clean close, after every log was synced and its index saved. */
export async function writeCleanShutdownMarker(dataDir: string): Promise<void> {
  await writeFile(join(dataDir, CLEAN_SHUTDOWN_FILE), '');
  await syncDir(dataDir);
}

/** Removed once the logs are loaded, before anything is appended: a crash from here on is unclean. */
export async function removeCleanShutdownMarker(dataDir: string): Promise<void> {
  await rm(join(dataDir, CLEAN_SHUTDOWN_FILE), { force: true });
  await syncDir(dataDir);
}
