import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBatch } from '../../test/storage/batch-builder.js';
import { checkStoredBatch, splitBatches } from './batches.js';
import { newKafkaUuid, parseSegmentFileName, segmentFileStem, topicNameProblem } from './names.js';

describe('batch framing', () => {
  it('splits back-to-back batches and rejects broken framing', () => {
    const a = buildBatch({ values: [Buffer.alloc(5)], timestampMs: 7 });
    const b = buildBatch({ values: [Buffer.alloc(1), Buffer.alloc(2)], timestampMs: 9 });
    const spans = splitBatches(Buffer.concat([a, b]));
    assert.deepEqual(spans, [
      { position: 0, size: a.length, lastOffsetDelta: 0, maxTimestamp: 7 },
      { position: a.length, size: b.length, lastOffsetDelta: 1, maxTimestamp: 10 },
    ]);
    assert.throws(() => splitBatches(Buffer.concat([a, b.subarray(0, 70)])), /claims/);
    assert.throws(() => splitBatches(Buffer.alloc(0)), /empty/);
    assert.throws(() => splitBatches(a.subarray(0, 30)), /truncated/);
    const negative = Buffer.from(a);
    negative.writeInt32BE(-1, 23);
    assert.throws(() => splitBatches(negative), /negative lastOffsetDelta/);
  });

  it('checks stored batches for recovery: offsets, magic, length and CRC', () => {
    const batch = buildBatch({ baseOffset: 42 });
    assert.equal(checkStoredBatch(batch, 0, 42).kind, 'valid');
    assert.equal(checkStoredBatch(batch, 0, 43).kind, 'invalid', 'offsets never go back');
    assert.equal(checkStoredBatch(batch, 0, 41).kind, 'valid', 'a gap is what compaction leaves');
    assert.deepEqual(checkStoredBatch(batch.subarray(0, 70), 0, 42), { kind: 'incomplete', neededBytes: batch.length });
    assert.deepEqual(checkStoredBatch(batch.subarray(0, 20), 0, 42), { kind: 'incomplete', neededBytes: 61 });
    const flipped = Buffer.from(batch);
    flipped[flipped.length - 1]! ^= 1;
    assert.deepEqual(checkStoredBatch(flipped, 0, 42), { kind: 'invalid', reason: 'CRC mismatch' });
    const zeros = Buffer.alloc(100);
    assert.equal(checkStoredBatch(zeros, 0, 0).kind, 'invalid');
  });
});

describe('names', () => {
  it('applies Kafka topic name rules', () => {
    assert.equal(topicNameProblem('orders.v1_x-y'), null);
    assert.notEqual(topicNameProblem('.'), null);
    assert.notEqual(topicNameProblem('a b'), null);
    assert.notEqual(topicNameProblem('ü'), null);
    assert.equal(topicNameProblem('x'.repeat(249)), null);
    assert.notEqual(topicNameProblem('x'.repeat(250)), null);
  });

  it('names segment files by zero-padded base offset', () => {
    assert.equal(segmentFileStem(1234), '00000000000000001234');
    assert.equal(parseSegmentFileName('00000000000000001234.log', '.log'), 1234);
    assert.equal(parseSegmentFileName('00000000000000001234.index', '.log'), null);
    assert.equal(parseSegmentFileName('1234.log', '.log'), null);
  });

  it('makes Kafka-style ids: 22 chars of base64url, never starting with a dash', () => {
    for (let i = 0; i < 200; i++) assert.match(newKafkaUuid(), /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
