import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin, Consumer, ExactlyOnceProcessor, Producer, type Batch } from '../../src/client/index.js';
import { subscribeTxnEvent, TXN_EVENTS } from '../../src/broker/index.js';
import { MemoryLogger } from '../../src/common/logger.js';
import { readCommittedRaw, startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';

const PARTITIONS = 4;

describe('client: exactly-once consume-transform-produce', () => {
  let broker: TestBroker;
  let admin: Admin;
  const client = () => ({ bootstrapServers: [broker.bootstrap], logger: new MemoryLogger(), retryBackoffMs: 20 });
  before(async () => {
    broker = await startTestBroker();
    admin = new Admin(client());
  });
  after(async () => {
    await admin.close();
    await broker.close();
  });

  function pipeline(name: string, input: string, output: string, extra: { maxPollIntervalMs?: number; transform?: (b: Batch) => Promise<void> } = {}) {
    const consumer = new Consumer({
      ...client(), clientId: name, groupId: `${input}-eos`, autoCommit: false, commitOnRevoke: false, isolationLevel: 'read_committed',
      autoOffsetReset: 'earliest', maxWaitMs: 50, sessionTimeoutMs: 6000, heartbeatIntervalMs: 200, partitionAssignmentStrategy: ['cooperative-sticky'],
      ...(extra.maxPollIntervalMs !== undefined ? { maxPollIntervalMs: extra.maxPollIntervalMs } : {}),
    });
    const producer = new Producer({ ...client(), clientId: name, transactionalId: `${name}-tx`, lingerMs: 0 });
    return new ExactlyOnceProcessor({
      consumer, producer, topics: [input],
      transform: async (batch) => {
        await extra.transform?.(batch);
        return [{ topic: output, messages: batch.messages.map((m) => ({ key: m.key, value: `out-${m.value!.toString()}` })) }];
      },
    });
  }

  async function produceInput(topic: string, from: number, to: number): Promise<void> {
    const p = new Producer({ ...client(), lingerMs: 2 });
    const messages = [];
    for (let i = from; i < to; i++) messages.push({ key: `k${i}`, value: String(i) });
    await p.send({ topic, messages });
    await p.close();
  }

  /** The output's values as a read_committed reader sees them, checked to hold each input once. */
  async function checkOutput(topic: string, partitions: number, count: number): Promise<void> {
    const out = (await readCommittedRaw(broker.port, topic, partitions)).map((r) => r.value!);
    const expected = Array.from({ length: count }, (_, i) => `out-${i}`);
    assert.deepEqual([...out].sort(), expected.sort());
  }

  it('writes every input record exactly once through rebalances (a member joins, then one leaves)', async () => {
    await admin.createTopics({ topics: [{ name: 'eos-in', numPartitions: PARTITIONS }, { name: 'eos-out', numPartitions: PARTITIONS }] });
    const a = pipeline('eos-a', 'eos-in', 'eos-out');
    await a.start();
    await produceInput('eos-in', 0, 500);
    const b = pipeline('eos-b', 'eos-in', 'eos-out');
    await b.start();
    await produceInput('eos-in', 500, 1000);
    await waitFor(async () => (await admin.fetchOffsets({ groupId: 'eos-in-eos' })).reduce((n, o) => n + Math.max(0, o.offset), 0) >= 600, 20_000, 'progress');
    await a.stop();
    await produceInput('eos-in', 1000, 1500);
    await waitFor(async () => (await admin.fetchOffsets({ groupId: 'eos-in-eos' })).reduce((n, o) => n + Math.max(0, o.offset), 0) === 1500, 30_000, 'all input committed');
    await b.stop();
    await checkOutput('eos-out', PARTITIONS, 1500);
  });

  it('fences a zombie by generation (KIP-447): a member that outlived its poll interval cannot commit its batch', async () => {
    await admin.createTopics({ topics: [{ name: 'zz-in', numPartitions: 1 }, { name: 'zz-out', numPartitions: 1 }] });
    await produceInput('zz-in', 0, 10);
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    let first = true;
    const zombie = pipeline('zz-zombie', 'zz-in', 'zz-out', {
      maxPollIntervalMs: 1000,
      transform: async () => {
        if (!first) return;
        first = false;
        await stuck;
      },
    });
    await zombie.start();
    await waitFor(() => !first, 10_000, 'the zombie holds a batch');
    const successor = pipeline('zz-next', 'zz-in', 'zz-out');
    await successor.start();
    await waitFor(async () => (await admin.fetchOffsets({ groupId: 'zz-in-eos' }))[0]?.offset === 10, 20_000, 'the successor processed the input');
    // The zombie wakes up and tries to commit its (stale) batch: refused, aborted, invisible.
    const aborted = new Promise<void>((resolve) => {
      const stop = subscribeTxnEvent(TXN_EVENTS.transactionCompleted, (e) => {
        if (e.transactionalId !== 'zz-zombie-tx' || e.result !== 'abort' || e.port !== broker.port) return;
        stop();
        resolve();
      });
    });
    release();
    await aborted;
    await zombie.stop();
    await successor.stop();
    await checkOutput('zz-out', 1, 10);
  });
});
