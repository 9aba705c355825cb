import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Consumer } from '../../src/client/consumer/index.js';
import { createProducer } from '../../src/client/index.js';
import { startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';
import { parseTable, samsaOk } from './helpers.js';

const TOPIC = 'cli-848-orders';
const GROUP = 'cli-848';

describe('samsa groups list/describe for consumer groups (KIP-848)', () => {
  let broker: TestBroker;
  let bs: string[];
  const consumers: Consumer[] = [];

  before(async () => {
    broker = await startTestBroker({ groupConsumerHeartbeatIntervalMs: 300, groupConsumerMinHeartbeatIntervalMs: 100, groupConsumerSessionTimeoutMs: 6000, groupConsumerMinSessionTimeoutMs: 1000 });
    bs = ['--bootstrap-server', broker.bootstrap];
    await samsaOk(['topics', 'create', '--topic', TOPIC, '--partitions', '4', ...bs]);
    const producer = createProducer({ bootstrapServers: broker.bootstrap });
    await producer.send({ topic: TOPIC, messages: Array.from({ length: 40 }, (_, i) => ({ value: `v${i}`, partition: i % 4 })) });
    await producer.close();
    for (const name of ['a', 'b']) {
      const c = new Consumer({ bootstrapServers: broker.bootstrap, clientId: `cli-848-${name}`, groupId: GROUP, groupProtocol: 'consumer', autoOffsetReset: 'earliest', autoCommitIntervalMs: 100 });
      await c.subscribe({ topics: [TOPIC] });
      await c.run({ eachMessage: () => {} });
      consumers.push(c);
    }
    await waitFor(() => broker.context.groups.coordinator.consumerGroup(GROUP)?.state === 'Stable' && consumers.every((c) => c.assignment().length === 2), 20_000, 'a Stable consumer group');
  });

  after(async () => {
    await Promise.all(consumers.map((c) => c.close()));
    await broker.close();
  });

  it('lists the group with its type', async () => {
    const rows = parseTable((await samsaOk(['groups', 'list', ...bs])).stdout);
    assert.deepEqual(rows, [{ GROUP: GROUP, STATE: 'Stable', PROTOCOL: 'consumer', MEMBERS: '2', TYPE: 'consumer' }]);
    const json = JSON.parse((await samsaOk(['groups', 'list', '--state', 'stable', '--format', 'json', ...bs])).stdout);
    assert.deepEqual(json.groups, [{ group: GROUP, state: 'Stable', protocolType: 'consumer', protocol: 'uniform', members: 2, type: 'consumer' }]);
  });

  it('describes the state with the server assignor and the epochs', async () => {
    const [row] = parseTable((await samsaOk(['groups', 'describe', '--group', GROUP, '--state', ...bs])).stdout);
    const view = broker.context.groups.coordinator.consumerGroup(GROUP)!;
    assert.equal(row!['ASSIGNMENT-STRATEGY'], 'uniform');
    assert.equal(row!.TYPE, 'consumer');
    assert.equal(row!['GROUP-EPOCH'], String(view.groupEpoch));
    assert.equal(row!['TARGET-ASSIGNMENT-EPOCH'], String(view.assignmentEpoch));
  });

  it('describes members with their epoch, assignment and target, and the offsets with their owners', async () => {
    const members = parseTable((await samsaOk(['groups', 'describe', '--group', GROUP, '--members', '--verbose', ...bs])).stdout);
    assert.equal(members.length, 2);
    for (const m of members) {
      assert.equal(m['#PARTITIONS'], '2');
      assert.equal(m.ASSIGNMENT, m['TARGET-ASSIGNMENT'], 'a Stable group owns its target');
      assert.match(m['MEMBER-EPOCH']!, /^\d+$/);
    }
    await waitFor(async () => parseTable((await samsaOk(['groups', 'describe', '--group', GROUP, ...bs])).stdout).every((r) => r.LAG === '0'), 10_000, 'everything committed');
    const offsets = parseTable((await samsaOk(['groups', 'describe', '--group', GROUP, ...bs])).stdout);
    assert.equal(offsets.length, 4);
    assert.ok(offsets.every((r) => r['CONSUMER-ID'] !== '-' && r['CURRENT-OFFSET'] === '10'));
  });
});
