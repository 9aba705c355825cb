import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, it } from 'node:test';
import { Admin, Consumer, ExactlyOnceProcessor, Producer } from '../../src/client/index.js';
import { MemoryLogger } from '../../src/common/logger.js';
import { makeTempDir, readCommittedRaw, readTopicRaw, spawnBroker, waitFor, type BrokerProcess } from '../helpers/index.js';

/**
 * The broker (a child process) is SIGKILLed at random moments while an idempotent producer feeds
 * an input topic and an exactly-once pipeline (our ExactlyOnceProcessor) turns it into an output
 * topic. After every restart the broker rebuilds producer state, transactions and group offsets
 * from its logs. At the end: the input holds no duplicate (retried batches were recognised across
 * restarts), and a read_committed reader of the output sees every input record exactly once.
 */
const KILLS = 50;
const PARTITIONS = 2;
const SEED = Number(process.env.SAMSA_CRASH_SEED ?? Date.now() % 100_000);

function random(): () => number {
  let s = SEED;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const dir = await makeTempDir('samsa-eos-crash-');
after(() => dir.remove());

it(`keeps exactly-once output and duplicate-free idempotent input across ${KILLS} broker SIGKILLs (seed ${SEED})`, { timeout: 240_000 }, async (t) => {
  const rand = random();
  const port = await freePort();
  const args = ['--port', String(port), '--data-dir', dir.path, '--group-initial-rebalance-delay-ms', '0', '--group-min-session-timeout-ms', '100', '--log-level', 'error'];
  let broker: BrokerProcess = await spawnBroker(args);
  const client = (clientId: string) => ({
    bootstrapServers: [`127.0.0.1:${port}`], clientId, logger: new MemoryLogger(),
    retryBackoffMs: 20, retryBackoffMaxMs: 200, reconnectBackoffMs: 20, reconnectBackoffMaxMs: 200, requestTimeoutMs: 5000, retries: 1000,
  });
  const admin = new Admin(client('admin'));
  await admin.createTopics({ topics: [{ name: 'crash-in', numPartitions: PARTITIONS }, { name: 'crash-out', numPartitions: PARTITIONS }] });

  // Input: an idempotent producer sending numbered records for as long as the kills go on.
  const input = new Producer({ ...client('feeder'), lingerMs: 2, deliveryTimeoutMs: 200_000 });
  let feeding = true;
  let next = 0;
  const fed = (async () => {
    while (feeding) {
      const messages = Array.from({ length: 20 }, () => ({ key: `k${next}`, value: String(next++) }));
      await input.send({ topic: 'crash-in', messages }).catch(() => undefined);
    }
  })();

  const consumer = new Consumer({
    ...client('pipeline'), groupId: 'crash-eos', autoCommit: false, commitOnRevoke: false, isolationLevel: 'read_committed',
    autoOffsetReset: 'earliest', maxWaitMs: 50, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 100,
  });
  const producer = new Producer({ ...client('pipeline-out'), transactionalId: 'crash-eos-tx', lingerMs: 0, deliveryTimeoutMs: 200_000 });
  const pipeline = new ExactlyOnceProcessor({
    consumer, producer, topics: ['crash-in'],
    transform: (batch) => [{ topic: 'crash-out', messages: batch.messages.map((m) => ({ key: m.key, value: `out-${m.value!.toString()}` })) }],
  });
  let fatal: Error | null = null;
  pipeline.on('fatal', (err) => (fatal = err));
  await pipeline.start();

  for (let kill = 0; kill < KILLS; kill++) {
    await new Promise((r) => setTimeout(r, 50 + Math.floor(rand() * 400)));
    await broker.kill('SIGKILL');
    broker = await spawnBroker(args);
  }
  feeding = false;
  await fed;
  await input.close();

  const inputEnd = async () => (await admin.listOffsets({ topic: 'crash-in' })).reduce((n, p) => n + p.offset, 0);
  const committed = async () => (await admin.fetchOffsets({ groupId: 'crash-eos' })).reduce((n, o) => n + Math.max(0, o.offset), 0);
  const total = await inputEnd();
  const committedBeforeCatchUp = await committed();
  await waitFor(async () => (await committed()) === total, 60_000, 'the pipeline to catch up');
  assert.equal(fatal, null);
  await pipeline.stop();
  await admin.close();

  const inputRecords = await readTopicRaw(port, 'crash-in', PARTITIONS);
  const inputValues = inputRecords.map((r) => r.value!);
  assert.equal(new Set(inputValues).size, inputValues.length, 'the idempotent producer wrote no duplicate across restarts');
  const output = (await readCommittedRaw(port, 'crash-out', PARTITIONS)).map((r) => r.value!);
  assert.deepEqual([...output].sort(), inputValues.map((v) => `out-${v}`).sort(), 'every input exactly once in the committed output');
  t.diagnostic(`${total} input records, ${committedBeforeCatchUp} of them processed while the broker was being killed`);
  assert.ok(committedBeforeCatchUp > 0, 'the pipeline made progress between kills');
  await broker.kill('SIGTERM');
});
