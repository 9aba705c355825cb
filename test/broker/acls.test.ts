import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAdmin, type Admin } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { AclOperation as Op, PatternType, PermissionType, ResourceType } from '../../src/broker/security/authorizer.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { makeTempDir, RawConnection, startTestBroker, type TestBroker } from '../helpers/index.js';

const FAST = { retries: 0, connectionTimeoutMs: 5000, requestTimeoutMs: 5000 };
const USERS = { admin: 'admin-secret', reader: 'reader-secret', writer: 'writer-secret' };
const OMITTED = -2_147_483_648;
const bits = (...ops: number[]) => ops.reduce((b, op) => b | (1 << op), 0);

function adminFor(broker: TestBroker, user: keyof typeof USERS): Admin {
  const port = broker.listeners.find((l) => l.name === 'SASL_PLAINTEXT')!.port;
  return createAdmin({ bootstrapServers: `127.0.0.1:${port}`, sasl: { mechanism: 'scram-sha-256', username: user, password: USERS[user] }, ...FAST });
}

const allow = (resourceType: number, resourceName: string, principal: string, operation: number, patternType: number = PatternType.LITERAL) => ({
  resourceType, resourceName, resourcePatternType: patternType, principal, host: '*', operation, permissionType: PermissionType.ALLOW,
});

describe('broker: ACLs', () => {
  let broker: TestBroker;
  let admin: Admin;
  let reader: Admin;
  let writer: Admin;
  before(async () => {
    broker = await startTestBroker({ listeners: 'SASL_PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0', saslUsers: USERS, authorizer: true, superUsers: 'User:admin' });
    admin = adminFor(broker, 'admin');
    reader = adminFor(broker, 'reader');
    writer = adminFor(broker, 'writer');
    await admin.createTopics({ topics: [{ name: 'orders', numPartitions: 2 }, { name: 'secret', numPartitions: 1 }, { name: 'payments-eu', numPartitions: 1 }] });
    const { response } = await admin.cluster.request('any', 30, {
      creations: [
        allow(ResourceType.TOPIC, 'orders', 'User:reader', Op.READ),
        allow(ResourceType.GROUP, 'readers', 'User:reader', Op.READ),
        allow(ResourceType.TOPIC, 'payments-', 'User:writer', Op.WRITE, PatternType.PREFIXED),
        allow(ResourceType.TRANSACTIONAL_ID, 'tx-', 'User:writer', Op.WRITE, PatternType.PREFIXED),
      ],
    });
    assert.deepEqual(response.results.map((r) => r.errorCode), [0, 0, 0, 0]);
  });
  after(async () => {
    await Promise.all([admin.close(), reader.close(), writer.close()]);
    await broker.close();
  });

  it('Metadata lists only the topics the principal may describe, and names others TOPIC_AUTHORIZATION_FAILED', async () => {
    assert.deepEqual((await reader.listTopics()).sort(), ['orders']);
    const { response } = await reader.cluster.request('any', 3, { topics: [{ name: 'secret' }, { name: 'nope' }, { name: 'orders' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: true });
    const byName = new Map(response.topics.map((t) => [t.name, t]));
    assert.equal(byName.get('secret')!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    assert.equal(byName.get('nope')!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'a missing topic does not reveal that it is missing');
    assert.equal(byName.get('orders')!.errorCode, ErrorCode.NONE);
    assert.equal(byName.get('orders')!.topicAuthorizedOperations, bits(Op.READ, Op.DESCRIBE));
    assert.equal(broker.context.store.topic('nope'), undefined, 'no auto-creation without CREATE');
    const all = await admin.cluster.request('any', 3, { topics: null, includeTopicAuthorizedOperations: false });
    assert.deepEqual(all.response.topics.map((t) => t.name).sort(), ['orders', 'payments-eu', 'secret']);
  });

  it('auto-creation by Metadata needs CREATE: a writer with Write on payments- but no Create gets TOPIC_AUTHORIZATION_FAILED', async () => {
    const { response } = await writer.cluster.request('any', 3, { topics: [{ name: 'payments-us' }], allowAutoTopicCreation: true });
    assert.equal(response.topics[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    assert.equal(broker.context.store.topic('payments-us'), undefined);
  });

  it('Produce needs WRITE: the reader gets TOPIC_AUTHORIZATION_FAILED, the writer writes by prefix', async () => {
    const batch = await encodeRecordBatch({ records: [{ key: null, value: Buffer.from('v'), timestamp: Date.now() }] });
    const produce = (a: Admin, topic: string) => a.cluster.request('any', 0, { acks: -1, timeoutMs: 5000, transactionalId: null, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] });
    assert.equal((await produce(reader, 'orders')).response.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    assert.equal((await produce(writer, 'payments-eu')).response.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    assert.equal((await produce(writer, 'orders')).response.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  });

  it('Fetch and ListOffsets need READ / DESCRIBE on the topic', async () => {
    const fetch = (a: Admin, topic: string) => a.cluster.request('any', 1, (version) => ({
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, topicId: version >= 13 ? broker.context.store.topic(topic)!.id : undefined, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    }));
    assert.equal((await fetch(reader, 'orders')).response.responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    assert.equal((await fetch(reader, 'secret')).response.responses[0]!.partitions[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    assert.equal((await reader.listOffsets({ topic: 'orders' })).length, 2);
    const lo = await reader.cluster.request('any', 2, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'secret', partitions: [{ partitionIndex: 0, timestamp: -1 }] }] });
    assert.equal(lo.response.topics[0]!.partitions[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  });

  it('OffsetCommit: READ on the group and the topic; another group is GROUP_AUTHORIZATION_FAILED', async () => {
    const commit = (groupId: string, topic: string) => reader.cluster.request({ coordinator: groupId }, 8, {
      groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }],
    });
    assert.equal((await commit('readers', 'orders')).response.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    assert.equal((await commit('readers', 'secret')).response.topics[0]!.partitions[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const find = await reader.cluster.request('any', 10, { key: 'others', keyType: 0, coordinatorKeys: ['others'] });
    const code = find.response.coordinators?.[0]?.errorCode ?? find.response.errorCode;
    assert.equal(code, ErrorCode.GROUP_AUTHORIZATION_FAILED, 'FindCoordinator needs DESCRIBE on the group');
    const direct = await reader.cluster.request('any', 8, { groupId: 'others', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }] });
    assert.equal(direct.response.topics[0]!.partitions[0]!.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const offsets = await reader.fetchOffsets({ groupId: 'readers' });
    assert.deepEqual(offsets.map((o) => [o.topic, o.partition, o.offset]), [['orders', 0, 1]]);
  });

  it('group administration: DescribeGroups with authorized operations, ListGroups filtered, DeleteGroups needs DELETE', async () => {
    await admin.cluster.request({ coordinator: 'hidden' }, 8, { groupId: 'hidden', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 'secret', partitions: [{ partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: '' }] }] });
    const listed = (await reader.listGroups()).map((g) => g.groupId).sort();
    assert.deepEqual(listed, ['readers']);
    assert.ok((await admin.listGroups()).some((g) => g.groupId === 'hidden'), 'DESCRIBE on the cluster (a super user) lists every group');
    const d = await reader.cluster.request({ coordinator: 'readers' }, 15, { groups: ['readers', 'hidden'], includeAuthorizedOperations: true });
    assert.equal(d.response.groups[0]!.errorCode, ErrorCode.NONE);
    assert.equal(d.response.groups[0]!.authorizedOperations, bits(Op.READ, Op.DESCRIBE));
    assert.equal(d.response.groups[1]!.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const del = await reader.cluster.request({ coordinator: 'readers' }, 42, { groupsNames: ['readers'] });
    assert.equal(del.response.results[0]!.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
  });

  it('topic administration: CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs, AlterConfigs, DeleteRecords', async () => {
    const created = await reader.cluster.request('controller', 19, { topics: [{ name: 'mine', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    assert.equal(created.response.topics[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const deleted = await reader.cluster.request('controller', 20, { topicNames: ['orders'], topics: [{ name: 'orders' }], timeoutMs: 5000 });
    assert.equal(deleted.response.responses[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    assert.ok(broker.context.store.topic('orders') !== undefined);
    const grown = await reader.cluster.request('controller', 37, { topics: [{ name: 'orders', count: 4, assignments: null }], timeoutMs: 5000, validateOnly: false });
    assert.equal(grown.response.results[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const described = await reader.cluster.request('any', 32, { resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: null }, { resourceType: 4, resourceName: '1', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
    assert.deepEqual(described.response.results.map((r) => r.errorCode), [ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.CLUSTER_AUTHORIZATION_FAILED]);
    const altered = await reader.cluster.request('any', 44, { resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }] }], validateOnly: false });
    assert.equal(altered.response.responses[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const dr = await reader.cluster.request('any', 21, { topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, offset: -1 }] }], timeoutMs: 5000 });
    assert.equal(dr.response.topics[0]!.partitions[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  });

  it('InitProducerId: WRITE on the transactional id, or (idempotent) WRITE on some topic, as KIP-679', async () => {
    const init = (a: Admin, transactionalId: string | null) => a.cluster.request(transactionalId === null ? 'any' : { coordinator: transactionalId, keyType: 1 }, 22, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    assert.equal((await init(writer, 'tx-1')).response.errorCode, ErrorCode.NONE);
    assert.equal((await init(writer, null)).response.errorCode, ErrorCode.NONE);
    assert.equal((await init(reader, null)).response.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const direct = await writer.cluster.request('any', 22, { transactionalId: 'other', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    assert.equal(direct.response.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  });

  it('transactions: WRITE on the transactional id, WRITE on the topics, READ on the group', async () => {
    const init = await writer.cluster.request({ coordinator: 'tx-2', keyType: 1 }, 22, { transactionalId: 'tx-2', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    const { producerId, producerEpoch } = init.response;
    const add = await writer.cluster.request({ coordinator: 'tx-2', keyType: 1 }, 24, (version) => (version >= 4
      ? { transactions: [{ transactionalId: 'tx-2', producerId, producerEpoch, verifyOnly: false, topics: [{ name: 'orders', partitions: [0] }, { name: 'payments-eu', partitions: [0] }] }] }
      : { v3AndBelowTransactionalId: 'tx-2', v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch, v3AndBelowTopics: [{ name: 'orders', partitions: [0] }, { name: 'payments-eu', partitions: [0] }] }));
    const results = add.version >= 4 ? add.response.resultsByTransaction[0]!.topicResults : add.response.resultsByTopicV3AndBelow;
    const codes = Object.fromEntries(results.map((t) => [t.name, t.resultsByPartition[0]!.partitionErrorCode]));
    assert.deepEqual(codes, { orders: ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'payments-eu': ErrorCode.OPERATION_NOT_ATTEMPTED });
    const offsets = await writer.cluster.request({ coordinator: 'tx-2', keyType: 1 }, 25, { transactionalId: 'tx-2', producerId, producerEpoch, groupId: 'readers' });
    assert.equal(offsets.response.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const end = await writer.cluster.request('any', 26, { transactionalId: 'not-mine', producerId, producerEpoch, committed: false });
    assert.equal(end.response.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const txnCommit = await writer.cluster.request('any', 28, { transactionalId: 'not-mine', groupId: 'readers', producerId, producerEpoch, generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: '' }] }] });
    assert.equal(txnCommit.response.topics[0]!.partitions[0]!.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const batch = await encodeRecordBatch({ records: [{ key: null, value: Buffer.from('t'), timestamp: Date.now() }], producerId, producerEpoch, baseSequence: 0, transactional: true });
    const produced = await writer.cluster.request('any', 0, { acks: -1, timeoutMs: 5000, transactionalId: 'not-mine', topicData: [{ name: 'payments-eu', partitionData: [{ index: 0, records: batch }] }] });
    assert.equal(produced.response.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const markers = await writer.cluster.request('any', 27, { markers: [{ producerId, producerEpoch, transactionResult: false, coordinatorEpoch: 0, topics: [{ name: 'payments-eu', partitionIndexes: [0] }] }] });
    assert.equal(markers.response.markers[0]!.topics[0]!.partitions[0]!.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'WriteTxnMarkers needs CLUSTER_ACTION');
    const listed = await writer.cluster.request('any', 66, { stateFilters: [], producerIdFilters: [], durationFilter: -1 });
    assert.deepEqual(listed.response.transactionStates.map((t) => t.transactionalId).sort(), ['tx-1', 'tx-2']);
    const described = await reader.cluster.request('any', 65, { transactionalIds: ['tx-2'] });
    assert.equal(described.response.transactionStates[0]!.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  });

  it('ACL APIs: DescribeAcls needs DESCRIBE and Create/DeleteAcls ALTER on the cluster; bad bindings are INVALID_REQUEST', async () => {
    const d = await reader.cluster.request('any', 29, { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 });
    assert.equal(d.response.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const c = await reader.cluster.request('any', 30, { creations: [allow(ResourceType.TOPIC, 'secret', 'User:reader', Op.READ)] });
    assert.equal(c.response.results[0]!.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const bad = await admin.cluster.request('any', 30, { creations: [allow(ResourceType.CLUSTER, 'other', 'User:x', Op.ALTER), allow(ResourceType.TOPIC, 't', 'nobody', Op.READ)] });
    assert.deepEqual(bad.response.results.map((r) => r.errorCode), [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
    const match = await admin.describeAcls({ resourceType: 'topic', resourceName: 'payments-eu', patternType: 'match' });
    assert.deepEqual(match.map((a) => [a.resourceName, a.patternType, a.principal, a.operation]), [['payments-', 'prefixed', 'User:writer', 'write']]);
    await admin.createAcls([{ resourceType: 'topic', resourceName: 'secret', patternType: 'literal', principal: 'User:reader', host: '*', operation: 'read', permission: 'allow' }]);
    assert.deepEqual((await reader.listTopics()).sort(), ['orders', 'secret']);
    const removed = await admin.deleteAcls([{ resourceType: 'topic', resourceName: 'secret', principal: 'User:reader' }]);
    assert.equal(removed.length, 1);
    assert.deepEqual((await reader.listTopics()).sort(), ['orders']);
  });

  it('a PLAINTEXT client is User:ANONYMOUS and, with no ACL for it, may do nothing', async () => {
    const conn = await RawConnection.connect(broker.listeners.find((l) => l.name === 'PLAINTEXT')!.port);
    try {
      const md = await conn.request(3, 4, { topics: null, allowAutoTopicCreation: false });
      assert.deepEqual(md.topics, []);
    } finally {
      conn.close();
    }
  });

  it('Metadata v8 and DescribeCluster report the cluster operations the principal holds', async () => {
    const md = await reader.cluster.request('any', 3, { topics: [], includeClusterAuthorizedOperations: true }, {});
    if (md.version >= 8 && md.version <= 10) assert.equal(md.response.clusterAuthorizedOperations, 0);
    const dc = await admin.cluster.request('any', 60, { includeClusterAuthorizedOperations: true, endpointType: 1 });
    assert.equal(dc.response.clusterAuthorizedOperations, bits(Op.CREATE, Op.CLUSTER_ACTION, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS, Op.IDEMPOTENT_WRITE, Op.ALTER, Op.DESCRIBE));
    const dr = await reader.cluster.request('any', 60, { includeClusterAuthorizedOperations: false, endpointType: 1 });
    assert.equal(dr.response.clusterAuthorizedOperations, OMITTED);
  });
});

describe('broker: ACLs without an authorizer', () => {
  it('ACL APIs answer SECURITY_DISABLED and every operation is allowed', async () => {
    const broker = await startTestBroker();
    const admin = createAdmin({ bootstrapServers: broker.bootstrap, ...FAST });
    try {
      const c = await admin.cluster.request('any', 30, { creations: [allow(ResourceType.TOPIC, 't', 'User:x', Op.READ)] });
      assert.equal(c.response.results[0]!.errorCode, ErrorCode.SECURITY_DISABLED);
      await assert.rejects(admin.describeAcls(), (e: Error) => /SECURITY_DISABLED/.test(e.message));
      await admin.createTopics({ topics: [{ name: 'open' }] });
      const { response } = await admin.cluster.request('any', 3, { topics: [{ name: 'open' }], includeTopicAuthorizedOperations: true });
      assert.equal(response.topics[0]!.topicAuthorizedOperations, bits(Op.READ, Op.WRITE, Op.CREATE, Op.DELETE, Op.ALTER, Op.DESCRIBE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS));
    } finally {
      await admin.close();
      await broker.close();
    }
  });

  it('superUsers without authorizer is refused with a message naming the option', async () => {
    await assert.rejects(startTestBroker({ superUsers: 'User:admin' }), /superUsers and allowEveryoneIfNoAclFound need authorizer/);
  });
});

describe('broker: ACLs are durable', () => {
  it('survive a restart, and a damaged ACL file stops the start', async () => {
    const dir = await makeTempDir('samsa-acls-');
    try {
      const options = { dataDir: dir.path, listeners: 'SASL_PLAINTEXT://127.0.0.1:0', saslUsers: USERS, authorizer: true, superUsers: ['User:admin'] };
      let broker = await startTestBroker(options);
      let admin = adminFor(broker, 'admin');
      await admin.createAcls([{ resourceType: 'group', resourceName: 'team-', patternType: 'prefixed', principal: 'User:reader', host: '*', operation: 'read', permission: 'allow' }]);
      await admin.close();
      await broker.close();
      broker = await startTestBroker(options);
      admin = adminFor(broker, 'admin');
      assert.deepEqual(await admin.describeAcls(), [{ resourceType: 'group', resourceName: 'team-', patternType: 'prefixed', principal: 'User:reader', host: '*', operation: 'read', permission: 'allow' }]);
      await admin.close();
      await broker.close();
      const { writeFileSync } = await import('node:fs');
      writeFileSync(`${dir.path}/security/acls.json`, '{"version":1,"acls":[{"resourceType":2}]}');
      await assert.rejects(startTestBroker(options), /acls\.json: ACL 0/);
    } finally {
      await dir.remove();
    }
  });
});
