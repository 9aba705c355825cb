import { Admin } from '../../src/client/admin/index.js';
import { Cluster } from '../../src/client/net/cluster.js';
import { startTestBroker } from '../helpers/broker.js';
import { startMockCluster } from './client-mock-cluster.js';

/** A broker that serves consumer groups, for the consumer's integration tests. */
export interface GroupBroker {
  readonly kind: 'samsa' | 'librdkafka-mock';
  readonly bootstrap: string;
  /** Group timeouts that suit this broker (its minimum session timeout, its rebalance pace). */
  readonly consumerTimeouts: { sessionTimeoutMs: number; heartbeatIntervalMs: number };
  createTopic(name: string, partitions: number): Promise<void>;
  stop(): Promise<void>;
}

/** librdkafka's mock cluster: topics are created on first Metadata, with 4 partitions. */
export async function startMockGroupBroker(): Promise<GroupBroker> {
  const mock = await startMockCluster(1);
  return {
    kind: 'librdkafka-mock',
    bootstrap: mock.bootstrap,
    consumerTimeouts: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 },
    async createTopic(name, partitions) {
      if (partitions !== 4) throw new Error('the mock cluster creates topics with 4 partitions');
      const cluster = new Cluster({ bootstrapServers: mock.bootstrap });
      try {
        await cluster.partitionCount(name, { allowAutoTopicCreation: true });
      } finally {
        await cluster.close();
      }
    },
    stop: () => mock.stop(),
  };
}

/** Our broker, embedded: no initial rebalance delay, a 100 ms minimum session timeout. */
export async function startSamsaGroupBroker(): Promise<GroupBroker> {
  const broker = await startTestBroker();
  return {
    kind: 'samsa',
    bootstrap: broker.bootstrap,
    consumerTimeouts: { sessionTimeoutMs: 3_000, heartbeatIntervalMs: 300 },
    async createTopic(name, partitions) {
      const admin = new Admin({ bootstrapServers: broker.bootstrap });
      try {
        await admin.createTopics({ topics: [{ name, numPartitions: partitions }] });
      } finally {
        await admin.close();
      }
    },
    stop: () => broker.close(),
  };
}

export async function startGroupBroker(): Promise<GroupBroker> {
  return process.env.SAMSA_GROUP_BROKER === 'mock' ? startMockGroupBroker() : startSamsaGroupBroker();
}
