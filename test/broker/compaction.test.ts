import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/common/clock.js';
import { BROKER_EVENTS, subscribeBrokerEvent, type BrokerEventPayloads } from '../../src/broker/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { BATCH, computeBatchCrc, CompressionType } from '../../src/protocol/record-batch-header.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { RawConnection, spawnBroker, startTestBroker, type TestBroker } from '../helpers/index.js';

const TOPIC_RESOURCE = 2;
const BROKER_RESOURCE = 4;

function records(...keys: Array<string | null>) {
  return keys.map((k, i) => ({ key: k === null ? null : Buffer.from(k), value: Buffer.from(`v${i}`), timestamp: 1_700_000_000_000 }));
}

describe('broker: compacted topics', () => {
  const clock = new ManualClock(1_700_000_000_000);
  let broker: TestBroker;
  let c: RawConnection;
  before(async () => {
    broker = await startTestBroker({ clock, logCleanerEnable: false, logCleanerDeleteRetentionMs: 1000, logCleanerMinCleanableRatio: 0.1 });
    c = await RawConnection.connect(broker.port);
    const res = await c.request(19, 7, {
      topics: [
        { name: 'cmp', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] },
        { name: 'cmp-del', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact,delete' }] },
      ],
      timeoutMs: 1000,
    });
    assert.deepEqual(res.topics.map((t) => t.errorCode), [0, 0]);
  });
  after(async () => {
    c.close();
    await broker.close();
  });

  const produce = (version: number, batch: Buffer, topic = 'cmp') =>
    c.request(0, version, { acks: -1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] }).then((r) => r.responses[0]!.partitionResponses[0]!);

  it('answers a keyless record with INVALID_RECORD and, from Produce v8, record errors as Kafka words them', async () => {
    const p = await produce(9, await encodeRecordBatch({ records: records('a', null, 'b', null) }));
    assert.equal(p.errorCode, ErrorCode.INVALID_RECORD);
    const message = 'Compacted topic cannot accept message without key in topic partition cmp-0';
    assert.deepEqual(p.recordErrors, [{ batchIndex: 1, batchIndexErrorMessage: message }, { batchIndex: 3, batchIndexErrorMessage: message }]);
    assert.equal(
      p.errorMessage,
      `One or more records have been rejected due to 2 record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=1, message='${message}'), RecordError(batchIndex=3, message='${message}')]`,
    );
    const v7 = await produce(7, await encodeRecordBatch({ records: records(null), compression: CompressionType.Lz4 }));
    assert.equal(v7.errorCode, ErrorCode.INVALID_RECORD);
    assert.equal(broker.context.store.partition('cmp', 0)!.logEndOffset, 0, 'nothing was stored');
    assert.equal((await produce(9, await encodeRecordBatch({ records: records('a') }))).errorCode, 0);
  });

  it('answers records that do not parse with CORRUPT_MESSAGE and keeps serving', async () => {
    const batch = await encodeRecordBatch({ records: records('a', 'b') });
    batch[BATCH.HEADER_BYTES] = 0x7f; // the first record's length now runs past the batch
    batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), BATCH.CRC);
    assert.equal((await produce(9, batch)).errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.equal((await produce(9, await encodeRecordBatch({ records: records('c') }))).errorCode, 0);
  });

  it('keeps the order of pipelined appends when a compressed batch is checked before a plain one (idempotent sequences)', async () => {
    const log = broker.context.store.partition('cmp', 0)!;
    const start = log.logEndOffset;
    const producer = { producerId: 4242, producerEpoch: 0 };
    const gz = await encodeRecordBatch({ records: records('x', 'y', 'z'), compression: CompressionType.Gzip, ...producer, baseSequence: 0 });
    const plain = await encodeRecordBatch({ records: records('w'), ...producer, baseSequence: 3 });
    const body = (batch: Buffer) => ({ acks: -1, timeoutMs: 1000, topicData: [{ name: 'cmp', partitionData: [{ index: 0, records: batch }] }] });
    const first = c.send(0, 9, body(gz));
    const second = c.send(0, 9, body(plain));
    const a = (await c.receive(0, 9, first)).responses[0]!.partitionResponses[0]!;
    const b = (await c.receive(0, 9, second)).responses[0]!.partitionResponses[0]!;
    assert.deepEqual([a.errorCode, a.baseOffset, b.errorCode, b.baseOffset], [0, start, 0, start + 3]);
  });

  it('reports the compaction configs as enforced, with the broker\'s log.cleaner.* values', async () => {
    const res = await c.request(32, 1, { resources: [{ resourceType: TOPIC_RESOURCE, resourceName: 'cmp', configurationKeys: null }, { resourceType: BROKER_RESOURCE, resourceName: '1', configurationKeys: null }], includeSynonyms: true });
    assert.deepEqual(res.results.map((r) => [r.resourceName, r.errorCode, r.errorMessage]), [['cmp', 0, null], ['1', 0, null]]);
    const topic = new Map(res.results[0]!.configs.map((e) => [e.name, e.value]));
    assert.equal(topic.get('cleanup.policy'), 'compact');
    assert.equal(topic.get('delete.retention.ms'), '1000');
    assert.equal(topic.get('min.cleanable.dirty.ratio'), '0.1');
    assert.equal(topic.get('max.compaction.lag.ms'), '9223372036854775807');
    const brokerConfigs = new Map(res.results[1]!.configs.map((e) => [e.name, e.value]));
    assert.equal(brokerConfigs.get('log.cleaner.enable'), 'false');
    assert.equal(brokerConfigs.get('log.cleaner.dedupe.buffer.size'), '134217728');
  });

  it('publishes each pass on samsa:broker:log-cleaned and leaves compact-only topics to the cleaner, not to retention', async () => {
    const log = broker.context.store.partition('cmp', 0)!;
    for (let i = 0; i < 5; i++) assert.equal((await produce(9, await encodeRecordBatch({ records: records('same', 'same') }))).errorCode, 0);
    log.roll();
    const seen: Array<BrokerEventPayloads[typeof BROKER_EVENTS.logCleaned]> = [];
    const unsubscribe = subscribeBrokerEvent(BROKER_EVENTS.logCleaned, (e) => seen.push(e));
    try {
      await broker.cleanLogs();
    } finally {
      unsubscribe();
    }
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.topic, 'cmp');
    assert.equal(seen[0]!.port, broker.port);
    assert.ok(seen[0]!.recordsKept < seen[0]!.recordsRead);
    // retention.ms passes for both topics: only compact,delete loses data to it, as in Kafka.
    await produce(9, await encodeRecordBatch({ records: records('k') }), 'cmp-del');
    broker.context.store.partition('cmp-del', 0)!.roll();
    await broker.context.store.alterTopicConfigs('cmp', { 'retention.ms': '1' });
    await broker.context.store.alterTopicConfigs('cmp-del', { 'retention.ms': '1' });
    clock.advance(1_000_000);
    await broker.enforceRetention();
    assert.ok(log.logStartOffset === 0 && log.sizeBytes > 0, 'compact alone: retention keeps everything');
    assert.equal(broker.context.store.partition('cmp-del', 0)!.logStartOffset, 1, 'compact,delete: retention applies');
  });
});

describe('samsa start: the log cleaner flags', () => {
  it('takes Kafka\'s log.cleaner.* settings as flags and reports them in DescribeConfigs', async () => {
    const broker = await spawnBroker([
      '--memory',
      '--no-log-cleaner-enable',
      '--log-cleaner-dedupe-buffer-size', '1048576',
      '--log-cleaner-io-max-bytes-per-second', '5000000',
      '--log-cleaner-backoff-ms', '500',
      '--log-cleaner-delete-retention-ms', '1000',
      '--log-cleaner-min-compaction-lag-ms', '10',
      '--log-cleaner-max-compaction-lag-ms', '60000',
      '--log-cleaner-min-cleanable-ratio', '0.2',
    ]);
    try {
      const c = await RawConnection.connect(broker.port);
      const res = await c.request(32, 1, { resources: [{ resourceType: BROKER_RESOURCE, resourceName: '1', configurationKeys: null }] });
      c.close();
      const configs = Object.fromEntries(res.results[0]!.configs.filter((e) => e.name.startsWith('log.cleaner.')).map((e) => [e.name, e.value]));
      assert.deepEqual(configs, {
        'log.cleaner.enable': 'false',
        'log.cleaner.dedupe.buffer.size': '1048576',
        'log.cleaner.io.max.bytes.per.second': '5000000',
        'log.cleaner.backoff.ms': '500',
        'log.cleaner.delete.retention.ms': '1000',
        'log.cleaner.min.compaction.lag.ms': '10',
        'log.cleaner.max.compaction.lag.ms': '60000',
        'log.cleaner.min.cleanable.ratio': '0.2',
      });
    } finally {
      await broker.kill();
    }
  });
});
