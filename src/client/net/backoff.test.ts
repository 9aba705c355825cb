import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs } from './backoff.js';

test('backoff doubles per attempt up to the maximum', () => {
  const mid = () => 0.5; // jitter factor 1.0
  assert.deepEqual([0, 1, 2, 3, 4, 5, 10].map((a) => backoffMs(a, 50, 1000, mid)), [50, 100, 200, 400, 800, 1000, 1000]);
});

test('jitter stays within ±20%', () => {
  assert.equal(backoffMs(0, 100, 1000, () => 0), 80);
  assert.equal(backoffMs(0, 100, 1000, () => 0.999999), 120);
  assert.equal(backoffMs(20, 100, 1000, () => 0.999999), 1200);
  assert.equal(backoffMs(3, 0, 1000, () => 0.5), 0);
});
