import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { ManualClock } from '../../src/common/clock.js';
import { CompressionType } from '../../src/protocol/record-batch-header.js';
import { readTopicRaw, runKcat, startTestBroker, type TestBroker } from '../helpers/index.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const KEYS = 50;
const ROUNDS = 20;
// Virtual time moves by seconds only: the group coordinator's real timers do not follow large jumps.
const SEGMENT_MS = 10_000;
const DELETE_RETENTION_MS = 30_000;
/** Keys marking the end of what a test wrote: each lands in a fresh active segment, which the cleaner never touches. */
const sentinel = (n: number) => `zz-end-${n}`;
const isSentinel = (key: string) => key.startsWith('zz-end-');

/**
 * kcat input: ROUNDS overwrites of KEYS keys; in the last round every fifth key gets a tombstone
 * (an empty value, sent as null with -Z). Returns the latest value per key (null: deleted).
 */
function workload(): { input: string; latest: Map<string, string | null> } {
  const latest = new Map<string, string | null>();
  let input = '';
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < KEYS; k++) {
      const key = `key-${k}`;
      const value = round === ROUNDS - 1 && k % 5 === 0 ? null : `v${round}-${k}`;
      input += `${key}\t${value ?? ''}\n`;
      latest.set(key, value);
    }
  }
  return { input, latest };
}

interface Read {
  offset: number;
  key: string;
  value: string | null;
}

/** kcat -C from the beginning to the end, with -Z so that null values print as NULL. */
async function kcatConsume(bootstrap: string, topic: string): Promise<Read[]> {
  const out = await runKcat(['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-Z', '-f', '%o\t%k\t%s\n']);
  return out.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [offset, key, value] = l.split('\t');
      return { offset: Number(offset), key: key!, value: value === 'NULL' ? null : value! };
    });
}

/** A kafkajs consumer group from the beginning, until it has read the record with key `lastKey`. */
async function kafkajsConsume(kafka: Kafka, topic: string, groupId: string, lastKey: string): Promise<Read[]> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const records: Read[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          const key = message.key!.toString();
          records.push({ offset: Number(message.offset), key, value: message.value?.toString() ?? null });
          if (key === lastKey) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return records;
}

/** Exactly one record per key, the latest, in offset order; tombstones only where `withTombstones`. */
function assertLatestPerKey(records: readonly Read[], latest: Map<string, string | null>, withTombstones: boolean): void {
  const keys = records.map((r) => r.key);
  assert.equal(new Set(keys).size, keys.length, `every key once, got ${keys.length} records for ${new Set(keys).size} keys`);
  assert.deepEqual(records.map((r) => r.offset), [...records.map((r) => r.offset)].sort((a, b) => a - b), 'offset order');
  const expected = new Map([...latest].filter(([, v]) => withTombstones || v !== null));
  const got = new Map(records.filter((r) => !isSentinel(r.key)).map((r) => [r.key, r.value]));
  assert.deepEqual(got, expected);
}

describe('compat: compacted topics with kcat (librdkafka 2.0.2) and kafkajs 2.2.4', () => {
  const clock = new ManualClock(Date.now());
  let broker: TestBroker;
  let kafka: Kafka;
  before(async () => {
    // Background cleaning off: the test runs each pass itself, on virtual time.
    broker = await startTestBroker({ clock, logCleanerEnable: false });
    kafka = new Kafka({ clientId: 'compat-compaction', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 50 } });
  });
  after(() => broker.close());

  async function createCompactedTopic(topic: string): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    const configEntries = Object.entries({
      'cleanup.policy': 'compact',
      'segment.bytes': '4096',
      'segment.ms': String(SEGMENT_MS),
      'min.cleanable.dirty.ratio': '0.01',
      'delete.retention.ms': String(DELETE_RETENTION_MS),
    }).map(([name, value]) => ({ name, value }));
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries }] }), true);
    await admin.disconnect();
  }

  /** Rolls the active segment (segment.ms passes on the broker's clock) by writing sentinel `n` after it. */
  async function writeSentinel(topic: string, n: number): Promise<string> {
    clock.advance(SEGMENT_MS + 1);
    await runKcat(['-b', broker.bootstrap, '-P', '-t', topic, '-K', '\t'], { input: `${sentinel(n)}\tend\n` });
    return sentinel(n);
  }

  it('kcat writes keyed records and tombstones; after cleaning, kcat and kafkajs read exactly the latest value per key, then no tombstone once delete.retention.ms has passed', async () => {
    const topic = 'compacted';
    await createCompactedTopic(topic);
    const { input, latest } = workload();
    await runKcat(['-b', broker.bootstrap, '-P', '-t', topic, '-K', '\t', '-Z', '-X', 'linger.ms=5'], { input });
    const first = await writeSentinel(topic, 1);
    const before = await kcatConsume(broker.bootstrap, topic);
    assert.equal(before.length, KEYS * ROUNDS + 1, 'nothing is compacted before the cleaner runs');

    const [pass] = await broker.cleanLogs();
    assert.ok(pass !== undefined && pass.topic === topic, 'the cleaner cleaned the topic');
    assert.equal(pass.recordsKept, KEYS, 'one record per key stays, tombstones included');
    const cleaned = await kcatConsume(broker.bootstrap, topic);
    assertLatestPerKey(cleaned, latest, true);
    assert.deepEqual(await kafkajsConsume(kafka, topic, 'reader-1', first), cleaned, 'kafkajs reads what kcat reads');

    // The tombstones got a delete horizon (now + delete.retention.ms): a cleaning before it keeps them...
    await writeSentinel(topic, 2);
    const [early] = await broker.cleanLogs();
    assert.equal(early!.tombstonesRemoved, 0);
    assertLatestPerKey(await kcatConsume(broker.bootstrap, topic), latest, true);
    // ... and the first one after it removes them.
    clock.advance(DELETE_RETENTION_MS);
    const last = await writeSentinel(topic, 3);
    const [late] = await broker.cleanLogs();
    assert.equal(late!.tombstonesRemoved, KEYS / 5);
    const final = await kcatConsume(broker.bootstrap, topic);
    assertLatestPerKey(final, latest, false);
    assert.ok(final.every((r) => r.value !== null), 'no tombstone left');
    assert.deepEqual(await kafkajsConsume(kafka, topic, 'reader-2', last), final, 'kafkajs reads what kcat reads');
  });

  for (const [codec, type] of [['gzip', CompressionType.Gzip], ['lz4', CompressionType.Lz4], ['zstd', CompressionType.Zstd], ['snappy', CompressionType.Snappy]] as const) {
    it(`keeps kcat's ${codec} batches in ${codec} when it rewrites them`, async () => {
      const topic = `compacted-${codec}`;
      await createCompactedTopic(topic);
      const { input, latest } = workload();
      await runKcat(['-b', broker.bootstrap, '-P', '-t', topic, '-K', '\t', '-Z', '-z', codec, '-X', 'linger.ms=20'], { input });
      await writeSentinel(topic, 1);
      const written = await readTopicRaw(broker.port, topic, 1);
      const compressedBefore = written.filter((r) => r.compression === type).length;
      await broker.cleanLogs();
      const records = await readTopicRaw(broker.port, topic, 1);
      assertLatestPerKey(records.map((r) => ({ offset: r.offset, key: r.key!, value: r.value })), latest, true);
      // librdkafka 2.0.2 sends lz4 only to brokers advertising FindCoordinator v0 (see kcat.test.ts).
      const librdkafkaCompresses = codec !== 'lz4' || broker.context.handlers.get(10)?.minVersion === 0;
      assert.equal(compressedBefore > 0, librdkafkaCompresses, `kcat sent ${codec} batches`);
      if (librdkafkaCompresses) assert.ok(records.filter((r) => !isSentinel(r.key!)).every((r) => r.compression === type), `every kept record still in a ${codec} batch`);
    });
  }
});

describe('compat: keyless records to a compacted topic are refused with INVALID_RECORD', () => {
  let broker: TestBroker;
  let kafka: Kafka;
  before(async () => {
    broker = await startTestBroker({ logCleanerEnable: false });
    kafka = new Kafka({ clientId: 'compat-keyless', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 50 } });
    await broker.context.store.createTopic('keyed-only', 1, { 'cleanup.policy': 'compact' });
    await broker.context.store.createTopic('plain', 1, {});
  });
  after(() => broker.close());

  it('kcat (librdkafka) reports INVALID_RECORD ("Broker failed to validate record") for a keyless record and nothing is stored; keyed records still go in', async () => {
    const failed = await runKcat(['-b', broker.bootstrap, '-P', '-t', 'keyed-only', '-X', 'message.send.max.retries=0'], { input: 'no key here\n' }).then(
      () => null,
      (err: Error) => err.message,
    );
    assert.match(failed ?? 'kcat exited 0', /Broker failed to validate record/);
    assert.equal(broker.context.store.partition('keyed-only', 0)!.logEndOffset, 0);
    await runKcat(['-b', broker.bootstrap, '-P', '-t', 'keyed-only', '-K', '\t'], { input: 'k\tv\n' });
    await runKcat(['-b', broker.bootstrap, '-P', '-t', 'plain'], { input: 'keyless is fine here\n' });
    const read = await readTopicRaw(broker.port, 'keyed-only', 1);
    assert.deepEqual(read.map((r) => [r.key, r.value]), [['k', 'v']]);
    assert.equal((await readTopicRaw(broker.port, 'plain', 1)).length, 1);
  });

  for (const [name, compression] of [['uncompressed', CompressionTypes.None], ['gzip', CompressionTypes.GZIP]] as const) {
    it(`kafkajs gets INVALID_RECORD for a ${name} batch holding one keyless record among keyed ones; the broker keeps serving`, async () => {
      const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
      await producer.connect();
      const failure = await producer
        .send({ topic: 'keyed-only', compression, acks: -1, messages: [{ key: 'a', value: '1' }, { value: 'no key' }, { key: 'b', value: '2' }] })
        .then(() => null, (err: unknown) => err as { type?: string; name?: string; cause?: { type?: string } });
      const type = failure?.type ?? failure?.cause?.type;
      assert.equal(type, 'INVALID_RECORD', `kafkajs error: ${JSON.stringify(failure)}`);
      const before = broker.context.store.partition('keyed-only', 0)!.logEndOffset;
      await producer.send({ topic: 'keyed-only', compression, acks: -1, messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] });
      await producer.disconnect();
      assert.equal(broker.context.store.partition('keyed-only', 0)!.logEndOffset, before + 2, 'the keyed batch after it is stored');
    });
  }
});
