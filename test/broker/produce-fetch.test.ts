import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { CompressionType } from '../../src/protocol/record-batch-header.js';
import { RawConnection, startTestBroker, type TestBroker } from '../helpers/index.js';

const value = (s: string): { key: Buffer; value: Buffer; timestamp: number } => ({ key: Buffer.from(`k-${s}`), value: Buffer.from(s), timestamp: 1_700_000_000_000 });

async function batchOf(...values: string[]): Promise<Buffer> {
  return encodeRecordBatch({ records: values.map(value) });
}

function concatRecords(records: Buffer | null): Buffer {
  return records ?? Buffer.alloc(0);
}

describe('broker: produce and fetch', () => {
  let broker: TestBroker;
  let c: RawConnection;
  before(async () => {
    broker = await startTestBroker();
    c = await RawConnection.connect(broker.port);
    const res = await c.request(19, 7, {
      topics: [
        { name: 'pf', numPartitions: 2, replicationFactor: -1, assignments: [], configs: [] },
        { name: 'small', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'max.message.bytes', value: '200' }] },
      ],
      timeoutMs: 1000,
    });
    assert.deepEqual(res.topics.map((t) => t.errorCode), [0, 0]);
  });
  after(async () => {
    c.close();
    await broker.close();
  });

  it('answers pipelined requests in order, whatever finishes first', async () => {
    // A long-poll fetch that parks first, then requests that finish at once: responses must
    // still come back in request order.
    const ids = [101, 102, 103, 104];
    // All four in one write, as kafka-python's probe and pipelining clients do.
    c.writeRaw(
      Buffer.concat([
        c.encode(1, 11, { maxWaitMs: 200, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic: 'pf', partitions: [{ partition: 1, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }] }, ids[0]),
        c.encode(3, 1, { topics: [{ name: 'pf' }] }, ids[1]),
        c.encode(18, 2, {}, ids[2]),
        c.encode(2, 1, { replicaId: -1, topics: [{ name: 'pf', partitions: [{ partitionIndex: 0, timestamp: -1 }] }] }, ids[3]),
      ]),
    );
    const fetch = await c.receive(1, 11, ids[0]);
    assert.equal(fetch.responses[0]!.partitions[0]!.errorCode, 0);
    const meta = await c.receive(3, 1, ids[1]);
    assert.equal(meta.topics[0]!.partitions.length, 2);
    const versions = await c.receive(18, 2, ids[2]);
    assert.equal(versions.errorCode, 0);
    const offsets = await c.receive(2, 1, ids[3]);
    assert.equal(offsets.topics[0]!.partitions[0]!.offset, 0);
  });

  it('sends no response at all for acks=0, and still appends', async () => {
    const p = broker.context.store.partition('pf', 0)!;
    const before = p.logEndOffset;
    const silent = c.send(0, 7, { acks: 0, timeoutMs: 1000, topicData: [{ name: 'pf', partitionData: [{ index: 0, records: await batchOf('a', 'b') }] }] });
    const next = c.send(18, 2, {});
    // The first frame to arrive answers the request sent after the acks=0 produce.
    const versions = await c.receive(18, 2, next);
    assert.ok(silent < next);
    assert.equal(versions.errorCode, 0);
    assert.equal(p.logEndOffset, before + 2);
  });

  it('assigns offsets, reports the log start, and returns the stored batches on fetch', async () => {
    const p = broker.context.store.partition('pf', 0)!;
    const start = p.logEndOffset;
    const r1 = await c.request(0, 9, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'pf', partitionData: [{ index: 0, records: await batchOf('x', 'y', 'z') }] }] });
    const part = r1.responses[0]!.partitionResponses[0]!;
    assert.equal(part.errorCode, 0);
    assert.equal(part.baseOffset, start);
    assert.equal(part.logStartOffset, 0);
    assert.equal(part.logAppendTimeMs, -1);
    const gz = await encodeRecordBatch({ records: [value('g1'), value('g2')], compression: CompressionType.Gzip });
    const r2 = await c.request(0, 3, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'pf', partitionData: [{ index: 0, records: gz }] }] });
    assert.equal(r2.responses[0]!.partitionResponses[0]!.baseOffset, start + 3);
    const f = await c.request(1, 12, { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, topics: [{ topic: 'pf', partitions: [{ partition: 0, fetchOffset: start + 1, partitionMaxBytes: 1 << 20 }] }] });
    const fp = f.responses[0]!.partitions[0]!;
    assert.equal(fp.highWatermark, start + 5);
    assert.equal(fp.lastStableOffset, start + 5);
    assert.equal(fp.logStartOffset, 0);
    const batches = await decodeRecordBatches(concatRecords(fp.records));
    const records = batches.flatMap((b) => b.records).filter((r) => r.offset >= start + 1);
    assert.deepEqual(records.map((r) => [r.offset, r.value!.toString()]), [[start + 1, 'y'], [start + 2, 'z'], [start + 3, 'g1'], [start + 4, 'g2']]);
  });

  it('names topics by id from Fetch v13 (KIP-516), UNKNOWN_TOPIC_ID for an id it does not know', async () => {
    const topicId = broker.context.store.topic('pf')!.id;
    const f = await c.request(1, 16, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      topics: [
        { topicId, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] },
        { topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1000 }] },
      ],
    });
    assert.equal(f.responses[0]!.topicId, topicId);
    const p = f.responses[0]!.partitions[0]!;
    assert.equal(p.errorCode, 0);
    const batches = await decodeRecordBatches(concatRecords(p.records));
    assert.equal(batches[0]!.header.baseOffset, 0);
    assert.equal(f.responses[1]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
  });

  it('answers OFFSET_OUT_OF_RANGE outside [logStart, logEnd] and UNKNOWN_TOPIC_OR_PARTITION for unknown partitions', async () => {
    const end = broker.context.store.partition('pf', 0)!.logEndOffset;
    const f = await c.request(1, 11, {
      maxWaitMs: 5000,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [
        { topic: 'pf', partitions: [{ partition: 0, fetchOffset: end + 1, partitionMaxBytes: 1000 }, { partition: 7, fetchOffset: 0, partitionMaxBytes: 1000 }] },
        { topic: 'nope', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1000 }] },
      ],
    });
    // Errors answer at once despite maxWaitMs 5000.
    assert.equal(f.responses[0]!.partitions[0]!.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    assert.equal(f.responses[0]!.partitions[1]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(f.responses[1]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('parks a fetch at the log end and wakes it when data is appended', async () => {
    const fetcher = await RawConnection.connect(broker.port);
    const end = broker.context.store.partition('pf', 1)!.logEndOffset;
    const startedMs = performance.now();
    const id = fetcher.send(1, 11, { maxWaitMs: 10_000, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic: 'pf', partitions: [{ partition: 1, fetchOffset: end, partitionMaxBytes: 1 << 20 }] }] });
    // Nothing arrives while the partition is empty; the produce below wakes the fetch.
    await assert.rejects(fetcher.nextFrame(150), /no response/);
    await c.request(0, 7, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'pf', partitionData: [{ index: 1, records: await batchOf('wake') }] }] });
    const f = await fetcher.receive(1, 11, id);
    assert.ok(performance.now() - startedMs < 5000, 'woken by the append, long before maxWaitMs');
    const batches = await decodeRecordBatches(concatRecords(f.responses[0]!.partitions[0]!.records));
    assert.equal(batches[0]!.records[0]!.value!.toString(), 'wake');
    fetcher.close();
  });

  it('parks more than ten fetches without a MaxListenersExceededWarning (one abort listener per parked fetch was a warning)', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    const log = broker.context.store.partition('pf', 1)!;
    // Count the fetches that parked on the partition, so the produce below comes after all of them.
    const parkedCount = 24;
    let parked = 0;
    let allParked!: () => void;
    const allParkedPromise = new Promise<void>((resolve) => (allParked = resolve));
    const onceAppended = log.onceAppended.bind(log);
    log.onceAppended = (listener) => {
      if (++parked === parkedCount) allParked();
      return onceAppended(listener);
    };
    const fetchers = await Promise.all(Array.from({ length: parkedCount }, () => RawConnection.connect(broker.port)));
    try {
      const end = log.logEndOffset;
      const ids = fetchers.map((f) =>
        f.send(1, 11, { maxWaitMs: 30_000, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic: 'pf', partitions: [{ partition: 1, fetchOffset: end, partitionMaxBytes: 1 << 20 }] }] }),
      );
      await allParkedPromise;
      await c.request(0, 7, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'pf', partitionData: [{ index: 1, records: await batchOf('many') }] }] });
      for (const [i, f] of fetchers.entries()) {
        const response = await f.receive(1, 11, ids[i]);
        const batches = await decodeRecordBatches(concatRecords(response.responses[0]!.partitions[0]!.records));
        assert.equal(batches[0]!.records[0]!.value!.toString(), 'many');
      }
      // Warnings are emitted on the next tick after the listener that exceeded the limit.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings.map((w) => `${w.name}: ${w.message}`), []);
    } finally {
      log.onceAppended = onceAppended;
      process.off('warning', onWarning);
      for (const f of fetchers) f.close();
    }
  });

  it('answers an empty fetch after maxWaitMs when nothing arrives', async () => {
    const end = broker.context.store.partition('pf', 1)!.logEndOffset;
    const startedMs = performance.now();
    const f = await c.request(1, 11, { maxWaitMs: 100, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic: 'pf', partitions: [{ partition: 1, fetchOffset: end, partitionMaxBytes: 1 << 20 }] }] });
    const elapsedMs = performance.now() - startedMs;
    assert.ok(elapsedMs >= 90, `waited ${elapsedMs} ms`);
    assert.equal(f.responses[0]!.partitions[0]!.errorCode, 0);
    assert.equal(f.responses[0]!.partitions[0]!.records!.length, 0);
  });

  it('returns at least one whole batch for the first partition even above maxBytes (KIP-74), and respects the budget after it', async () => {
    const big = await batchOf('x'.repeat(3000));
    await c.request(0, 7, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'pf', partitionData: [{ index: 0, records: big }, { index: 1, records: big }] }] });
    const end0 = broker.context.store.partition('pf', 0)!.logEndOffset;
    const end1 = broker.context.store.partition('pf', 1)!.logEndOffset;
    const f = await c.request(1, 11, {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 100,
      topics: [{ topic: 'pf', partitions: [{ partition: 0, fetchOffset: end0 - 1, partitionMaxBytes: 50 }, { partition: 1, fetchOffset: end1 - 1, partitionMaxBytes: 50 }] }],
    });
    assert.equal(f.responses[0]!.partitions[0]!.records!.length, big.length);
    assert.equal(f.responses[0]!.partitions[1]!.records!.length, 0);
  });

  it('rejects malformed batches per partition without appending', async () => {
    const p = broker.context.store.partition('pf', 0)!;
    const end = p.logEndOffset;
    const one = await batchOf('a');
    const two = Buffer.concat([one, one]);
    const zstd = await encodeRecordBatch({ records: [value('z')], compression: CompressionType.Zstd });
    const control = await encodeRecordBatch({ records: [value('c')], isControl: true });
    const cases: Array<[Buffer, number, number]> = [
      [two, 7, ErrorCode.INVALID_RECORD],
      [one.subarray(0, one.length - 1), 7, ErrorCode.CORRUPT_MESSAGE],
      [zstd, 6, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE],
      [control, 7, ErrorCode.INVALID_RECORD],
    ];
    for (const [records, version, expected] of cases) {
      const res = await c.request(0, version, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'pf', partitionData: [{ index: 0, records }] }] });
      assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, expected, `expected ${expected} for v${version}`);
    }
    const tooBig = await c.request(0, 8, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'small', partitionData: [{ index: 0, records: await batchOf('y'.repeat(500)) }] }] });
    assert.equal(tooBig.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
    assert.match(tooBig.responses[0]!.partitionResponses[0]!.errorMessage ?? '', /exceeds the limit of 200/);
    const legacy = await c.request(0, 2, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'pf', partitionData: [{ index: 0, records: one }] }] });
    assert.equal(legacy.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    const badAcks = await c.request(0, 7, { acks: 2, timeoutMs: 1000, topicData: [{ name: 'pf', partitionData: [{ index: 0, records: one }] }] });
    assert.equal(badAcks.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
    assert.equal(p.logEndOffset, end, 'nothing appended');
  });

  it('auto-creates an unknown topic on produce with the default partition count', async () => {
    const res = await c.request(0, 7, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'auto-produced', partitionData: [{ index: 0, records: await batchOf('a') }] }] });
    assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, 0);
    assert.equal(broker.context.store.topic('auto-produced')!.partitions, broker.config.numPartitions);
  });
});
