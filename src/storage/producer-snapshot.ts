import { readdirSync, rmSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '../protocol/crc32c.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { writeFileAtomicSync } from './file-io.js';
import type { ProducerEntry } from './producer-state.js';

/**
 * Producer state snapshots, as Kafka's `<offset>.snapshot` files beside the segments: the state
 * of every producer after all batches below `offset`. Written when a segment rolls (at the new
 * segment's base) and at a clean shutdown (at the log end), so a restart replays only the log
 * after the latest one. A CRC-32C over the content guards against torn or damaged files.
 */
export const SNAPSHOT_SUFFIX = '.snapshot';
const SNAPSHOT_VERSION = 1;

export function snapshotFileName(offset: number): string {
  return `${String(offset).padStart(20, '0')}${SNAPSHOT_SUFFIX}`;
}

export function parseSnapshotFileName(name: string): number | null {
  if (!name.endsWith(SNAPSHOT_SUFFIX)) return null;
  const digits = name.slice(0, -SNAPSHOT_SUFFIX.length);
  if (!/^\d{20}$/.test(digits)) return null;
  const offset = Number(digits);
  return Number.isSafeInteger(offset) ? offset : null;
}

export function encodeProducerSnapshot(entries: readonly ProducerEntry[]): Buffer {
  const w = new Writer({ initialBytes: 64 + entries.length * 96 });
  w.int16(SNAPSHOT_VERSION).int32(entries.length);
  for (const e of entries) {
    w.int64(e.producerId).int16(e.producerEpoch).int32(e.coordinatorEpoch).int64(e.currentTxnFirstOffset).int64(e.lastTimestamp).int8(e.batches.length);
    for (const b of e.batches) w.int32(b.firstSequence).int32(b.lastSequence).int64(b.firstOffset).int64(b.lastOffset);
  }
  const body = w.toBuffer();
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32c(body));
  return Buffer.concat([body, crc]);
}

/** Decodes a snapshot; throws when it is damaged or of an unknown version. */
export function decodeProducerSnapshot(data: Buffer): ProducerEntry[] {
  if (data.length < 10) throw new Error('producer snapshot is too short');
  const body = data.subarray(0, data.length - 4);
  if (crc32c(body) !== data.readUInt32BE(data.length - 4)) throw new Error('producer snapshot CRC mismatch');
  const r = new Reader(body);
  const version = r.int16();
  if (version !== SNAPSHOT_VERSION) throw new Error(`unsupported producer snapshot version ${version}`);
  const count = r.int32();
  if (count < 0 || count > r.remaining) throw new Error(`bad producer count ${count}`);
  const entries: ProducerEntry[] = [];
  for (let i = 0; i < count; i++) {
    const producerId = r.int64();
    const producerEpoch = r.int16();
    const coordinatorEpoch = r.int32();
    const currentTxnFirstOffset = r.int64();
    const lastTimestamp = r.int64();
    const batchCount = r.int8();
    const batches = [];
    for (let b = 0; b < batchCount; b++) batches.push({ firstSequence: r.int32(), lastSequence: r.int32(), firstOffset: r.int64(), lastOffset: r.int64() });
    entries.push({ producerId, producerEpoch, coordinatorEpoch, currentTxnFirstOffset, lastTimestamp, batches });
  }
  return entries;
}

/** Snapshot offsets in the directory, ascending. */
export async function listSnapshots(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names.map(parseSnapshotFileName).filter((o): o is number => o !== null).sort((a, b) => a - b);
}

/**
 * Writes a snapshot (to a temporary file renamed into place) without waiting for the disk: a
 * snapshot lost or torn by a power loss fails its CRC and the restart replays from an older one.
 */
export function writeSnapshotSync(dir: string, offset: number, entries: readonly ProducerEntry[]): void {
  writeFileAtomicSync(join(dir, snapshotFileName(offset)), encodeProducerSnapshot(entries));
}

/** Deletes every snapshot but the newest `keep`. */
export function pruneSnapshotsSync(dir: string, keep: number): void {
  const offsets = readdirSync(dir).map(parseSnapshotFileName).filter((o): o is number => o !== null).sort((a, b) => a - b);
  for (const old of offsets.slice(0, Math.max(0, offsets.length - keep))) rmSync(join(dir, snapshotFileName(old)), { force: true });
}

export async function readSnapshot(dir: string, offset: number): Promise<ProducerEntry[]> {
  return decodeProducerSnapshot(await readFile(join(dir, snapshotFileName(offset))));
}

export async function deleteSnapshot(dir: string, offset: number): Promise<void> {
  await rm(join(dir, snapshotFileName(offset)), { force: true });
}
