import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { open as openFile, readdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MemoryLogger } from '../../src/common/logger.js';
import { openLogStore, repairPartition, verifyDataDir, type LogStore, type PartitionLog } from '../../src/storage/index.js';
import { readRecoveryPoints } from '../../src/storage/recovery-point.js';
import { batchBaseOffsets, buildBatch } from './batch-builder.js';
import { waitFor } from '../helpers/index.js';
import { fileStoreOptions, simulateCrash, tempDataDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
const open: LogStore[] = [];

beforeEach(async () => {
  ({ dir, cleanup } = await tempDataDir());
});
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  await cleanup();
});

type Options = Parameters<typeof fileStoreOptions>[1];

async function openStore(overrides: Options = {}): Promise<LogStore> {
  const store = await openLogStore(fileStoreOptions(dir, { segmentBytes: 1 << 20, ...overrides }));
  open.push(store);
  return store;
}

async function closeStore(store: LogStore): Promise<void> {
  await store.close();
  open.splice(open.indexOf(store), 1);
}

async function readAll(log: PartitionLog): Promise<Buffer> {
  return Buffer.concat((await log.read(log.logStartOffset, 1 << 30)).chunks);
}

/** Two batches of 2 records each per call: batch i holds offsets 2i and 2i+1. */
function batches(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => buildBatch({ values: [Buffer.alloc(40, i + 1), Buffer.alloc(40, i + 101)], timestampMs: 5000 + i }));
}

/** A topic `t` with 2 partitions: 5 batches (offsets 0-9) in partition 0, 1 in partition 1, all synced. */
async function writeTopic(overrides: Options = {}): Promise<{ sent: Buffer[]; segment: string }> {
  const store = await openStore(overrides);
  await store.createTopic('t', 2, {});
  const sent = batches(5);
  for (const b of sent) store.partition('t', 0)!.append(b, 0);
  store.partition('t', 1)!.append(buildBatch(), 0);
  await store.partition('t', 0)!.sync();
  await closeStore(store);
  return { sent, segment: join(dir, 't-0', '00000000000000000000.log') };
}

async function flipByte(path: string, position: number): Promise<void> {
  const handle = await openFile(path, 'r+');
  const b = Buffer.alloc(1);
  await handle.read(b, 0, 1, position);
  b[0]! ^= 0x10;
  await handle.write(b, 0, 1, position);
  await handle.close();
}

/** Where batch `i` starts in the segment (all test batches have the same size). */
const positionOf = (sent: Buffer[], i: number) => sent.slice(0, i).reduce((n, b) => n + b.length, 0);

describe('recovery point', () => {
  it('moves only after fdatasync, and is checkpointed at close', async () => {
    const store = await openStore();
    await store.createTopic('t', 1, {});
    const log = store.partition('t', 0)! as PartitionLog & { recoveryPoint: number };
    for (const b of batches(3)) log.append(b, 0);
    assert.equal(log.recoveryPoint, 0, 'appended but not synced');
    await log.sync();
    assert.equal(log.recoveryPoint, 6);
    log.append(buildBatch(), 0);
    assert.equal(log.recoveryPoint, 6);
    await closeStore(store);
    assert.deepEqual([...(await readRecoveryPoints(dir))], [['t-0', 7]]);
  });

  it('is checkpointed by the background flush', async () => {
    const store = await openStore({ flushIntervalMs: 20 });
    await store.createTopic('t', 1, {});
    store.partition('t', 0)!.append(buildBatch(), 0);
    await waitFor(async () => (await readRecoveryPoints(dir)).get('t-0') === 1, 10_000, 'the checkpoint to reach offset 1');
  });
});

describe('damage below the recovery point', () => {
  it('takes the partition offline with an ERROR naming file, position and offsets, and changes no byte', async () => {
    const { sent, segment } = await writeTopic();
    await simulateCrash(dir, {});
    await flipByte(segment, positionOf(sent, 2) + sent[2]!.length - 5);
    const before = await readFile(segment);
    const logger = new MemoryLogger();
    const store = await openStore({ log: logger });
    assert.equal(store.partition('t', 0), undefined, 'offline');
    assert.equal(store.partition('t', 1)!.logEndOffset, 1, 'the other partition serves');
    const damage = store.partitionDamage('t', 0)!;
    assert.deepEqual(damage.damaged, [{ file: '00000000000000000000.log', position: positionOf(sent, 2), bytes: sent[2]!.length, firstOffset: 4, lastOffset: 5, reason: 'CRC mismatch' }]);
    assert.deepEqual(store.damagedPartitions(), [damage]);
    const errors = logger.lines.filter((l) => l.level === 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.fields!['file'], segment);
    assert.equal(errors[0]!.fields!['position'], positionOf(sent, 2));
    assert.equal(errors[0]!.fields!['offsets'], '4-5');
    assert.deepEqual(await readFile(segment), before, 'nothing truncated');
    await closeStore(store);
    // Still offline after a clean restart: the damage marker makes the start-up check it again.
    const again = await openStore();
    assert.equal(again.partition('t', 0), undefined);
  });

  it('lets a damaged topic be deleted; a topic re-created with its name starts afresh, recovery point included', async () => {
    const { sent, segment } = await writeTopic();
    await simulateCrash(dir, {});
    await flipByte(segment, positionOf(sent, 0) + 70);
    let store = await openStore();
    assert.ok(store.partitionDamage('t', 0));
    await store.deleteTopic('t');
    await store.createTopic('t', 1, {});
    store.partition('t', 0)!.append(buildBatch(), 0);
    assert.equal((await readRecoveryPoints(dir)).get('t-0'), 0, 'not the deleted topic\'s 10');
    await closeStore(store);
    await simulateCrash(dir, {});
    store = await openStore();
    assert.equal(store.partition('t', 0)!.logEndOffset, 1);
    assert.deepEqual(store.damagedPartitions(), []);
  });

  it('is not looked for after a clean shutdown unless verifying (closed and active segments are trusted, as in Kafka)', async () => {
    const { sent, segment } = await writeTopic();
    await flipByte(segment, positionOf(sent, 1) + 70);
    let store = await openStore();
    assert.ok(store.partition('t', 0), 'a clean start does not scan');
    await closeStore(store);
    store = await openStore({ verifyOnOpen: true });
    assert.equal(store.partition('t', 0), undefined, '--verify-on-start finds it');
    assert.equal(store.partitionDamage('t', 0)!.damaged[0]!.firstOffset, 2);
  });

  it('finds damage in a closed segment when verifying', async () => {
    const store = await openStore({ segmentBytes: 400 });
    await store.createTopic('t', 1, {});
    const sent = batches(8);
    for (const b of sent) store.partition('t', 0)!.append(b, 0);
    await closeStore(store);
    const files = (await readdir(join(dir, 't-0'))).filter((f) => f.endsWith('.log')).sort();
    assert.ok(files.length >= 3, files.join());
    await flipByte(join(dir, 't-0', files[0]!), sent[0]!.length + 80);
    await simulateCrash(dir, {});
    assert.ok((await openStore()).partition('t', 0), 'closed segments below the recovery point are trusted');
    await closeStore(open[0]!);
    await simulateCrash(dir, {});
    const verified = await openStore({ verifyOnOpen: true });
    assert.deepEqual(verified.partitionDamage('t', 0)!.damaged.map((d) => [d.file, d.firstOffset, d.lastOffset]), [[files[0], 2, 3]]);
  });

  it('finds a flipped base offset (not covered by the CRC) and blames exactly that batch', async () => {
    const { sent, segment } = await writeTopic();
    await simulateCrash(dir, {});
    // The low byte of batch 2's base offset: 4 becomes 20, a jump inside the log's range.
    await flipByte(segment, positionOf(sent, 2) + 7);
    const store = await openStore();
    assert.deepEqual(store.partitionDamage('t', 0)!.damaged.map((d) => [d.position, d.firstOffset, d.lastOffset]), [[positionOf(sent, 2), 4, 5]]);
  });

  it('finds a damaged batch length and the next batch after it', async () => {
    const { sent, segment } = await writeTopic();
    await simulateCrash(dir, {});
    await flipByte(segment, positionOf(sent, 1) + 10);
    const store = await openStore();
    assert.deepEqual(store.partitionDamage('t', 0)!.damaged.map((d) => [d.position, d.bytes, d.firstOffset, d.lastOffset]), [[positionOf(sent, 1), sent[1]!.length, 2, 3]]);
  });

  it('reports a log that ends below its recovery point (synced data missing)', async () => {
    const { sent, segment } = await writeTopic();
    await simulateCrash(dir, {});
    await truncate(segment, positionOf(sent, 3));
    const store = await openStore();
    const damage = store.partitionDamage('t', 0)!;
    assert.deepEqual(damage.damaged.map((d) => [d.firstOffset, d.lastOffset]), [[6, 9]]);
    assert.match(damage.damaged[0]!.reason, /below its recovery point 10/);
  });

  it('still truncates a torn tail past the recovery point, and deletes the segments after it', async () => {
    const store = await openStore({ segmentBytes: 400 });
    await store.createTopic('t', 1, {});
    const sent = batches(8);
    for (const b of sent) store.partition('t', 0)!.append(b, 0);
    await closeStore(store);
    const files = (await readdir(join(dir, 't-0'))).filter((f) => f.endsWith('.log')).sort();
    // Synced up to offset 2 only; the second segment's first batch is torn.
    await simulateCrash(dir, { 't-0': 2 });
    const secondBase = Number(files[1]!.slice(0, 20));
    await flipByte(join(dir, 't-0', files[1]!), 80);
    const logger = new MemoryLogger();
    const reopened = await openStore({ segmentBytes: 400, log: logger });
    const log = reopened.partition('t', 0)!;
    assert.equal(log.logEndOffset, secondBase);
    assert.deepEqual(batchBaseOffsets((await log.read(0, 1 << 20)).chunks), Array.from({ length: secondBase / 2 }, (_, i) => 2 * i));
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /torn log tail past the recovery point/.test(l.message)));
    assert.equal((await readdir(join(dir, 't-0'))).filter((f) => f.endsWith('.log')).length, 2);
  });
});

describe('damaged internal log', () => {
  it('refuses to open it (the broker cannot start) until a repair start keeps its valid records', async () => {
    let store = await openStore();
    const internal = await store.openInternalLog('group_metadata');
    const sent = batches(3);
    for (const b of sent) internal.append(b, 0);
    await closeStore(store);
    await simulateCrash(dir, {});
    await flipByte(join(dir, '__samsa_group_metadata', '00000000000000000000.log'), sent[0]!.length + 70);
    store = await openStore();
    await assert.rejects(store.openInternalLog('group_metadata'), /internal log __samsa_group_metadata is damaged below its recovery point .*--repair/);
    await closeStore(store);
    store = await openStore({ repairOnOpen: true });
    const repaired = await store.openInternalLog('group_metadata');
    assert.deepEqual(batchBaseOffsets((await repaired.read(0, 1 << 20)).chunks), [0, 4]);
    assert.equal(repaired.logEndOffset, 6);
    assert.deepEqual(store.repairs.map((r) => [r.dirName, r.lost.map((l) => [l.firstOffset, l.lastOffset])]), [['__samsa_group_metadata', [[2, 3]]]]);
  });
});

describe('repair', () => {
  it('keeps every valid batch, moves the damaged bytes aside, keeps the log end; new records get new offsets', async () => {
    const { sent, segment } = await writeTopic();
    await simulateCrash(dir, {});
    await flipByte(segment, positionOf(sent, 2) + 70);
    const damagedBytes = (await readFile(segment)).subarray(positionOf(sent, 2), positionOf(sent, 3));
    const store = await openStore({ repairOnOpen: true });
    const log = store.partition('t', 0)!;
    assert.equal(store.repairs.length, 1);
    const [lost] = store.repairs[0]!.lost;
    assert.deepEqual([lost!.firstOffset, lost!.lastOffset, lost!.position, lost!.bytes], [4, 5, positionOf(sent, 2), sent[2]!.length]);
    assert.deepEqual(await readFile(join(dir, 't-0', lost!.movedTo!)), damagedBytes);
    assert.equal(log.logEndOffset, 10, 'the log end stays');
    assert.deepEqual(await readAll(log), Buffer.concat([sent[0]!, sent[1]!, sent[3]!, sent[4]!].map((b, i) => withBase(b, [0, 2, 6, 8][i]!))));
    assert.equal(log.append(buildBatch(), 0).baseOffset, 10);
    assert.equal(existsSync(join(dir, 't-0', 'damaged.json')), false);
    await closeStore(store);
    const again = await openStore({ verifyOnOpen: true });
    assert.equal(again.partition('t', 0)!.logEndOffset, 11);
  });

  it('keeps the log end when the damage reached it: the lost offsets are never handed out again', async () => {
    const { sent, segment } = await writeTopic();
    await simulateCrash(dir, {});
    await flipByte(segment, positionOf(sent, 4) + 70);
    assert.equal((await openStore()).partition('t', 0), undefined);
    await closeStore(open[0]!);
    const report = await repairPartition(dir, 't-0');
    assert.deepEqual(report.lost.map((l) => [l.firstOffset, l.lastOffset]), [[8, 9]]);
    assert.equal(report.logEndOffset, 10);
    const store = await openStore();
    const log = store.partition('t', 0)!;
    assert.equal(log.logEndOffset, 10);
    assert.equal(log.append(buildBatch(), 0).baseOffset, 10);
    assert.deepEqual(batchBaseOffsets((await log.read(0, 1 << 20)).chunks), [0, 2, 4, 6, 10]);
  });

  it('verify reports damage, torn tails and healthy partitions without changing anything', async () => {
    const { sent, segment } = await writeTopic();
    await simulateCrash(dir, { 't-1': 0 });
    await flipByte(segment, positionOf(sent, 3) + 70);
    const { appendFile } = await import('node:fs/promises');
    await appendFile(join(dir, 't-1', '00000000000000000000.log'), Buffer.from('torn write'));
    const before = await readFile(segment);
    const report = await verifyDataDir(dir);
    assert.equal(report.cleanShutdown, false);
    const [p0, p1] = report.partitions;
    assert.equal(p0!.status, 'damaged');
    assert.deepEqual(p0!.damaged.map((d) => [d.firstOffset, d.lastOffset]), [[6, 7]]);
    assert.equal(p0!.logEndOffset, 10);
    assert.equal(p1!.status, 'torn-tail');
    assert.deepEqual(p1!.tornTail, { file: '00000000000000000000.log', position: buildBatch().length, bytes: 10, firstOffset: 1 });
    assert.deepEqual(await readFile(segment), before);
  });
});

function withBase(batch: Buffer, baseOffset: number): Buffer {
  const copy = Buffer.from(batch);
  copy.writeBigInt64BE(BigInt(baseOffset), 0);
  return copy;
}
