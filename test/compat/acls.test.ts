import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import kafkajsModule from 'kafkajs';

// kafkajs is CommonJS: its ACL enums are not named exports under ESM.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } = kafkajsModule;
import { createAdmin, createProducer } from '../../src/client/index.js';
import { makeTempDir, runKcat, runPython, startTestBroker, type TestBroker, type TestBrokerOptions } from '../helpers/index.js';

/**
 * A SCRAM user with READ on one topic and one group, against real clients: it consumes and
 * commits to its group, and is refused everything else with Kafka's authorization errors.
 */
const USERS = { admin: 'admin-secret', reader: 'reader-secret' };
const TOPIC = 'acl-orders';
const HIDDEN = 'acl-secret';
const GROUP = 'acl-readers';

function librdkafkaConfig(bootstrap: string, user: keyof typeof USERS): Record<string, string> {
  return { 'bootstrap.servers': bootstrap, 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'SCRAM-SHA-256', 'sasl.username': user, 'sasl.password': USERS[user] };
}

const kcatArgs = (bootstrap: string, user: keyof typeof USERS): string[] => Object.entries(librdkafkaConfig(bootstrap, user)).flatMap(([k, v]) => ['-X', `${k}=${v}`]);

/** Consumes in the reader's group and commits; then tries what it may not do. Prints one line per outcome. */
const PYTHON_READER = `
import json, sys
from confluent_kafka import Consumer, Producer, TopicPartition, KafkaException
from confluent_kafka.admin import AdminClient
conf = json.loads(sys.argv[1]); topic, hidden, group = sys.argv[2], sys.argv[3], sys.argv[4]
c = Consumer(dict(conf, **{'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': False}))
c.subscribe([topic])
got = None
for _ in range(120):
    m = c.poll(0.5)
    if m is not None and m.error() is None:
        got = m; break
print('consumed %s' % got.value().decode())
c.commit(message=got, asynchronous=False)
print('committed %d' % c.committed([TopicPartition(topic, got.partition())], timeout=10)[0].offset)
c.close()
errors = []
p = Producer(dict(conf, **{'message.timeout.ms': 10000}))
p.produce(topic, b'nope', on_delivery=lambda err, msg: errors.append(err))
p.flush(15)
print('produce %s' % (errors[0].name() if errors and errors[0] else 'delivered'))
admin = AdminClient(conf)
try:
    admin.delete_topics([topic], operation_timeout=10)[topic].result(timeout=15)
    print('delete ok')
except KafkaException as e:
    print('delete %s' % e.args[0].name())
other = Consumer(dict(conf, **{'group.id': 'acl-others', 'enable.auto.commit': False}))
try:
    other.commit(offsets=[TopicPartition(topic, 0, 1)], asynchronous=False)
    print('other-group ok')
except KafkaException as e:
    print('other-group %s' % e.args[0].name())
other.close()
`;

describe('compat: ACLs with kcat, confluent-kafka-python and kafkajs', () => {
  let broker: TestBroker;
  let dir: { path: string; remove(): Promise<void> };
  let options: TestBrokerOptions;
  const bootstrap = (): string => `127.0.0.1:${broker.listeners.find((l) => l.name === 'SASL_PLAINTEXT')!.port}`;
  const kafkajs = (user: keyof typeof USERS) => new Kafka({ brokers: [bootstrap()], logLevel: logLevel.NOTHING, retry: { retries: 1 }, sasl: { mechanism: 'scram-sha-256', username: user, password: USERS[user] } });

  before(async () => {
    dir = await makeTempDir('samsa-acl-compat-');
    options = { dataDir: dir.path, listeners: 'SASL_PLAINTEXT://127.0.0.1:0', saslUsers: USERS, authorizer: true, superUsers: 'User:admin' };
    broker = await startTestBroker(options);
    const sasl = { mechanism: 'scram-sha-256', username: 'admin', password: USERS.admin };
    const admin = createAdmin({ bootstrapServers: bootstrap(), sasl });
    await admin.createTopics({ topics: [{ name: TOPIC, numPartitions: 1 }, { name: HIDDEN, numPartitions: 1 }] });
    const producer = createProducer({ bootstrapServers: bootstrap(), sasl });
    await producer.send({ topic: TOPIC, messages: [{ value: 'order-1' }, { value: 'order-2' }] });
    await producer.close();
    // The same rules kafka-acls --consumer would add, through kafkajs' admin.
    const kadmin = kafkajs('admin').admin();
    await kadmin.connect();
    await kadmin.createAcls({
      acl: [
        { resourceType: AclResourceTypes.TOPIC, resourceName: TOPIC, resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:reader', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
        { resourceType: AclResourceTypes.GROUP, resourceName: GROUP, resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:reader', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
        // DESCRIBE only: the reader finds this group's coordinator, and its commits reach the
        // OffsetCommit check (READ) and fail there.
        { resourceType: AclResourceTypes.GROUP, resourceName: 'acl-others', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:reader', host: '*', operation: AclOperationTypes.DESCRIBE, permissionType: AclPermissionTypes.ALLOW },
        { resourceType: AclResourceTypes.GROUP, resourceName: 'kjs-', resourcePatternType: ResourcePatternTypes.PREFIXED, principal: 'User:reader', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
      ],
    });
    await kadmin.disconnect();
    await admin.close();
  });
  after(async () => {
    await broker.close();
    await dir.remove();
  });

  it('kcat -L shows the reader only the topic it may read; the admin sees both', async () => {
    const reader = await runKcat(['-L', '-m', '10', ...kcatArgs(bootstrap(), 'reader')]);
    assert.match(reader.stdout, new RegExp(`topic "${TOPIC}"`));
    assert.doesNotMatch(reader.stdout, new RegExp(HIDDEN));
    const admin = await runKcat(['-L', '-m', '10', ...kcatArgs(bootstrap(), 'admin')]);
    assert.match(admin.stdout, new RegExp(`topic "${HIDDEN}"`));
  });

  it('kcat: the reader consumes but cannot produce (Broker: Topic authorization failed)', async () => {
    const out = await runKcat(['-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%s\n', ...kcatArgs(bootstrap(), 'reader')]);
    assert.equal(out.stdout, 'order-1\norder-2\n');
    const produced = await runKcat(['-P', '-t', TOPIC, '-X', 'message.timeout.ms=10000', ...kcatArgs(bootstrap(), 'reader')], { input: 'nope\n' }).then(
      (r) => r.stdout + r.stderr,
      (e: Error) => e.message,
    );
    assert.match(produced, /Topic authorization failed/);
  });

  it('confluent-kafka-python: consumes and commits in its group; produce, delete and another group are refused', async () => {
    const out = await runPython(PYTHON_READER, [JSON.stringify(librdkafkaConfig(bootstrap(), 'reader')), TOPIC, HIDDEN, GROUP], 90_000);
    assert.deepEqual(out.stdout.trim().split('\n'), [
      'consumed order-1',
      'committed 1',
      'produce TOPIC_AUTHORIZATION_FAILED',
      'delete TOPIC_AUTHORIZATION_FAILED',
      'other-group GROUP_AUTHORIZATION_FAILED',
    ]);
    assert.ok(broker.context.store.topic(TOPIC) !== undefined);
  });

  it('kafkajs: consumes in a permitted group; produce, delete and another group are refused', async () => {
    const kafka = kafkajs('reader');
    const consumer = kafka.consumer({ groupId: 'kjs-readers', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const value = await new Promise<string>((resolve, reject) => {
      consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }).catch(reject);
    });
    await consumer.disconnect();
    assert.equal(value, 'order-1');
    const producer = kafka.producer();
    await producer.connect();
    await assert.rejects(producer.send({ topic: TOPIC, messages: [{ value: 'nope' }] }), (e: Error & { type?: string }) => e.type === 'TOPIC_AUTHORIZATION_FAILED' || /Not authorized to access topics/.test(e.message));
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await assert.rejects(admin.deleteTopics({ topics: [TOPIC], timeout: 5000 }), (e: Error & { type?: string }) => /TOPIC_AUTHORIZATION_FAILED|Not authorized to access topics/.test(`${e.type} ${e.message} ${JSON.stringify(e)}`));
    // Without even DESCRIBE, FindCoordinator is refused and kafkajs reports no coordinator (as against Kafka).
    await assert.rejects(admin.fetchOffsets({ groupId: 'nobodys', topics: [TOPIC] }), (e: Error) => e.name === 'KafkaJSGroupCoordinatorNotFound');
    await admin.disconnect();
    assert.ok(broker.context.store.topic(TOPIC) !== undefined);
    // A consumer of another group (DESCRIBE but no READ on it) crashes on GROUP_AUTHORIZATION_FAILED.
    const other = kafka.consumer({ groupId: 'acl-others', retry: { retries: 0, restartOnFailure: async () => false } });
    const crashed = new Promise<string>((resolve) => other.on(other.events.CRASH, (e) => resolve(String((e.payload.error as Error & { type?: string }).type))));
    await other.connect();
    await other.subscribe({ topic: TOPIC, fromBeginning: true });
    await other.run({ eachMessage: async () => undefined }).catch(() => undefined);
    assert.equal(await crashed, 'GROUP_AUTHORIZATION_FAILED');
    await other.disconnect();
  });

  it('kafkajs admin: describeAcls and deleteAcls; the ACLs survive a broker restart', async () => {
    const describe = async () => {
      const admin = kafkajs('admin').admin();
      await admin.connect();
      const res = await admin.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
      await admin.disconnect();
      return res.resources.flatMap((r) => r.acls.map((a) => `${r.resourceType}:${r.resourcePatternType}:${r.resourceName}:${a.principal}:${a.operation}:${a.permissionType}`)).sort();
    };
    const before = await describe();
    assert.equal(before.length, 4);
    await broker.close();
    broker = await startTestBroker(options);
    assert.deepEqual(await describe(), before);
    const reader = await runKcat(['-L', '-m', '10', ...kcatArgs(bootstrap(), 'reader')]);
    assert.doesNotMatch(reader.stdout, new RegExp(HIDDEN));
    const admin = kafkajs('admin').admin();
    await admin.connect();
    const deleted = await admin.deleteAcls({
      filters: [{ resourceType: AclResourceTypes.GROUP, resourceName: 'kjs-', resourcePatternType: ResourcePatternTypes.PREFIXED, principal: 'User:reader', host: '*', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }],
    });
    await admin.disconnect();
    assert.equal(deleted.filterResponses[0]!.matchingAcls.length, 1);
    assert.equal((await describe()).length, 3);
  });
});
