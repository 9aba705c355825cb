/**
 * Continuous auto-commit (the default): commits follow processing, one at a time, each covering
 * everything processed while the previous one was in flight; so a SIGKILLed consumer's
 * partitions are re-delivered from its last acknowledged commit, at most about one fetch batch per
 * partition, with the classic and the KIP-848 consumer protocols.
 */
import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { Admin, Consumer, CONSUMER_CHANNELS, createProducer, type CommitEvent } from '../../src/client/index.js';
import { SPACED_COMMIT_INTERVAL_MS } from '../../src/client/consumer/continuous-commit.js';
import { startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';
import { FaultProxy } from './client-proxy.js';
import { spawnConsumer, type CommitLine, type FetchLine, type ProcessedRecord } from './consumer-process.js';

const FETCH = 1;
const OFFSET_COMMIT = 8;
const KIP848_BROKER = { groupConsumerHeartbeatIntervalMs: 300, groupConsumerMinHeartbeatIntervalMs: 100, groupConsumerSessionTimeoutMs: 3000, groupConsumerMinSessionTimeoutMs: 1000 };

async function createTopic(bootstrap: string, name: string, partitions: number): Promise<void> {
  const admin = new Admin({ bootstrapServers: bootstrap });
  try {
    await admin.createTopics({ topics: [{ name, numPartitions: partitions }] });
  } finally {
    await admin.close();
  }
}

describe('continuous auto-commit', () => {
  it('sends one commit at a time, the next one as soon as the previous completes and the consumer has caught up, covering everything processed meanwhile', { timeout: 60_000 }, async () => {
    const broker = await startTestBroker();
    const proxy = await new FaultProxy({ host: '127.0.0.1', port: broker.port }).start();
    const commits: CommitEvent[] = [];
    const onCommit = (m: unknown) => {
      if ((m as CommitEvent).clientId === 'cc-hold') commits.push(m as CommitEvent);
    };
    diagnostics_channel.subscribe(CONSUMER_CHANNELS.commit, onCommit);
    let consumer: Consumer | null = null;
    try {
      await createTopic(broker.bootstrap, 'cc-hold', 2);
      const producer = createProducer({ bootstrapServers: broker.bootstrap });
      await producer.send({ topic: 'cc-hold', messages: Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
      await producer.close();
      const committedCount = () => proxy.seen.filter((r) => r.apiKey === OFFSET_COMMIT).length;

      // The first commit's answer is held: no other may go out until it arrives, however much is processed.
      proxy.holdAnswers.add(OFFSET_COMMIT);
      let processed = 0;
      consumer = new Consumer({ bootstrapServers: proxy.bootstrap, clientId: 'cc-hold', groupId: 'cc-hold', autoOffsetReset: 'earliest', sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500 });
      await consumer.subscribe({ topics: ['cc-hold'] });
      // The second record's handler waits for the first commit: a consumer still busy with fetched
      // records commits what it processed a few milliseconds later (here: the first record) without
      // waiting to catch up.
      await consumer.run({
        eachMessage: async () => {
          if (processed === 1) await waitFor(() => proxy.heldCount === 1, 30_000, 'the first record committed while the second is being handled');
          processed++;
        },
      });
      await waitFor(() => processed === 200 && proxy.heldCount === 1, 30_000, 'all 200 records processed and the first commit held');
      assert.equal(committedCount(), 1, 'one commit in flight while 200 records were processed');
      assert.equal(commits.length, 0, 'the held commit has not completed');

      proxy.release();
      // The next commit goes out when the first completes and covers every processed record.
      const covered = () => {
        const last = new Map<number, number>();
        for (const c of commits) for (const o of c.offsets) last.set(o.partition, Math.max(last.get(o.partition) ?? 0, o.offset));
        return (last.get(0) ?? 0) + (last.get(1) ?? 0) === 200;
      };
      await waitFor(covered, 30_000, 'a commit covering all 200 records');
      assert.equal(committedCount(), 2, 'exactly two commits: the held one, then one for everything processed while it was held');
      assert.ok(commits.every((c) => c.errorCode === 0 && c.reason === 'auto'));
      const committed = await consumer.committed([{ topic: 'cc-hold', partition: 0 }, { topic: 'cc-hold', partition: 1 }]);
      assert.equal(committed.reduce((n, c) => n + c.offset, 0), 200, 'the broker holds the offsets of every processed record');
    } finally {
      diagnostics_channel.unsubscribe(CONSUMER_CHANNELS.commit, onCommit);
      proxy.release();
      await consumer?.close();
      await proxy.stop();
      await broker.close();
    }
  });

  it('a consumer draining a backlog in many small fetches commits at most every SPACED_COMMIT_INTERVAL_MS, not after each fetch', { timeout: 60_000 }, async () => {
    const broker = await startTestBroker();
    const proxy = await new FaultProxy({ host: '127.0.0.1', port: broker.port }).start();
    const commitTimes: number[] = [];
    const onCommit = (m: unknown) => {
      const c = m as CommitEvent;
      if (c.clientId === 'cc-backlog' && c.reason === 'auto') commitTimes.push(performance.now());
    };
    diagnostics_channel.subscribe(CONSUMER_CHANNELS.commit, onCommit);
    let consumer: Consumer | null = null;
    try {
      await createTopic(broker.bootstrap, 'cc-backlog', 2);
      const producer = createProducer({ bootstrapServers: broker.bootstrap });
      for (let chunk = 0; chunk < 20; chunk++) {
        await producer.send({ topic: 'cc-backlog', messages: Array.from({ length: 1000 }, (_, i) => ({ key: `k${i % 16}`, value: `v${chunk * 1000 + i}` })) });
      }
      await producer.close();
      let processed = 0;
      let firstAt = 0;
      let lastAt = 0;
      // 4 KiB per partition and fetch: some hundred records each, so the backlog takes many fetches.
      consumer = new Consumer({ bootstrapServers: proxy.bootstrap, clientId: 'cc-backlog', groupId: 'cc-backlog', autoOffsetReset: 'earliest', maxBytesPerPartition: 4096, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500 });
      await consumer.subscribe({ topics: ['cc-backlog'] });
      await consumer.run({
        eachBatch: ({ batch }) => {
          if (firstAt === 0) firstAt = performance.now();
          processed += batch.messages.length;
          lastAt = performance.now();
        },
      });
      await waitFor(() => processed === 20_000, 30_000, 'the backlog drained');
      const fetches = proxy.seen.filter((r) => r.apiKey === FETCH).length;
      const during = commitTimes.filter((t) => t <= lastAt).length;
      const allowed = Math.floor((lastAt - firstAt) / SPACED_COMMIT_INTERVAL_MS) + 2;
      assert.ok(during <= allowed, `${during} commits while draining for ${Math.round(lastAt - firstAt)} ms: at most one per ${SPACED_COMMIT_INTERVAL_MS} ms (${allowed})`);
      assert.ok(fetches >= 3 * Math.max(1, during), `${fetches} fetches against ${during} commits: commits were not one per fetch`);
      // Once drained, what was processed is committed.
      await waitFor(async () => (await consumer!.committed([{ topic: 'cc-backlog', partition: 0 }, { topic: 'cc-backlog', partition: 1 }])).reduce((n, c) => n + c.offset, 0) === 20_000, 10_000, 'every record committed');
    } finally {
      diagnostics_channel.unsubscribe(CONSUMER_CHANNELS.commit, onCommit);
      await consumer?.close();
      await proxy.stop();
      await broker.close();
    }
  });

  it('restores interval commits with a positive autoCommitIntervalMs (nothing committed before the interval)', { timeout: 60_000 }, async () => {
    const broker = await startTestBroker();
    let consumer: Consumer | null = null;
    try {
      await createTopic(broker.bootstrap, 'cc-interval', 1);
      const producer = createProducer({ bootstrapServers: broker.bootstrap });
      await producer.send({ topic: 'cc-interval', messages: Array.from({ length: 50 }, (_, i) => ({ value: `v${i}` })) });
      await producer.close();
      let processed = 0;
      consumer = new Consumer({ bootstrapServers: broker.bootstrap, groupId: 'cc-interval', autoOffsetReset: 'earliest', autoCommitIntervalMs: 600_000, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500 });
      await consumer.subscribe({ topics: ['cc-interval'] });
      await consumer.run({ eachMessage: async () => void processed++ });
      await waitFor(() => processed === 50, 30_000, 'all records processed');
      // A commit request sent right after processing would reach the coordinator before this OffsetFetch (same connection, in order).
      const [committed] = await consumer.committed([{ topic: 'cc-interval', partition: 0 }]);
      assert.equal(committed!.offset, -1, 'no commit before the interval elapsed');
    } finally {
      await consumer?.close();
      await broker.close();
    }
  });

  for (const protocol of ['classic', 'consumer'] as const) {
    it(`a SIGKILLed consumer (${protocol} protocol) is re-delivered from its last acknowledged commit: at most one fetch batch per partition`, { timeout: 120_000 }, async (t) => {
      const broker = await startTestBroker(protocol === 'consumer' ? KIP848_BROKER : {});
      try {
        await crashScenario(t, broker, protocol);
      } finally {
        await broker.close();
      }
    });
  }
});

async function crashScenario(t: { diagnostic(m: string): void }, broker: TestBroker, protocol: 'classic' | 'consumer'): Promise<void> {
  const topic = `cc-crash-${protocol}`;
  await createTopic(broker.bootstrap, topic, 2);
  const records: ProcessedRecord[] = [];
  const commits: CommitLine[] = [];
  const fetches: FetchLine[] = [];
  const options = protocol === 'consumer' ? { groupProtocol: 'consumer' } : { sessionTimeoutMs: 3000, heartbeatIntervalMs: 300 };
  const spawnOne = (id: string) =>
    spawnConsumer({ bootstrap: broker.bootstrap, groupId: topic, topic, clientId: `${topic}-${id}`, options: { ...options, maxWaitMs: 100 }, reportFetches: true }, { records, commits, fetches });

  // a owns both partitions before the producer starts, so every fetch carries what arrived since the last one.
  const a = spawnOne('a');
  await a.ready;
  await waitFor(() => a.listenerCalls.some((c) => c.t === 'assigned' && c.partitions.length === 2), 30_000, 'a assigned both partitions');
  // A steady producer: 40 records every 20 ms (about 2,000 records/s over two partitions).
  const producer = createProducer({ bootstrapServers: broker.bootstrap, lingerMs: 0 });
  let sent = 0;
  let producing = true;
  const sends: Array<Promise<unknown>> = [];
  const loop = (async () => {
    while (producing) {
      sends.push(producer.send({ topic, messages: Array.from({ length: 40 }, () => ({ key: `k${sent % 16}`, value: `r${sent++}` })) }));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  const ofA = (r: { clientId: string }) => r.clientId === a.clientId;
  await waitFor(() => records.filter(ofA).length >= 1500, 60_000, 'a processing');
  await a.kill();
  const b = spawnOne('b');
  await b.ready;
  await new Promise((r) => setTimeout(r, 200));
  producing = false;
  await loop;
  await Promise.all(sends);
  await producer.close();
  const distinct = () => new Set(records.map((r) => r.value)).size;
  await waitFor(() => distinct() === sent, 60_000, `all ${sent} records processed (have ${distinct()})`, 50);
  await b.close();

  const aRecords = records.filter(ofA);
  const bKeys = new Set(records.filter((r) => r.clientId === b.clientId).map((r) => `${r.partition}@${r.offset}`));
  for (const partition of [0, 1]) {
    // Fetch batch sizes on this partition: how far each fetch moved a's position.
    let position = 0;
    let largestBatch = 0;
    for (const f of fetches.filter((f) => ofA(f) && f.partition === partition)) {
      largestBatch = Math.max(largestBatch, f.position - position);
      position = f.position;
    }
    let lastAcked = 0;
    for (const c of commits) if (ofA(c) && c.errorCode === 0) for (const o of c.offsets) if (o.partition === partition) lastAcked = Math.max(lastAcked, o.offset);
    const mine = aRecords.filter((r) => r.partition === partition);
    const again = mine.filter((r) => bKeys.has(`${r.partition}@${r.offset}`));
    const sinceAck = mine.filter((r) => r.offset >= lastAcked).length;
    t.diagnostic(`${protocol}, partition ${partition}: a processed ${mine.length}, ${again.length} processed again by b; ${sinceAck} after a's last acknowledged commit; largest fetch batch ${largestBatch}`);
    assert.ok(mine.length > 0, `a processed records of partition ${partition}`);
    assert.ok(again.every((r) => r.offset >= lastAcked), 'only records after the last acknowledged commit are processed again');
    assert.ok(again.length <= largestBatch, `re-delivered ${again.length} <= one fetch batch (${largestBatch}) on partition ${partition}`);
  }
}
