import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Consumer, createAdmin, Producer, type Admin } from '../../src/client/index.js';
import { startObserveServer, type ObserveServer } from '../../src/observe/index.js';
import { startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format: `# TYPE` families and their samples. */
function parseExposition(text: string): { families: Map<string, string>; samples: Sample[] } {
  const families = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      families.set(name!, type!);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { families, samples };
}

/** Every metric name docs/metrics.md lists in its tables. */
function documentedNames(): Set<string> {
  const doc = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
  return new Set([...doc.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!));
}

describe('observe: /metrics', () => {
  let broker: TestBroker;
  let admin: Admin;
  let server: ObserveServer;
  let kip848: Consumer;
  const produceAtMs = Date.now() - 60_000;

  before(async () => {
    broker = await startTestBroker({ numPartitions: 3 });
    admin = createAdmin({ bootstrapServers: broker.bootstrap });
    server = await startObserveServer({ admin, port: 0, broker, pollIntervalMs: 60_000, clusterName: 'test' });
    // After the server started, so the broker counters see it: 10 records on partition 0 (a
    // minute old), 5 on partition 1, none on 2.
    const producer = new Producer({ bootstrapServers: broker.bootstrap });
    await producer.send({ topic: 'metered', messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `a${i}`, timestamp: produceAtMs + i * 1000 })) });
    await producer.send({ topic: 'metered', messages: Array.from({ length: 5 }, (_, i) => ({ partition: 1, value: `b${i}` })) });
    await producer.close();
    // A group that only commits (a "simple consumer"): 4 of partition 0, all of 1, nothing of 2 yet.
    await admin.alterOffsets({ groupId: 'metered-commits', topic: 'metered', partitions: [{ partition: 0, offset: 4 }, { partition: 1, offset: 5 }, { partition: 2, offset: 0 }] });
    // A live group that joins, reads everything and leaves: rebalances, fetches, closed connections.
    const consumer = new Consumer({ bootstrapServers: broker.bootstrap, groupId: 'metered-live', clientId: 'live' });
    await consumer.subscribe({ topics: ['metered'], fromBeginning: true });
    let seen = 0;
    void consumer.run({ eachMessage: async () => void seen++ });
    await waitFor(() => seen === 15, 15_000, 'the live group read everything');
    await consumer.close();
    await admin.deleteTopics({ topics: ['no-such-topic'] }).catch(() => undefined);
    await waitFor(() => broker.context.timeline.history('metered-live').length === 2, 10_000, 'the live group joined and emptied');
    // A consumer group (KIP-848) that stays: one member with every partition.
    kip848 = new Consumer({ bootstrapServers: broker.bootstrap, groupId: 'metered-848', clientId: 'kip848', groupProtocol: 'consumer' });
    await kip848.subscribe({ topics: ['metered'], fromBeginning: true });
    let seen848 = 0;
    void kip848.run({ eachMessage: async () => void seen848++ });
    await waitFor(() => seen848 === 15 && broker.context.timeline.history('metered-848').length === 1, 15_000, 'the consumer group read everything and its first round ended');
    await server.poller.pollNow();
  });
  after(async () => {
    await kip848?.close();
    await server?.close();
    await admin?.close();
    await broker?.close();
  });

  async function scrape(): Promise<{ families: Map<string, string>; samples: Sample[]; contentType: string }> {
    const res = await fetch(`${server.url}metrics`);
    assert.equal(res.status, 200);
    return { ...parseExposition(await res.text()), contentType: res.headers.get('content-type') ?? '' };
  }

  const value = (samples: Sample[], name: string, labels: Record<string, string>): number | undefined =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

  it('lag in records and seconds matches what was produced and committed', async () => {
    const { samples, contentType } = await scrape();
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    const g = { group_id: 'metered-commits', topic_name: 'metered' };
    assert.equal(value(samples, 'kminion_kafka_consumer_group_topic_partition_lag', { ...g, partition_id: '0' }), 6);
    assert.equal(value(samples, 'kminion_kafka_consumer_group_topic_partition_lag', { ...g, partition_id: '1' }), 0);
    assert.equal(value(samples, 'kminion_kafka_consumer_group_topic_partition_lag', { ...g, partition_id: '2' }), 0);
    assert.equal(value(samples, 'kminion_kafka_consumer_group_topic_lag', g), 6);
    assert.equal(value(samples, 'kminion_kafka_consumer_group_topic_offset_sum', g), 9);
    const l = { cluster_name: 'test', group: 'metered-commits', topic: 'metered' };
    assert.equal(value(samples, 'kafka_consumergroup_group_offset', { ...l, partition: '0' }), 4);
    assert.equal(value(samples, 'kafka_consumergroup_group_lag', { ...l, partition: '0' }), 6);
    // The oldest unconsumed record is the one at offset 4, stamped produceAtMs + 4 s.
    const expectedSeconds = (Date.now() - (produceAtMs + 4000)) / 1000;
    const seconds = value(samples, 'kafka_consumergroup_group_lag_seconds', { ...l, partition: '0' })!;
    assert.ok(Math.abs(seconds - expectedSeconds) < 5, `lag seconds ${seconds} ~ ${expectedSeconds}`);
    assert.equal(value(samples, 'kafka_consumergroup_group_lag_seconds', { ...l, partition: '1' }), 0);
    assert.equal(value(samples, 'kafka_consumergroup_group_sum_lag', { cluster_name: 'test', group: 'metered-commits' }), 6);
    assert.equal(value(samples, 'kafka_consumergroup_group_max_lag', { cluster_name: 'test', group: 'metered-commits', is_simple_consumer: 'true' }), 6);
    assert.equal(value(samples, 'kafka_consumergroup_group_max_lag_seconds', { cluster_name: 'test', group: 'metered-commits' }), seconds);
    assert.equal(value(samples, 'kafka_consumergroup_group_topic_sum_lag', l), 6);
    assert.equal(value(samples, 'kafka_consumergroup_group_lag', { cluster_name: 'test', group: 'metered-live', topic: 'metered', partition: '0' }), 0);
    assert.equal(value(samples, 'kafka_partition_latest_offset', { cluster_name: 'test', topic: 'metered', partition: '0' }), 10);
    assert.equal(value(samples, 'kminion_kafka_topic_partition_high_water_mark', { topic_name: 'metered', partition_id: '1' }), 5);
    assert.equal(value(samples, 'kminion_kafka_topic_high_water_mark_sum', { topic_name: 'metered' }), 15);
    assert.equal(value(samples, 'kminion_kafka_topic_info', { topic_name: 'metered', partition_count: '3', cleanup_policy: 'delete' }), 1);
    assert.ok(value(samples, 'kminion_kafka_topic_log_dir_size_total_bytes', { topic_name: 'metered' })! > 0);
  });

  it('rebalances and broker traffic are counted', async () => {
    const { samples } = await scrape();
    assert.equal(value(samples, 'samsa_consumer_group_rebalances_total', { group_id: 'metered-live', reason: 'member-joined', source: 'coordinator' }), 1);
    assert.equal(value(samples, 'samsa_consumer_group_rebalances_total', { group_id: 'metered-live', reason: 'member-left', source: 'coordinator' }), 1);
    assert.ok(value(samples, 'samsa_consumer_group_last_rebalance_timestamp_seconds', { group_id: 'metered-live' })! > 0);
    assert.equal(value(samples, 'samsa_consumer_group_generation', { group_id: 'metered-live' }), 2);
    assert.equal(value(samples, 'samsa_broker_topic_partition_produced_records_total', { topic: 'metered', partition: '0' }), 10);
    assert.equal(value(samples, 'samsa_broker_topic_partition_produced_records_total', { topic: 'metered', partition: '1' }), 5);
    assert.ok(value(samples, 'samsa_broker_topic_partition_fetched_bytes_total', { topic: 'metered', partition: '0' })! > 0);
    assert.ok(value(samples, 'samsa_broker_requests_total', { api: 'Produce' })! >= 2);
    assert.ok(value(samples, 'samsa_broker_request_duration_seconds_count', { api: 'JoinGroup' })! >= 1);
    assert.ok(value(samples, 'samsa_broker_errors_total', { api: 'DeleteTopics', error: 'UNKNOWN_TOPIC_OR_PARTITION' })! >= 1);
    assert.ok(value(samples, 'samsa_broker_connections_closed_total', { reason: 'client-closed' })! >= 1);
    assert.equal(value(samples, 'samsa_exporter_up', {}), 1);
  });

  it('consumer groups (KIP-848): members, state, group epoch, rebalances and pause', async () => {
    const { samples } = await scrape();
    const group_id = 'metered-848';
    assert.equal(value(samples, 'kminion_kafka_consumer_group_info', { group_id, protocol: 'uniform', protocol_type: 'consumer', state: 'Stable' }), 1);
    assert.equal(value(samples, 'samsa_consumer_group_info', { group_id, group_type: 'consumer', state: 'Stable', assignor: 'uniform' }), 1);
    assert.equal(value(samples, 'samsa_consumer_group_info', { group_id: 'metered-commits', group_type: 'classic', state: 'Empty' }), 1);
    assert.equal(value(samples, 'kminion_kafka_consumer_group_members', { group_id }), 1);
    assert.equal(value(samples, 'kminion_kafka_consumer_group_topic_assigned_partitions', { group_id, topic_name: 'metered' }), 3);
    assert.equal(value(samples, 'samsa_consumer_group_generation', { group_id }), broker.context.groups.coordinator.consumerGroup(group_id)!.groupEpoch);
    assert.equal(value(samples, 'samsa_consumer_group_rebalances_total', { group_id, reason: 'member-joined', source: 'coordinator' }), 1);
    assert.equal(value(samples, 'samsa_consumer_group_last_rebalance_pause_seconds', { group_id, rebalance_protocol: 'consumer' }), 0);
  });

  it('every series is documented and every documented series is served', async () => {
    const { families } = await scrape();
    const documented = documentedNames();
    const served = [...families.keys()].filter((n) => !/^(process|nodejs)_/.test(n));
    assert.deepEqual(served.filter((n) => !documented.has(n)), [], 'served but not in docs/metrics.md');
    assert.deepEqual([...documented].filter((n) => !families.has(n)), [], 'documented but not served');
    assert.ok(families.has('process_cpu_seconds_total'), 'process metrics');
  });
});
