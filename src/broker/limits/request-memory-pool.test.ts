import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestMemoryPool, type MemoryWaiter } from './request-memory-pool.js';

function waiter(pool: RequestMemoryPool, bytes: number, log: string[], name: string): MemoryWaiter {
  return {
    retryReserve() {
      if (!pool.reserveForWaiter(bytes)) return false;
      log.push(name);
      return true;
    },
  };
}

test('reservations beyond the limit wait and are served in arrival order as memory frees', () => {
  const pool = new RequestMemoryPool(100);
  const served: string[] = [];
  assert.ok(pool.tryReserve(60));
  assert.ok(!pool.tryReserve(50));
  pool.wait(waiter(pool, 50, served, 'a'));
  // Even a small reservation does not overtake a waiter.
  assert.ok(!pool.tryReserve(10));
  pool.wait(waiter(pool, 10, served, 'b'));
  assert.equal(pool.waitingCount, 2);
  pool.release(60);
  assert.deepEqual(served, ['a', 'b']);
  assert.equal(pool.usedBytes, 60);
  assert.equal(pool.waitingCount, 0);
});

test('a waiter that no longer fits keeps those behind it waiting; cancelling it lets them through', () => {
  const pool = new RequestMemoryPool(100);
  const served: string[] = [];
  assert.ok(pool.tryReserve(90));
  const big = waiter(pool, 100, served, 'big');
  pool.wait(big);
  pool.wait(waiter(pool, 5, served, 'small'));
  pool.release(10);
  assert.deepEqual(served, []);
  pool.cancel(big);
  assert.deepEqual(served, ['small']);
});

test('a pool without a limit never refuses, and releasing more than reserved is a bug', () => {
  const pool = new RequestMemoryPool(-1);
  assert.ok(pool.tryReserve(1e12));
  pool.release(1e12);
  assert.throws(() => pool.release(1), /released more than it reserved/);
});
