import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addSequence, IdempotenceState } from './idempotence.js';
import { ProducerBatch } from './batch.js';
import { KafkaError } from '../errors.js';
import { ErrorCode } from '../../protocol/errors.js';
import { resolveProducerOptions } from './options.js';
import type { Cluster } from '../net/cluster.js';
import type { PartitionQueue } from './accumulator.js';

function readyState(): IdempotenceState {
  const cluster = {
    retry: (fn: () => Promise<unknown>) => fn(),
    request: async () => ({ response: { errorCode: 0, producerId: 42, producerEpoch: 0 } }),
  } as unknown as Cluster;
  return new IdempotenceState(cluster, resolveProducerOptions({ bootstrapServers: 'h:1' }), () => {}, () => {});
}

async function ready(): Promise<IdempotenceState> {
  const s = readyState();
  assert.equal(s.ready(), false);
  await new Promise((r) => setImmediate(r));
  assert.equal(s.ready(), true);
  return s;
}

const queue = (): PartitionQueue => ({ topic: 't', partition: 0, batches: [], inFlight: 0, nextSequence: 0, lastAckedSequence: -1 });

function batch(records: number): ProducerBatch {
  const b = new ProducerBatch('t', 0, 0, 1024);
  for (let i = 0; i < records; i++) b.builder.append(null, null, undefined, 0);
  return b;
}

test('sequences are assigned once per batch, consecutive, and wrap after INT32_MAX', async () => {
  const s = await ready();
  const q = queue();
  const [a, b] = [batch(3), batch(2)];
  s.stamp(q, a);
  s.stamp(q, b);
  s.stamp(q, a); // a retry keeps its sequence
  assert.deepEqual([a.producerId, a.baseSequence, b.baseSequence, q.nextSequence], [42, 0, 3, 5]);
  assert.equal(addSequence(2147483647, 1), 0);
  assert.equal(addSequence(2147483640, 10), 2);
});

test('OUT_OF_ORDER_SEQUENCE_NUMBER: retried behind a failed batch, fatal on the next expected one', async () => {
  const s = await ready();
  const q = queue();
  const [a, b] = [batch(3), batch(2)];
  s.stamp(q, a);
  s.stamp(q, b);
  const oos = new KafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.deepEqual(s.judge(q, b, oos), { retry: true, resetProducerId: false }, 'b is not next: a will be retried first');
  assert.deepEqual(s.judge(q, a, oos), { retry: false, resetProducerId: false });
  s.acknowledged(q, a);
  assert.equal(q.lastAckedSequence, 2);
  assert.deepEqual(s.judge(q, b, oos), { retry: false, resetProducerId: false }, 'now b is the next expected');
});

test('UNKNOWN_PRODUCER_ID on the next expected batch resets the producer id and retries', async () => {
  const s = await ready();
  const q = queue();
  const a = batch(1);
  s.stamp(q, a);
  assert.deepEqual(s.judge(q, a, new KafkaError(ErrorCode.UNKNOWN_PRODUCER_ID)), { retry: true, resetProducerId: true });
  s.reset([q]);
  assert.equal(s.producerId, -1);
  assert.equal(q.nextSequence, 0);
  assert.deepEqual(s.judge(q, a, new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER)), { retry: true, resetProducerId: false }, 'stale producer id: retried under the new one');
});

test('a batch failing for good after taking sequences leaves a gap: the producer id is reset', async () => {
  const s = await ready();
  const q = queue();
  const a = batch(1);
  s.stamp(q, a);
  assert.deepEqual(s.judge(q, a, new KafkaError(ErrorCode.MESSAGE_TOO_LARGE)), { retry: false, resetProducerId: false });
  s.failed(q, a, [q]);
  assert.equal(s.ready(), false, 'asks for a new producer id');
});
