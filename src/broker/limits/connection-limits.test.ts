import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionLimits, parsePerIpOverrides } from './connection-limits.js';

test('the N+1th connection is refused, and accepted again once one closes', () => {
  const limits = new ConnectionLimits({ maxConnections: 3, maxConnectionsPerIp: 10, perIpOverrides: new Map() });
  assert.equal(limits.tryOpen('10.0.0.1'), null);
  assert.equal(limits.tryOpen('10.0.0.2'), null);
  assert.equal(limits.tryOpen('10.0.0.3'), null);
  assert.equal(limits.tryOpen('10.0.0.4'), 'max-connections');
  limits.closed('10.0.0.2');
  assert.equal(limits.tryOpen('10.0.0.4'), null);
  assert.equal(limits.openCount, 3);
});

test('per-address limits, with overrides and IPv4-mapped addresses counted as the same client', () => {
  const limits = new ConnectionLimits({ maxConnections: 100, maxConnectionsPerIp: 2, perIpOverrides: parsePerIpOverrides('127.0.0.1:3, ::1:0') });
  assert.equal(limits.tryOpen('10.0.0.1'), null);
  assert.equal(limits.tryOpen('::ffff:10.0.0.1'), null);
  assert.equal(limits.tryOpen('10.0.0.1'), 'max-connections-per-ip');
  for (let i = 0; i < 3; i++) assert.equal(limits.tryOpen('127.0.0.1'), null);
  assert.equal(limits.tryOpen('127.0.0.1'), 'max-connections-per-ip');
  assert.equal(limits.tryOpen('::1'), 'max-connections-per-ip');
  limits.closed('::ffff:10.0.0.1');
  assert.equal(limits.tryOpen('10.0.0.1'), null);
});

test('overrides that are not address:limit are refused with the entry at fault', () => {
  assert.deepEqual([...parsePerIpOverrides('[::1]:5,host-a:7')], [['::1', 5], ['host-a', 7]]);
  assert.throws(() => parsePerIpOverrides('127.0.0.1'), /"127.0.0.1" is not address:limit/);
  assert.throws(() => parsePerIpOverrides('a:-1'), /"a:-1"/);
});
