import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InFlightRequests } from './in-flight.js';
import { ProtocolError } from '../../protocol/protocol-error.js';

test('responses are matched to requests in the order they were sent', () => {
  const q = new InFlightRequests<{ correlationId: number; deadlineMs: number; tag: string }>(1);
  for (const tag of ['a', 'b', 'c']) q.push({ correlationId: q.nextCorrelationId(), deadlineMs: 100, tag });
  assert.equal(q.size, 3);
  assert.equal(q.take(1).tag, 'a');
  assert.equal(q.take(2).tag, 'b');
  assert.equal(q.take(3).tag, 'c');
  assert.equal(q.size, 0);
});

test('a response out of step is a protocol error (the connection must close)', () => {
  const q = new InFlightRequests<{ correlationId: number; deadlineMs: number }>(0);
  q.push({ correlationId: q.nextCorrelationId(), deadlineMs: 1 });
  q.push({ correlationId: q.nextCorrelationId(), deadlineMs: 1 });
  assert.throws(() => q.take(1), ProtocolError);
  assert.throws(() => new InFlightRequests(0).take(0), /no request is waiting/);
});

test('correlation ids wrap from INT32_MAX to 0', () => {
  const q = new InFlightRequests(0x7fffffff);
  assert.equal(q.nextCorrelationId(), 0x7fffffff);
  assert.equal(q.nextCorrelationId(), 0);
});

test('deadlines: earliest and first expired, whatever the order', () => {
  const q = new InFlightRequests<{ correlationId: number; deadlineMs: number }>(0);
  q.push({ correlationId: 0, deadlineMs: 500 });
  q.push({ correlationId: 1, deadlineMs: 200 });
  assert.equal(q.earliestDeadlineMs(), 200);
  assert.equal(q.firstExpired(199), undefined);
  assert.equal(q.firstExpired(200)?.correlationId, 1);
  assert.deepEqual(q.drain().map((e) => e.correlationId), [0, 1]);
  assert.equal(q.earliestDeadlineMs(), Infinity);
});

test('many requests in flight stay O(1) to take and keep their order after compaction', () => {
  const q = new InFlightRequests<{ correlationId: number; deadlineMs: number }>(0);
  for (let i = 0; i < 5000; i++) q.push({ correlationId: q.nextCorrelationId(), deadlineMs: i });
  for (let i = 0; i < 4000; i++) assert.equal(q.take(i).correlationId, i);
  assert.equal(q.size, 1000);
  assert.equal(q.earliestDeadlineMs(), 4000);
  assert.equal(q.take(4000).correlationId, 4000);
});
