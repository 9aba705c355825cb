import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../protocol/errors.js';
import { nextSequence, ProducerStateTable } from './producer-state.js';

describe('ProducerStateTable', () => {
  it('wraps sequences at INT32_MAX as the Java producer does', () => {
    assert.equal(nextSequence(5), 6);
    assert.equal(nextSequence(2_147_483_647), 0);
    assert.equal(nextSequence(2_147_483_640, 9), 1);
  });

  it('accepts a batch that continues across the wrap and rejects one that skips', () => {
    const t = new ProducerStateTable(1000);
    const { producerId } = t.allocate();
    // A producer id from this run may start anywhere only at sequence 0.
    assert.equal(t.check('t', 0, producerId, 0, 2_147_483_646, 1).kind, 'error');
    t.record('t', 0, producerId, 0, 2_147_483_646, 1, 10);
    assert.deepEqual(t.check('t', 0, producerId, 0, 0, 4), { kind: 'append' });
    const gap = t.check('t', 0, producerId, 0, 1, 0);
    assert.equal(gap.kind === 'error' && gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('trusts a producer id from an earlier run from whatever sequence it sends', () => {
    const t = new ProducerStateTable(1000);
    assert.deepEqual(t.check('t', 0, 5, 3, 77, 0), { kind: 'append' });
    const { producerId } = t.allocate();
    assert.equal(producerId, 1000);
    const unknown = t.check('t', 0, producerId, 0, 77, 0);
    assert.equal(unknown.kind === 'error' && unknown.errorCode, ErrorCode.UNKNOWN_PRODUCER_ID, 'an id issued in this run must start at 0');
  });

  it('keeps state per partition and forgets a deleted topic', () => {
    const t = new ProducerStateTable(1);
    const { producerId } = t.allocate();
    t.record('a', 0, producerId, 0, 0, 0, 0);
    t.record('a', 1, producerId, 0, 0, 0, 0);
    t.record('b', 0, producerId, 0, 0, 0, 0);
    assert.equal(t.size, 3);
    t.forgetTopic('a');
    assert.equal(t.size, 1);
    assert.deepEqual(t.check('b', 0, producerId, 0, 0, 0), { kind: 'duplicate', baseOffset: 0 });
  });

  it('bumps the epoch, and hands out a new id when the epoch would overflow', () => {
    const t = new ProducerStateTable(50);
    const first = t.allocate();
    assert.deepEqual(t.bumpEpoch(first.producerId, 4), { producerId: first.producerId, producerEpoch: 5 });
    const fresh = t.bumpEpoch(first.producerId, 32_767);
    assert.notEqual(fresh.producerId, first.producerId);
    assert.equal(fresh.producerEpoch, 0);
  });
});
