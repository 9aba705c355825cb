import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_API_VERSIONS, pickVersion } from './versions.js';
import { API_SPECS } from '../../protocol/messages/index.js';

test('the highest version both sides support is used', () => {
  const broker = new Map([[0, { min: 0, max: 7 }], [3, { min: 0, max: 2 }], [18, { min: 0, max: 2 }]]);
  assert.equal(pickVersion(0, broker), 7);
  assert.equal(pickVersion(3, broker), 2);
  assert.equal(pickVersion(18, broker), 2);
});

test('the broker minimum and caller limits narrow the range; no overlap gives -1', () => {
  assert.equal(pickVersion(0, new Map([[0, { min: 0, max: 2 }]])), -1, 'Produce below v3 is never used');
  assert.equal(pickVersion(1, new Map([[1, { min: 4, max: 17 }]]), { maxVersion: 11 }), 11);
  assert.equal(pickVersion(1, new Map([[1, { min: 4, max: 17 }]]), { minVersion: 13, maxVersion: 20 }), -1);
  assert.equal(pickVersion(19, new Map()), -1, 'an API the broker does not list');
});

test('every client range lies inside what the generated codecs can encode', () => {
  for (const [key, range] of Object.entries(CLIENT_API_VERSIONS)) {
    const spec = (API_SPECS as Record<string, { minVersion: number; maxVersion: number }>)[key]!;
    assert.ok(range![0] >= spec.minVersion && range![1] <= spec.maxVersion, `api ${key}`);
  }
});
