import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from './file-io.js';

/** Bytes of a segment file that hold no valid batch, below a partition's recovery point. */
export interface DamagedBytes {
  /** The segment file, by name, in the partition directory. */
  file: string;
  /** Where the damaged bytes start in that file, and how many there are. */
  position: number;
  bytes: number;
  /** The offsets they held: from one past the previous valid batch to one before the next. */
  firstOffset: number;
  lastOffset: number;
  reason: string;
}

/** Why a partition is offline. */
export interface PartitionDamage {
  topic: string;
  partition: number;
  /** Its directory under the data dir. */
  dirName: string;
  /** The partition's recovery point when the damage was found. */
  recoveryPoint: number;
  damaged: DamagedBytes[];
}

/**
 * `damaged.json` in a partition directory: written when damage is found, removed by a repair.
 * While it is there, every start-up checks all of the partition's segments, so a partition found
 * damaged stays offline across restarts (a clean shutdown would otherwise skip the check).
 */
export const DAMAGE_MARKER_FILE = 'damaged.json';

export async function readDamageMarker(dir: string): Promise<PartitionDamage | null> {
  try {
    return JSON.parse(await readFile(join(dir, DAMAGE_MARKER_FILE), 'utf8')) as PartitionDamage;
  } catch {
    return null;
  }
}

export function writeDamageMarker(dir: string, damage: PartitionDamage): Promise<void> {
  return writeFileDurably(join(dir, DAMAGE_MARKER_FILE), JSON.stringify(damage, null, 2) + '\n');
}

export async function removeDamageMarker(dir: string): Promise<void> {
  await rm(join(dir, DAMAGE_MARKER_FILE), { force: true });
}

/** `first-last` (or one offset), for log lines and reports. */
export function offsetRange(first: number, last: number): string {
  return first === last ? String(first) : `${first}-${last}`;
}
