import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DedupeState, MemoryDedupeStore } from './store.js';

const rec = (offset: number, key: string | null = null, partition = 0) => ({ topic: 't', partition, offset, key });

describe('dedupe state', () => {
  it('treats every offset at or below the last processed one of a partition as processed, per partition', () => {
    const s = new DedupeState();
    s.add(rec(5));
    assert.equal(s.has(rec(3)), true);
    assert.equal(s.has(rec(5)), true);
    assert.equal(s.has(rec(6)), false);
    assert.equal(s.has(rec(3, null, 1)), false, 'another partition');
  });

  it('recognises a key seen before at a new offset, and forgets the oldest keys past maxKeys', () => {
    const s = new DedupeState(2);
    s.add(rec(1, 'a'));
    s.add(rec(2, 'b'));
    assert.equal(s.has(rec(10, 'a')), true, 'the same message produced again');
    s.add(rec(3, 'c'));
    assert.equal(s.has(rec(11, 'a')), false, 'a is the oldest of three: forgotten');
    assert.equal(s.has(rec(11, 'b')), true);
    assert.throws(() => new DedupeState(-1), RangeError);
  });

  it('the memory store answers from the same state', async () => {
    const store = new MemoryDedupeStore();
    assert.equal(await store.isProcessed(rec(0, 'k')), false);
    await store.markProcessed(rec(0, 'k'));
    assert.equal(await store.isProcessed(rec(0)), true);
    assert.equal(await store.isProcessed(rec(7, 'k')), true);
  });
});
