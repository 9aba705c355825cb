import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveClientOptions, CLIENT_DEFAULTS, parseBrokerAddress } from './options.js';
import { KafkaConfigError, KafkaError, throwIfError } from './errors.js';
import { ErrorCode } from '../protocol/errors.js';

test('defaults fill every option; bootstrap accepts a list or a comma-separated string', () => {
  const o = resolveClientOptions({ bootstrapServers: 'a:1, b:2' });
  assert.deepEqual(o.bootstrapServers, [{ host: 'a', port: 1 }, { host: 'b', port: 2 }]);
  assert.equal(o.requestTimeoutMs, CLIENT_DEFAULTS.requestTimeoutMs);
  assert.equal(o.metadataMaxAgeMs, 300_000);
  assert.equal(o.reconnectBackoffMs, 50);
  assert.equal(o.clientId, 'samsa');
  assert.deepEqual(parseBrokerAddress('[::1]:9092'), { host: '::1', port: 9092 });
});

test('bad options fail at construction with a message naming the option', () => {
  assert.throws(() => resolveClientOptions({ bootstrapServers: [] }), /bootstrapServers must be a non-empty list/);
  assert.throws(() => resolveClientOptions({ bootstrapServers: 'localhost' }), /"localhost" is not host:port/);
  assert.throws(() => resolveClientOptions({ bootstrapServers: 'h:99999' }), /port of "h:99999"/);
  assert.throws(() => resolveClientOptions({ bootstrapServers: 'h:1', requestTimeoutMs: -5 }), (e: Error) => e instanceof KafkaConfigError && /requestTimeoutMs must be an integer >= 1, got -5/.test(e.message));
  assert.throws(() => resolveClientOptions({ bootstrapServers: 'h:1', retryBackoffMs: 500, retryBackoffMaxMs: 100 }), /retryBackoffMaxMs \(100\) must be >= retryBackoffMs \(500\)/);
});

test('KafkaError carries code, Kafka name, retriability and where it happened', () => {
  const e = new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, { api: 'Produce', broker: 2, topic: 't', partition: 3 });
  assert.equal(e.name, 'NOT_LEADER_OR_FOLLOWER');
  assert.equal(e.code, 6);
  assert.equal(e.retriable, true);
  assert.equal(e.message, 'NOT_LEADER_OR_FOLLOWER (6) in Produce, broker 2, t/3');
  assert.throws(() => throwIfError(ErrorCode.GROUP_AUTHORIZATION_FAILED, { api: 'OffsetFetch', groupId: 'g' }), (err: KafkaError) => err.groupId === 'g' && !err.retriable);
  throwIfError(ErrorCode.NONE, {});
});
