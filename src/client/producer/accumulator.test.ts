import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordAccumulator } from './accumulator.js';
import { SendTracker } from './batch.js';

/** Appends a keyless record with an n-byte value, reserving `estimate` bytes. */
const add = (acc: RecordAccumulator, partition: number, n: number, estimate: number, owner: SendTracker, position: number, nowMs: number) =>
  acc.append('t', partition, null, Buffer.alloc(n), undefined, 0, estimate, owner, position, nowMs);

test('a batch becomes ready after lingerMs (virtual time), or at once when full', () => {
  const acc = new RecordAccumulator(1000, 5);
  const owner = new SendTracker(10);
  assert.equal(add(acc, 0, 100, 121, owner, 0, 1000), null);
  const q = acc.queue('t', 0);
  assert.equal(acc.isReady(q, 1004, false), false);
  assert.equal(acc.nextReadyAtMs(), 1005);
  assert.equal(acc.isReady(q, 1005, false), true);
  assert.equal(acc.isReady(q, 1001, true), true, 'a flush does not wait for linger');
  // Filling the batch past batchSize closes it.
  let closed = null;
  for (let i = 1; closed === null; i++) closed = add(acc, 0, 100, 121, owner, i, 1001);
  assert.equal(closed.open, false);
  assert.equal(acc.isReady(q, 1001, false), true);
  assert.equal(acc.nextReadyAtMs(), 0, 'ready now');
});

test('a record that does not fit starts a new batch; the full one waits in front', () => {
  const acc = new RecordAccumulator(300, 5);
  const owner = new SendTracker(3);
  add(acc, 1, 150, 171, owner, 0, 0);
  const closed = add(acc, 1, 150, 171, owner, 1, 0);
  assert.ok(closed !== null, 'the first batch closed before overflowing');
  const q = acc.queue('t', 1);
  assert.equal(q.batches.length, 2);
  assert.equal(q.batches[0]!.recordCount, 1);
  assert.equal(acc.bufferedBytes, 342);
  const taken = acc.take(q);
  assert.equal(taken, closed);
  acc.release(taken);
  assert.equal(acc.bufferedBytes, 171);
  assert.equal(acc.isEmpty, false);
  acc.take(q);
  assert.equal(acc.isEmpty, true);
});

test('a record bigger than batchSize gets a batch of its own', () => {
  const acc = new RecordAccumulator(100, 5);
  const owner = new SendTracker(2);
  const closed = add(acc, 0, 500, 521, owner, 0, 0);
  assert.ok(closed !== null && closed.recordCount === 1);
});

test('retries wait for their backoff and go back in sequence order, ahead of fresh batches', () => {
  const acc = new RecordAccumulator(100, 5);
  const owner = new SendTracker(4);
  for (let i = 0; i < 3; i++) add(acc, 0, 90, 111, owner, i, 0);
  const q = acc.queue('t', 0);
  const [a, b] = [acc.take(q), acc.take(q)];
  a.baseSequence = 0;
  b.baseSequence = 1;
  for (const x of [b, a]) {
    x.attempts = 1;
    x.retryAtMs = 50;
    acc.requeue(q, x);
  }
  assert.deepEqual(q.batches.map((x) => x.baseSequence), [0, 1, -1]);
  assert.equal(acc.isReady(q, 49, true), false, 'backoff holds even a flush');
  assert.equal(acc.isReady(q, 50, false), true);
  assert.equal(acc.nextReadyAtMs(), 50);
});
