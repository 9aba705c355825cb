/**
 * The Samsa consumer against a broker we did not write: librdkafka's mock cluster (2.0.2, through
 * Debian's python3-confluent-kafka). For range, roundrobin and cooperative-sticky, a Samsa-only
 * group and a group mixing Samsa and confluent-kafka-python members go from two members to three
 * and back to two, converging each time with every partition owned exactly once, and no record
 * is left unconsumed.
 */
import { after, before, describe, it } from 'node:test';
import { startMockGroupBroker, type GroupBroker } from '../integration/consumer-broker.js';
import { convergenceScenario } from './consumer-groups.js';

/** The mock takes several seconds per rebalance. */
const CONVERGE_MS = 45_000;

describe('consumer groups against librdkafka\'s mock cluster', { concurrency: 3 }, () => {
  let broker: GroupBroker;
  before(async () => {
    broker = await startMockGroupBroker();
  });
  after(() => broker.stop());

  for (const strategy of ['range', 'roundrobin', 'cooperative-sticky']) {
    it(`${strategy}: Samsa-only and Samsa + confluent-kafka-python groups converge with every partition owned once`, { timeout: 150_000 }, async (t) => {
      const logs = await Promise.all([convergenceScenario(broker, strategy, false, 4, CONVERGE_MS), convergenceScenario(broker, strategy, true, 4, CONVERGE_MS)]);
      for (const line of logs.flat()) t.diagnostic(line);
    });
  }
});
