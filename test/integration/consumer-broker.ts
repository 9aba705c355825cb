import { Cluster } from '../../src/client/net/cluster.js';
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

export async function startGroupBroker(): Promise<GroupBroker> {
  return startMockGroupBroker();
}
