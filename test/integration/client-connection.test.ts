import { test } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { Cluster } from '../../src/client/net/cluster.js';
import { KafkaError } from '../../src/client/errors.js';
import { CLIENT_CHANNELS, type DisconnectEvent } from '../../src/client/events.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ManualClock } from '../../src/common/clock.js';
import { StubBroker, apiVersionsBody, metadataBody, type StubRequest } from './client-stub-broker.js';

const FAST = { retryBackoffMs: 5, retryBackoffMaxMs: 20, reconnectBackoffMs: 5, reconnectBackoffMaxMs: 20 };

function standard(stub: () => StubBroker, extra?: (req: StubRequest) => unknown) {
  return (req: StubRequest): unknown => {
    const custom = extra?.(req);
    if (custom !== undefined) return custom;
    if (req.header.apiKey === 18) return apiVersionsBody();
    if (req.header.apiKey === 3) return metadataBody(stub().port, [{ name: 't', partitions: 2 }]);
    return undefined;
  };
}

test('ApiVersions v3 first; on UNSUPPORTED_VERSION the broker\'s max for key 18 is used', async () => {
  let stub!: StubBroker;
  stub = await new StubBroker((req) => {
    if (req.header.apiKey === 18 && req.header.apiVersion > 1) {
      req.replyAt(0, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 1 }] });
      return null;
    }
    return standard(() => stub)(req);
  }).start();
  const cluster = new Cluster({ bootstrapServers: stub.bootstrap, ...FAST });
  try {
    await cluster.metadata({ topics: ['t'] });
    const versions = stub.requests.filter((r) => r.header.apiKey === 18).map((r) => r.header.apiVersion);
    assert.deepEqual(versions, [3, 1]);
    assert.equal((stub.requests[0]!.body as { clientSoftwareName: string }).clientSoftwareName, 'samsa');
    assert.equal(cluster.cache.leaderFor('t', 1), 1);
    assert.equal(await cluster.versionFor(1, 3), 12, 'Metadata at the highest common version');
  } finally {
    await cluster.close();
    await stub.stop();
  }
});

test('requests are pipelined on one connection and answered in order', async () => {
  let stub!: StubBroker;
  const held: StubRequest[] = [];
  stub = await new StubBroker(standard(() => stub, (req) => {
    if (req.header.apiKey !== 12) return undefined;
    held.push(req);
    if (held.length === 50) for (const h of held) h.reply({ errorCode: 0 });
    return null;
  })).start();
  const cluster = new Cluster({ bootstrapServers: stub.bootstrap, ...FAST });
  try {
    await cluster.metadata({});
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      cluster.request(1, 12, { groupId: `g${i}`, generationId: i, memberId: 'm' }).then((r) => r.response.errorCode)));
    assert.equal(results.length, 50);
    assert.equal(stub.sockets.size, 1, 'one connection carried all of them');
    assert.deepEqual(held.map((h) => (h.body as { generationId: number }).generationId), Array.from({ length: 50 }, (_, i) => i));
  } finally {
    await cluster.close();
    await stub.stop();
  }
});

test('a request without an answer times out, closes the connection and fails the others with a retriable error', async () => {
  let stub!: StubBroker;
  stub = await new StubBroker(standard(() => stub, (req) => (req.header.apiKey === 12 ? null : undefined))).start();
  const cluster = new Cluster({ bootstrapServers: stub.bootstrap, retries: 0, ...FAST });
  const disconnects: DisconnectEvent[] = [];
  const onDisconnect = (e: unknown) => disconnects.push(e as DisconnectEvent);
  diagnostics_channel.subscribe(CLIENT_CHANNELS.disconnect, onDisconnect);
  try {
    await cluster.metadata({});
    const first = cluster.request(1, 12, { groupId: 'g', generationId: 1, memberId: 'm' }, { timeoutMs: 150 });
    const second = cluster.request(1, 12, { groupId: 'g', generationId: 2, memberId: 'm' }, { timeoutMs: 10_000 });
    await assert.rejects(first, (e: KafkaError) => e instanceof KafkaError && e.code === ErrorCode.REQUEST_TIMED_OUT && e.api === 'Heartbeat' && e.broker === 1);
    await assert.rejects(second, (e: KafkaError) => e.code === ErrorCode.NETWORK_EXCEPTION && e.retriable);
    assert.equal(disconnects.length, 1);
    assert.equal(disconnects[0]!.inFlightRequests, 2);
    assert.match(disconnects[0]!.reason, /Heartbeat request timed out/);
  } finally {
    diagnostics_channel.unsubscribe(CLIENT_CHANNELS.disconnect, onDisconnect);
    await cluster.close();
    await stub.stop();
  }
});

test('a dropped connection is re-established and the request retried', async () => {
  let stub!: StubBroker;
  let drops = 0;
  stub = await new StubBroker(standard(() => stub, (req) => {
    if (req.header.apiKey === 12 && drops < 2) {
      drops++;
      return 'close';
    }
    return req.header.apiKey === 12 ? { errorCode: 0 } : undefined;
  })).start();
  const cluster = new Cluster({ bootstrapServers: stub.bootstrap, retries: 3, ...FAST });
  const connects: number[] = [];
  cluster.on('connect', (c) => connects.push(c.nodeId));
  try {
    await cluster.metadata({});
    const { response } = await cluster.request(1, 12, { groupId: 'g', generationId: 1, memberId: 'm' });
    assert.equal(response.errorCode, 0);
    assert.equal(drops, 2);
    assert.equal(connects.length, 3, 'bootstrap connection, then two reconnects');
  } finally {
    await cluster.close();
    await stub.stop();
  }
});

test('retries are bounded: the last transport error surfaces', async () => {
  let stub!: StubBroker;
  stub = await new StubBroker(standard(() => stub, (req) => (req.header.apiKey === 12 ? 'close' : undefined))).start();
  const cluster = new Cluster({ bootstrapServers: stub.bootstrap, retries: 2, ...FAST });
  try {
    await cluster.metadata({});
    await assert.rejects(cluster.request(1, 12, { groupId: 'g', generationId: 1, memberId: 'm' }), (e: KafkaError) => e.code === ErrorCode.NETWORK_EXCEPTION);
    assert.equal(stub.requests.filter((r) => r.header.apiKey === 12).length, 3);
  } finally {
    await cluster.close();
    await stub.stop();
  }
});

test('an unreachable bootstrap fails with NETWORK_EXCEPTION after the retries', async () => {
  const stub = await new StubBroker(() => null).start();
  await stub.stop(); // nothing listens there any more
  const cluster = new Cluster({ bootstrapServers: stub.bootstrap, retries: 1, ...FAST });
  await assert.rejects(cluster.metadata({}), (e: KafkaError) => e instanceof KafkaError && e.code === ErrorCode.NETWORK_EXCEPTION);
  await cluster.close();
});

test('coordinator lookups are cached, use FindCoordinator batching from v4, and get their own connection', async () => {
  let stub!: StubBroker;
  stub = await new StubBroker(standard(() => stub, (req) => {
    if (req.header.apiKey === 10) {
      return { coordinators: [{ key: 'g', nodeId: 1, host: '127.0.0.1', port: stub.port, errorCode: 0 }] };
    }
    return req.header.apiKey === 12 ? { errorCode: 0 } : undefined;
  })).start();
  const cluster = new Cluster({ bootstrapServers: stub.bootstrap, ...FAST });
  try {
    assert.equal(await cluster.coordinator('g'), 1);
    assert.equal(await cluster.coordinator('g'), 1);
    const finds = stub.requests.filter((r) => r.header.apiKey === 10);
    assert.equal(finds.length, 1);
    assert.deepEqual((finds[0]!.body as { coordinatorKeys: string[] }).coordinatorKeys, ['g']);
    await cluster.request({ coordinator: 'g' }, 12, { groupId: 'g', generationId: 1, memberId: 'm' });
    assert.equal(stub.sockets.size, 2, 'default lane + coordinator lane');
    cluster.invalidateCoordinator('g');
    await cluster.coordinator('g');
    assert.equal(stub.requests.filter((r) => r.header.apiKey === 10).length, 2);
  } finally {
    await cluster.close();
    await stub.stop();
  }
});

test('a version the broker does not share is a non-retriable UNSUPPORTED_VERSION', async () => {
  let stub!: StubBroker;
  stub = await new StubBroker(standard(() => stub, (req) => (req.header.apiKey === 18 ? apiVersionsBody({ 0: [0, 2] }) : undefined))).start();
  const cluster = new Cluster({ bootstrapServers: stub.bootstrap, ...FAST });
  try {
    await assert.rejects(cluster.request('any', 0, { acks: 1, timeoutMs: 1000, topicData: [] }), (e: KafkaError) => e.code === ErrorCode.UNSUPPORTED_VERSION && !e.retriable && /v0-v2/.test(e.message));
  } finally {
    await cluster.close();
    await stub.stop();
  }
});

test('metadata is cached for metadataMaxAgeMs (virtual clock), refreshed after, and on demand', async () => {
  let stub!: StubBroker;
  stub = await new StubBroker(standard(() => stub)).start();
  const clock = new ManualClock(1_000_000);
  const cluster = new Cluster({ bootstrapServers: stub.bootstrap, metadataMaxAgeMs: 60_000, clock, ...FAST });
  const metadataRequests = () => stub.requests.filter((r) => r.header.apiKey === 3);
  try {
    await cluster.metadata({ topics: ['t'] });
    await cluster.metadata({ topics: ['t'] });
    assert.equal(await cluster.leaderFor('t', 0), 1);
    assert.equal(metadataRequests().length, 1, 'served from the cache');
    clock.advance(60_000);
    await cluster.metadata({ topics: ['t'] });
    assert.equal(metadataRequests().length, 2, 'refreshed once stale');
    cluster.invalidateTopic('t');
    await cluster.metadata({ topics: ['t'] });
    assert.equal(metadataRequests().length, 3, 'refreshed after invalidation');
    await cluster.metadata({ topics: 'all' });
    const all = metadataRequests()[3]!;
    assert.equal((all.body as { topics: unknown }).topics, null, 'all topics: a null list (v1+)');
    assert.equal(all.header.apiVersion, 12);
  } finally {
    await cluster.close();
    await stub.stop();
  }
});

test('a NOT_COORDINATOR answer to a { coordinator } request drops the cached coordinator', async () => {
  let stub!: StubBroker;
  let heartbeats = 0;
  stub = await new StubBroker(standard(() => stub, (req) => {
    if (req.header.apiKey === 10) return { coordinators: [{ key: 'g', nodeId: 1, host: '127.0.0.1', port: stub.port, errorCode: 0 }] };
    if (req.header.apiKey === 12) return { errorCode: heartbeats++ === 0 ? ErrorCode.NOT_COORDINATOR : 0 };
    return undefined;
  })).start();
  const cluster = new Cluster({ bootstrapServers: stub.bootstrap, ...FAST });
  try {
    const first = await cluster.request({ coordinator: 'g' }, 12, { groupId: 'g', generationId: 1, memberId: 'm' });
    assert.equal(first.response.errorCode, ErrorCode.NOT_COORDINATOR, 'the answer is the caller\'s to act on');
    await cluster.request({ coordinator: 'g' }, 12, { groupId: 'g', generationId: 1, memberId: 'm' });
    assert.equal(stub.requests.filter((r) => r.header.apiKey === 10).length, 2, 'looked up again');
  } finally {
    await cluster.close();
    await stub.stop();
  }
});
