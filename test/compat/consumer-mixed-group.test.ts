/**
 * Mixed consumer groups against our broker: Samsa and confluent-kafka-python (librdkafka 2.0.2)
 * members in one group with range, roundrobin and cooperative-sticky. Whoever is the leader, the
 * group converges after every join and leave with every partition owned exactly once, and every
 * record is consumed. Samsa-only groups run the same steps.
 */
import { after, before, describe, it } from 'node:test';
import { startSamsaGroupBroker, type GroupBroker } from '../integration/consumer-broker.js';
import { convergenceScenario } from './consumer-groups.js';

const PARTITIONS = 6;
const CONVERGE_MS = 20_000;

describe('mixed consumer groups against the Samsa broker', { concurrency: 3 }, () => {
  let broker: GroupBroker;
  before(async () => {
    broker = await startSamsaGroupBroker();
  });
  after(() => broker.stop());

  for (const strategy of ['range', 'roundrobin', 'cooperative-sticky']) {
    it(`${strategy}: Samsa + confluent-kafka-python and Samsa-only groups converge with every partition owned once`, { timeout: 90_000 }, async (t) => {
      const logs = await Promise.all([
        convergenceScenario(broker, strategy, true, PARTITIONS, CONVERGE_MS),
        convergenceScenario(broker, strategy, false, PARTITIONS, CONVERGE_MS),
      ]);
      for (const line of logs.flat()) t.diagnostic(line);
    });
  }
});
