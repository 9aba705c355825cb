import assert from 'node:assert/strict';
import { CompressionType } from '../../src/protocol/record-batch-header.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../src/protocol/record-batch.js';
import type { PartitionLog } from '../../src/storage/types.js';

/**
 * A model of a compacted partition for the cleaner's tests: every record appended (what the log
 * held before any cleaning) and what the cleaner may and may not have done to it.
 */

export interface ModelRecord {
  offset: number;
  key: string | null;
  /** null: a tombstone. */
  value: string | null;
  timestamp: number;
}

export interface ModelBatch {
  baseOffset: number;
  lastOffset: number;
}

export interface StoredRecord extends ModelRecord {
  batchBaseOffset: number;
  batchLastOffset: number;
  batchRecordCount: number;
  compression: CompressionType;
  deleteHorizon: boolean;
}

export interface RecordSpec {
  key: string | null;
  value: string | null;
}

/** Encodes records as one batch (as a producer would), stamped `timestamp`, `timestamp + 1`, ... */
export function encodeBatch(records: readonly RecordSpec[], timestamp: number, compression = CompressionType.None, producer?: { id: number; epoch: number; sequence: number }): Promise<Buffer> {
  return encodeRecordBatch({
    records: records.map((r, i) => ({
      key: r.key === null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
      timestamp: timestamp + i,
    })),
    compression,
    ...(producer !== undefined ? { producerId: producer.id, producerEpoch: producer.epoch, baseSequence: producer.sequence } : {}),
  });
}

export class CompactionModel {
  readonly records: ModelRecord[] = [];
  readonly batches: ModelBatch[] = [];

  /** Appends `records` as one batch to `log` and to the model. */
  async append(log: PartitionLog, records: readonly RecordSpec[], timestamp: number, compression = CompressionType.None, producer?: { id: number; epoch: number; sequence: number }): Promise<void> {
    const batch = await encodeBatch(records, timestamp, compression, producer);
    const { baseOffset, lastOffset } = log.append(batch, timestamp);
    this.batches.push({ baseOffset, lastOffset });
    records.forEach((r, i) => this.records.push({ offset: baseOffset + i, key: r.key, value: r.value, timestamp: timestamp + i }));
  }

  /** Records a batch another process appended at `baseOffset` (as `append` would have). */
  appendedAt(baseOffset: number, records: readonly RecordSpec[], timestamp: number): void {
    this.batches.push({ baseOffset, lastOffset: baseOffset + records.length - 1 });
    records.forEach((r, i) => this.records.push({ offset: baseOffset + i, key: r.key, value: r.value, timestamp: timestamp + i }));
  }

  /** The last record of each key among records with offsets below `endOffset`. */
  latestByKey(endOffset = Infinity): Map<string, ModelRecord> {
    const latest = new Map<string, ModelRecord>();
    for (const r of this.records) if (r.key !== null && r.offset < endOffset) latest.set(r.key, r);
    return latest;
  }
}

/** Every record the log serves from its start, read with plain reads and our own decoder (CRC checked). */
export async function readAll(log: PartitionLog): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { chunks } = await log.read(offset, 1 << 20);
    const batches = await decodeRecordBatches(Buffer.concat(chunks));
    assert.ok(batches.length > 0, `a read at ${offset} returned no batch`);
    for (const b of batches) {
      const batchLastOffset = b.header.baseOffset + b.header.lastOffsetDelta;
      for (const r of b.records) {
        if (r.offset < offset) continue;
        out.push({
          offset: r.offset,
          key: r.key?.toString() ?? null,
          value: r.value?.toString() ?? null,
          timestamp: r.timestamp,
          batchBaseOffset: b.header.baseOffset,
          batchLastOffset,
          batchRecordCount: b.header.recordCount,
          compression: b.compression,
          deleteHorizon: (b.header.attributes & 0x40) !== 0,
        });
      }
      offset = Math.max(offset, batchLastOffset + 1);
    }
  }
  return out;
}

/**
 * What any cleaning must preserve, whatever the map size, timing or crash:
 * - only records that were appended, at their offsets, with their keys, values and timestamps, in
 *   offset order, in batches that keep their original base and last offsets;
 * - for every key, the latest record appended stays the latest one served, except that a latest
 *   tombstone may be gone, but then every older record of the key is gone too;
 * - everything from `untouchedFrom` on (the active segment) is served as appended.
 */
export function checkCompactionInvariants(model: CompactionModel, stored: readonly StoredRecord[], untouchedFrom: number): void {
  const byOffset = new Map(model.records.map((r) => [r.offset, r]));
  const batchAt = new Map(model.batches.map((b) => [b.baseOffset, b]));
  let previous = -1;
  for (const s of stored) {
    assert.ok(s.offset > previous, `offsets go ${previous} -> ${s.offset}`);
    previous = s.offset;
    const m = byOffset.get(s.offset);
    assert.ok(m !== undefined, `offset ${s.offset} was never appended`);
    assert.deepEqual({ key: s.key, value: s.value, timestamp: s.timestamp }, { key: m.key, value: m.value, timestamp: m.timestamp }, `record at ${s.offset}`);
    const original = batchAt.get(s.batchBaseOffset);
    assert.ok(original !== undefined && original.lastOffset === s.batchLastOffset, `batch at ${s.batchBaseOffset} keeps its offsets ${s.batchBaseOffset}..${s.batchLastOffset}`);
  }
  const lastServed = new Map<string, StoredRecord>();
  for (const s of stored) if (s.key !== null) lastServed.set(s.key, s);
  for (const [key, latest] of model.latestByKey()) {
    const served = lastServed.get(key);
    if (latest.value === null && served === undefined) continue;
    assert.ok(served !== undefined, `key ${key}: latest record at ${latest.offset} is gone`);
    assert.equal(served.offset, latest.offset, `key ${key}: the latest record served is at ${served.offset}, the latest appended at ${latest.offset}`);
  }
  const tail = model.records.filter((r) => r.offset >= untouchedFrom).map((r) => r.offset);
  const servedTail = stored.filter((s) => s.offset >= untouchedFrom).map((s) => s.offset);
  assert.deepEqual(servedTail, tail, 'the active segment is untouched');
}

/**
 * After a complete cleaning of everything below `cleanedTo` (an offset map large enough for every
 * key): each key appears there at most once, as its latest record below `cleanedTo`, and only
 * tombstones may be missing.
 */
export function checkFullyCleaned(model: CompactionModel, stored: readonly StoredRecord[], cleanedTo: number): void {
  const latest = model.latestByKey(cleanedTo);
  const below = stored.filter((s) => s.offset < cleanedTo);
  const seen = new Set<string>();
  for (const s of below) {
    assert.ok(s.key !== null, `keyless record at ${s.offset} survived cleaning`);
    assert.ok(!seen.has(s.key), `key ${s.key} appears twice below ${cleanedTo}`);
    seen.add(s.key);
    assert.equal(s.offset, latest.get(s.key)!.offset, `key ${s.key}: an older record at ${s.offset} survived`);
  }
  for (const [key, r] of latest) if (r.value !== null) assert.ok(seen.has(key), `key ${key}: its value at ${r.offset} is gone`);
}
