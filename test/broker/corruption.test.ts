import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { open as openFile, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { ZERO_UUID } from '../../src/protocol/codec-helpers.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { BATCH } from '../../src/protocol/record-batch-header.js';
import { readRecoveryPoints } from '../../src/storage/recovery-point.js';
import { makeTempDir, RawConnection, readTopicRaw, runKcat, samsaCommand, spawnBroker, waitFor, type BrokerProcess } from '../helpers/index.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/** A port free right now, so a restarted broker comes back where clients remember it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function samsa(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { command, args: base } = samsaCommand();
  const r = spawnSync(command, [...base, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Byte position and size of each batch in a segment file. */
async function batchesIn(path: string): Promise<Array<{ position: number; size: number; baseOffset: number }>> {
  const data = await readFile(path);
  const out = [];
  for (let pos = 0; pos < data.length; pos += data.readInt32BE(pos + BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD) {
    out.push({ position: pos, size: data.readInt32BE(pos + BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD, baseOffset: Number(data.readBigInt64BE(pos)) });
  }
  return out;
}

const TOPIC = 'acked';
const PARTITIONS = 3;
const SENDS = 5;

describe('a flipped byte below the recovery point (acknowledged records were silently truncated and their offsets reused)', () => {
  let dir: { path: string; remove(): Promise<void> };
  let broker: BrokerProcess | null = null;
  let port: number;
  let target: { position: number; size: number; baseOffset: number };
  let damagedFile: Buffer;
  const segment = () => join(dir.path, `${TOPIC}-0`, '00000000000000000000.log');

  before(async () => {
    dir = await makeTempDir('samsa-corruption-');
    port = await freePort();
  });
  after(async () => {
    await broker?.kill('SIGKILL');
    await dir.remove();
  });

  const startBroker = (...extra: string[]) => spawnBroker(['--data-dir', dir.path, '--port', String(port), '--flush-interval-ms', '50', '--log-level', 'info', ...extra]);
  const kafka = () => new Kafka({ clientId: 'corruption', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 2000, requestTimeout: 5000 });

  it('keeps the damaged partition offline, serves the others, reports the damage and changes nothing', async () => {
    broker = await startBroker();
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }, { topic: 'other' }] });
    await admin.disconnect();
    const producer = kafka().producer();
    await producer.connect();
    // Five acks=all sends per partition, two records each: partition 0 holds batches at 0, 2, 4, 6, 8.
    for (let i = 0; i < SENDS; i++) {
      for (let p = 0; p < PARTITIONS; p++) {
        await producer.send({ topic: TOPIC, acks: -1, messages: [0, 1].map((j) => ({ partition: p, value: `p${p}-${2 * i + j}` })) });
      }
    }
    await producer.send({ topic: 'other', acks: -1, messages: [{ value: 'untouched' }] });
    await producer.disconnect();
    // The checkpoint covers every acknowledged record, then the broker dies.
    await waitFor(async () => (await readRecoveryPoints(dir.path)).get(`${TOPIC}-0`) === 2 * SENDS, 10_000, 'the recovery point checkpoint');
    await broker.kill('SIGKILL');

    // One byte inside the records of the batch holding offsets 4 and 5.
    target = (await batchesIn(segment()))[2]!;
    assert.equal(target.baseOffset, 4);
    const handle = await openFile(segment(), 'r+');
    await handle.write(Buffer.from([0x5a]), 0, 1, target.position + target.size - 3);
    await handle.close();
    damagedFile = await readFile(segment());

    broker = await startBroker();
    const errorLine = broker.stderr().split('\n').find((l) => / ERROR partition offline/.test(l));
    assert.ok(errorLine, broker.stderr());
    assert.ok(errorLine.includes(`file=${segment()}`), errorLine);
    assert.ok(errorLine.includes(`position=${target.position} `), errorLine);
    assert.ok(errorLine.includes('offsets=4-5'), errorLine);

    // Metadata lists this broker as the offline replica of partition 0 (KIP-112).
    const c = await RawConnection.connect(port);
    const metadata = await c.request(3, 12, { topics: [{ name: TOPIC, topicId: ZERO_UUID }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    assert.deepEqual(metadata.topics[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode, p.leaderId, p.offlineReplicas]), [[0, 0, 1, [1]], [1, 0, 1, []], [2, 0, 1, []]]);

    // kafkajs gets the storage error on Produce to partition 0...
    const kafkajs = kafka().producer();
    await kafkajs.connect();
    await assert.rejects(kafkajs.send({ topic: TOPIC, acks: -1, messages: [{ partition: 0, value: 'refused' }] }), (err: Error & { type?: string; cause?: { type?: string } }) => {
      return (err.type ?? err.cause?.type) === 'KAFKA_STORAGE_ERROR';
    });
    // ...while the topic's other partitions take writes.
    const [ok] = await kafkajs.send({ topic: TOPIC, acks: -1, messages: [{ partition: 1, value: 'p1-after' }] });
    assert.equal(ok!.baseOffset, String(2 * SENDS));
    await kafkajs.disconnect();
    // So does kcat (librdkafka), told not to retry.
    const kcat = await runKcat(['-P', '-b', `127.0.0.1:${port}`, '-t', TOPIC, '-p', '0', '-X', 'retries=0', '-X', 'acks=all'], { input: 'refused\n' }).catch((err: Error) => err);
    assert.match(String(kcat instanceof Error ? kcat.message : kcat.stderr), /Broker: Disk error when trying to access log file on disk/);
    // Fetch and ListOffsets say the same.
    const fetched = await c.request(1, 11, { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, topics: [{ topic: TOPIC, partitions: [0, 2].map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 })) }] });
    assert.deepEqual(fetched.responses[0]!.partitions.map((p) => p.errorCode), [ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.NONE]);
    const listed = await c.request(2, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -1, currentLeaderEpoch: -1 }] }] });
    assert.equal(listed.topics[0]!.partitions[0]!.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    c.close();
    // kcat reads every other partition and topic.
    const consumed = await runKcat(['-C', '-b', `127.0.0.1:${port}`, '-t', TOPIC, '-p', '2', '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
    assert.deepEqual(consumed.stdout.trim().split('\n'), Array.from({ length: 2 * SENDS }, (_, i) => `p2-${i}`));
    assert.equal((await runKcat(['-C', '-b', `127.0.0.1:${port}`, '-t', 'other', '-o', 'beginning', '-e', '-q', '-f', '%s'])).stdout, 'untouched');

    // Nothing was truncated: the file is byte for byte what it was, even after a clean stop.
    assert.equal((await broker.kill('SIGTERM')).code, 0);
    assert.deepEqual(await readFile(segment()), damagedFile);
    const verify = samsa('storage', 'verify', '--data-dir', dir.path, '--format', 'json');
    assert.equal(verify.status, 3, verify.stderr);
    const checked = JSON.parse(verify.stdout) as { partitions: Array<{ dirName: string; status: string; damaged: Array<{ firstOffset: number; lastOffset: number }> }> };
    assert.deepEqual(checked.partitions.filter((p) => p.status !== 'ok').map((p) => [p.dirName, p.status, p.damaged.map((d) => [d.firstOffset, d.lastOffset])]), [[`${TOPIC}-0`, 'damaged', [[4, 5]]]]);
  });

  it('repairs by losing exactly the damaged batch: the log end stays and new records get new offsets', async () => {
    const repair = samsa('storage', 'repair', '--data-dir', dir.path, '--topic', TOPIC, '--partition', '0', '--format', 'json');
    assert.equal(repair.status, 0, repair.stderr);
    const report = JSON.parse(repair.stdout) as { lost: Array<{ firstOffset: number; lastOffset: number; movedTo: string }>; logEndOffset: number };
    assert.deepEqual(report.lost.map((l) => [l.firstOffset, l.lastOffset]), [[4, 5]]);
    assert.equal(report.logEndOffset, 2 * SENDS);
    assert.deepEqual(await readFile(join(dir.path, `${TOPIC}-0`, report.lost[0]!.movedTo)), damagedFile.subarray(target.position, target.position + target.size), 'the damaged batch, moved aside');

    broker = await startBroker();
    const records = await readTopicRaw(broker.port, TOPIC, 1);
    assert.deepEqual(records.map((r) => r.offset), [0, 1, 2, 3, 6, 7, 8, 9]);
    assert.deepEqual(records.map((r) => r.value), ['p0-0', 'p0-1', 'p0-2', 'p0-3', 'p0-6', 'p0-7', 'p0-8', 'p0-9']);
    const producer = kafka().producer();
    await producer.connect();
    const [sent] = await producer.send({ topic: TOPIC, acks: -1, messages: [{ partition: 0, value: 'p0-new' }] });
    await producer.disconnect();
    assert.equal(sent!.baseOffset, String(2 * SENDS), 'offsets 4 and 5 are not handed out again');
    assert.equal((await broker.kill('SIGTERM')).code, 0);
  });

  it('finds damage after a clean stop with --verify-on-start, and repairs it at start-up with --repair', async () => {
    const target2 = (await batchesIn(segment()))[0]!;
    const handle = await openFile(segment(), 'r+');
    await handle.write(Buffer.from([0xa5]), 0, 1, target2.position + target2.size - 3);
    await handle.close();
    broker = await startBroker('--verify-on-start', '--repair');
    assert.match(broker.stderr(), / ERROR partition offline/);
    assert.match(broker.stderr(), / WARN partition repaired partition=acked-0 lost=\["0-1"\]/);
    const records = await readTopicRaw(broker.port, TOPIC, 1);
    assert.deepEqual(records.map((r) => r.offset), [2, 3, 6, 7, 8, 9, 10]);
    assert.equal((await broker.kill('SIGTERM')).code, 0);
  });
});
