import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BROKER_EVENTS, subscribeBrokerEvent } from '../../src/broker/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { RawConnection, startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';

const TOPIC_CONFIG = 1;
const STATIC_BROKER_CONFIG = 4;
const DEFAULT_CONFIG = 5;

describe('broker: metadata, topic and config administration', () => {
  let broker: TestBroker;
  let c: RawConnection;
  before(async () => {
    broker = await startTestBroker({ numPartitions: 2, logRetentionMs: 3_600_000 });
    c = await RawConnection.connect(broker.port);
  });
  after(async () => {
    c.close();
    await broker.close();
  });

  const create = (name: string, numPartitions = 1, replicationFactor = 1, configs: Array<{ name: string; value: string | null }> = [], validateOnly = false) =>
    c.request(19, 7, { topics: [{ name, numPartitions, replicationFactor, assignments: [], configs }], timeoutMs: 1000, validateOnly });

  it('advertises exactly the data-path version ranges', async () => {
    const res = await c.request(18, 3, { clientSoftwareName: 'raw-test', clientSoftwareVersion: '1' });
    const ranges = Object.fromEntries(res.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    const expected: Record<number, [number, number]> = {
      0: [0, 9], 1: [4, 16], 2: [0, 7], 3: [0, 12], 18: [0, 4], 19: [2, 7], 20: [1, 6], 21: [0, 2],
      22: [0, 5], 24: [0, 5], 25: [0, 4], 26: [0, 4], 27: [0, 1], 28: [0, 4], 32: [1, 4], 33: [0, 2], 37: [0, 3], 44: [0, 1], 60: [0, 1],
      61: [0, 0], 65: [0, 0], 66: [0, 1],
    };
    for (const [key, range] of Object.entries(expected)) assert.deepEqual(ranges[Number(key)], range, `api ${key}`);
  });

  it('creates topics and reports what they got; refuses bad requests with the narrowest error', async () => {
    const created = await create('a1', -1, -1, [{ name: 'retention.ms', value: '1000' }]);
    const t = created.topics[0]!;
    assert.equal(t.errorCode, 0);
    assert.equal(t.numPartitions, 2, 'NumPartitions -1 is num.partitions');
    assert.equal(t.replicationFactor, 1);
    assert.equal(t.topicId.length, 22);
    const retention = t.configs!.find((x) => x.name === 'retention.ms')!;
    assert.deepEqual([retention.value, retention.configSource], ['1000', TOPIC_CONFIG]);
    const cases: Array<[Promise<{ topics: Array<{ errorCode: number }> }>, number]> = [
      [create('a1'), ErrorCode.TOPIC_ALREADY_EXISTS],
      [create('bad name!'), ErrorCode.INVALID_TOPIC_EXCEPTION],
      [create('a2', 0), ErrorCode.INVALID_PARTITIONS],
      [create('a2', 1, 3), ErrorCode.INVALID_REPLICATION_FACTOR],
      [create('a2', 1, 1, [{ name: 'no.such.config', value: '1' }]), ErrorCode.INVALID_CONFIG],
      [create('a2', 1, 1, [{ name: 'retention.ms', value: 'soon' }]), ErrorCode.INVALID_CONFIG],
    ];
    for (const [promise, code] of cases) assert.equal((await promise).topics[0]!.errorCode, code);
    const dry = await create('a2', 3, 1, [], true);
    assert.equal(dry.topics[0]!.errorCode, 0);
    assert.equal(broker.context.store.topic('a2'), undefined, 'validateOnly creates nothing');
  });

  it('answers Metadata per version: v0 empty = all, v1 empty = none, null = all; auto-creates with LEADER_NOT_AVAILABLE once', async () => {
    const v0 = await c.request(3, 0, { topics: [] });
    assert.ok(v0.topics.some((t) => t.name === 'a1'));
    const none = await c.request(3, 1, { topics: [] });
    assert.equal(none.topics.length, 0);
    const all = await c.request(3, 12, { topics: null });
    const a1 = all.topics.find((t) => t.name === 'a1')!;
    assert.deepEqual(a1.partitions.map((p) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes, p.leaderEpoch]), [
      [0, 1, [1], [1], 0],
      [1, 1, [1], [1], 0],
    ]);
    assert.deepEqual(all.brokers, [{ nodeId: 1, host: '127.0.0.1', port: broker.port, rack: null }]);
    assert.equal(all.controllerId, 1);
    assert.equal(all.clusterId, broker.context.store.clusterId);
    const first = await c.request(3, 9, { topics: [{ name: 'made-by-metadata' }], allowAutoTopicCreation: true });
    assert.equal(first.topics[0]!.errorCode, ErrorCode.LEADER_NOT_AVAILABLE);
    const second = await c.request(3, 9, { topics: [{ name: 'made-by-metadata' }], allowAutoTopicCreation: true });
    assert.equal(second.topics[0]!.errorCode, 0);
    assert.equal(second.topics[0]!.partitions.length, 2);
    const refused = await c.request(3, 9, { topics: [{ name: 'not-allowed' }], allowAutoTopicCreation: false });
    assert.equal(refused.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const invalid = await c.request(3, 4, { topics: [{ name: 'bad/name' }], allowAutoTopicCreation: true });
    assert.equal(invalid.topics[0]!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    const byId = await c.request(3, 12, { topics: [{ topicId: a1.topicId, name: null }] });
    assert.equal(byId.topics[0]!.name, 'a1');
  });

  it('describes topic and broker configs with their sources', async () => {
    const res = await c.request(32, 4, {
      resources: [
        { resourceType: 2, resourceName: 'a1', configurationKeys: null },
        { resourceType: 4, resourceName: '1', configurationKeys: ['num.partitions', 'log.retention.ms', 'message.max.bytes'] },
        { resourceType: 2, resourceName: 'missing', configurationKeys: null },
      ],
      includeSynonyms: true,
      includeDocumentation: false,
    });
    const [topic, brokerRes, missing] = res.results;
    const byName = new Map(topic!.configs.map((x) => [x.name, x]));
    assert.equal(byName.get('retention.ms')!.configSource, TOPIC_CONFIG);
    assert.deepEqual(byName.get('retention.ms')!.synonyms.map((s) => s.source), [TOPIC_CONFIG, STATIC_BROKER_CONFIG]);
    assert.deepEqual([byName.get('cleanup.policy')!.value, byName.get('cleanup.policy')!.configSource], ['delete', DEFAULT_CONFIG]);
    assert.equal(byName.get('max.message.bytes')!.value, '1048588');
    assert.deepEqual(brokerRes!.configs.map((x) => [x.name, x.value, x.configSource]), [
      ['num.partitions', '2', STATIC_BROKER_CONFIG],
      ['log.retention.ms', '3600000', STATIC_BROKER_CONFIG],
      ['message.max.bytes', '1048588', DEFAULT_CONFIG],
    ]);
    assert.equal(missing!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('alters topic configs: AlterConfigs replaces the set, IncrementalAlterConfigs edits it', async () => {
    const alter = await c.request(33, 1, { resources: [{ resourceType: 2, resourceName: 'a1', configs: [{ name: 'segment.bytes', value: '2048' }] }], validateOnly: false });
    assert.equal(alter.responses[0]!.errorCode, 0);
    assert.deepEqual(broker.context.store.topic('a1')!.configs, { 'segment.bytes': '2048' }, 'retention.ms override removed');
    const inc = await c.request(44, 1, {
      resources: [
        {
          resourceType: 2,
          resourceName: 'a1',
          configs: [
            { name: 'segment.bytes', configOperation: 1, value: null },
            { name: 'retention.bytes', configOperation: 0, value: '100000' },
            { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
          ],
        },
      ],
      validateOnly: false,
    });
    assert.equal(inc.responses[0]!.errorCode, 0);
    assert.deepEqual(broker.context.store.topic('a1')!.configs, { 'retention.bytes': '100000', 'cleanup.policy': 'delete,compact' });
    const bad = await c.request(44, 0, { resources: [{ resourceType: 2, resourceName: 'a1', configs: [{ name: 'retention.bytes', configOperation: 2, value: '1' }] }], validateOnly: false });
    assert.equal(bad.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
    const brokerAlter = await c.request(33, 0, { resources: [{ resourceType: 4, resourceName: '1', configs: [] }], validateOnly: false });
    assert.equal(brokerAlter.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST);
  });

  it('grows topics, deletes records and topics, and publishes the facts', async () => {
    const events: string[] = [];
    const unsubscribe = [
      subscribeBrokerEvent(BROKER_EVENTS.topicCreated, (e) => events.push(`created ${e.topic} ${e.partitions} ${e.cause}`)),
      subscribeBrokerEvent(BROKER_EVENTS.partitionsCreated, (e) => events.push(`grown ${e.topic} ${e.previousPartitions}->${e.partitions}`)),
      subscribeBrokerEvent(BROKER_EVENTS.topicDeleted, (e) => events.push(`deleted ${e.topic}`)),
      subscribeBrokerEvent(BROKER_EVENTS.recordsDeleted, (e) => events.push(`records ${e.topic}/${e.partition} ${e.logStartOffset}`)),
    ];
    try {
      await create('g1', 1);
      const grow = await c.request(37, 3, { topics: [{ name: 'g1', count: 3, assignments: null }, { name: 'a1', count: 1, assignments: null }], timeoutMs: 1000, validateOnly: false });
      assert.deepEqual(grow.results.map((r) => r.errorCode), [0, ErrorCode.INVALID_PARTITIONS]);
      assert.equal(broker.context.store.topic('g1')!.partitions, 3);
      // Timestamps out of order inside one batch: lookups must answer per record, as Kafka does.
      const batch = await encodeRecordBatch({ records: [1000, 4000, 2000, 3000].map((timestamp, i) => ({ value: Buffer.from(`v${i}`), timestamp })) });
      await c.request(0, 7, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'g1', partitionData: [{ index: 2, records: batch }] }] });
      const lo = await c.request(2, 7, {
        replicaId: -1,
        topics: [{ name: 'g1', partitions: [-1, -2, -3, 900, 2500, 4000, 9000].map((timestamp) => ({ partitionIndex: 2, timestamp })) }],
      });
      assert.deepEqual(lo.topics[0]!.partitions.map((p) => [p.offset, p.timestamp]), [[4, -1], [0, -1], [1, 4000], [0, 1000], [1, 4000], [1, 4000], [-1, -1]]);
      const del = await c.request(21, 2, { topics: [{ name: 'g1', partitions: [{ partitionIndex: 2, offset: -1 }, { partitionIndex: 1, offset: 5 }] }], timeoutMs: 1000 });
      assert.deepEqual(del.topics[0]!.partitions.map((p) => [p.errorCode, p.lowWatermark]), [[0, 4], [ErrorCode.OFFSET_OUT_OF_RANGE, -1]]);
      const gone = await c.request(20, 6, { topics: [{ name: 'g1', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }, { name: 'nope', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], timeoutMs: 1000 });
      assert.deepEqual(gone.responses.map((r) => r.errorCode), [0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
      assert.equal(broker.context.store.topic('g1'), undefined);
    } finally {
      for (const u of unsubscribe) u();
    }
    assert.deepEqual(events, ['created g1 1 create-topics', 'grown g1 1->3', 'records g1/2 4', 'deleted g1']);
  });

  it('drops the committed offsets of a deleted topic before answering DeleteTopics', async () => {
    await create('offsets-gone', 1);
    const commit = await c.request(8, 7, {
      groupId: 'simple-group',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: 'offsets-gone', partitions: [{ partitionIndex: 0, committedOffset: 0, committedMetadata: '' }] }],
    });
    assert.equal(commit.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    const fetchCommitted = async () =>
      (await c.request(9, 7, { groupId: 'simple-group', topics: [{ name: 'offsets-gone', partitionIndexes: [0] }], requireStable: false })).topics[0]!.partitions[0]!.committedOffset;
    assert.equal(await fetchCommitted(), 0);
    const gone = await c.request(20, 4, { topicNames: ['offsets-gone'], timeoutMs: 1000 });
    assert.equal(gone.responses[0]!.errorCode, ErrorCode.NONE);
    assert.equal(await fetchCommitted(), -1);
  });

  it('describes the cluster as this one broker', async () => {
    const res = await c.request(60, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
    assert.equal(res.errorCode, 0);
    assert.equal(res.controllerId, 1);
    assert.deepEqual(res.brokers, [{ brokerId: 1, host: '127.0.0.1', port: broker.port, rack: null }]);
  });

  it('publishes connection-closed with the reason', async () => {
    const closed: string[] = [];
    const unsubscribe = subscribeBrokerEvent(BROKER_EVENTS.connectionClosed, (e) => closed.push(`${e.reason}:${e.detail ?? ''}`));
    try {
      const bad = await RawConnection.connect(broker.port);
      bad.writeRaw(Buffer.from([0, 0, 0, 10, 0x27, 0x0f, 0, 0, 0, 0, 0, 1, 0xff, 0xff]));
      await bad.closed;
      const polite = await RawConnection.connect(broker.port);
      polite.close();
      await polite.closed;
      // The broker sees the close a moment after the client does.
      await waitFor(() => closed.length >= 2, 2000, 'two connection-closed events');
    } finally {
      unsubscribe();
    }
    assert.deepEqual(closed.sort(), ['client-closed:', 'protocol-error:unknown api key 9999']);
  });
});
