/**
 * The Samsa consumer against a broker we did not write: librdkafka's mock cluster (2.0.2, through
 * Debian's python3-confluent-kafka). For range, roundrobin and cooperative-sticky, a Samsa-only
 * group and a group mixing Samsa and confluent-kafka-python members go from two members to three
 * and back to two, converging each time with every partition owned exactly once, and no record
 * is left unconsumed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startMockGroupBroker, type GroupBroker } from '../integration/consumer-broker.js';
import { produceKeyed, pythonMember, samsaMember, waitForConvergence, type GroupMemberUnderTest, type MemberConfig } from './consumer-groups.js';

const PARTITIONS = 4;
const RECORDS = 200;
/** The mock takes several seconds per rebalance. */
const CONVERGE_MS = 45_000;

async function scenario(broker: GroupBroker, strategy: string, mixed: boolean): Promise<string[]> {
  const name = `${strategy}-${mixed ? 'mixed' : 'samsa'}`;
  const config: MemberConfig = { bootstrap: broker.bootstrap, groupId: `g-${name}`, topic: `t-${name}`, strategy, ...broker.consumerTimeouts };
  await broker.createTopic(config.topic, PARTITIONS);
  await produceKeyed(broker.bootstrap, config.topic, RECORDS);
  const log: string[] = [];
  const members: GroupMemberUnderTest[] = [];
  try {
    const first = await samsaMember('samsa-1', config);
    const second = mixed ? await pythonMember('python-1', config) : await samsaMember('samsa-2', config);
    members.push(first, second);
    log.push(`${name} 2 members: ${JSON.stringify(await waitForConvergence([first, second], PARTITIONS, CONVERGE_MS))}`);
    const third = await samsaMember('samsa-3', config);
    members.push(third);
    log.push(`${name} 3 members: ${JSON.stringify(await waitForConvergence([first, second, third], PARTITIONS, CONVERGE_MS))}`);
    await first.close();
    members.shift();
    log.push(`${name} after one left: ${JSON.stringify(await waitForConvergence([second, third], PARTITIONS, CONVERGE_MS))}`);
    const seen = new Set([...first.processed(), ...second.processed(), ...third.processed()]);
    assert.equal(seen.size, RECORDS, `${name}: every record consumed`);
    return log;
  } finally {
    await Promise.allSettled(members.map((m) => m.close()));
  }
}

describe('consumer groups against librdkafka\'s mock cluster', { concurrency: 3 }, () => {
  let broker: GroupBroker;
  before(async () => {
    broker = await startMockGroupBroker();
  });
  after(() => broker.stop());

  for (const strategy of ['range', 'roundrobin', 'cooperative-sticky']) {
    it(`${strategy}: Samsa-only and Samsa + confluent-kafka-python groups converge with every partition owned once`, { timeout: 150_000 }, async (t) => {
      const logs = await Promise.all([scenario(broker, strategy, false), scenario(broker, strategy, true)]);
      for (const line of logs.flat()) t.diagnostic(line);
    });
  }
});
