import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupTimelineStore } from '../../src/broker/groups/timeline/index.js';
import { resolveBrokerConfig } from '../../src/broker/index.js';
import { Consumer, createAdmin } from '../../src/client/index.js';
import { MemoryLogger, type Logger } from '../../src/common/logger.js';
import type { CoordinatorEvent, CoordinatorRecord } from '../../src/coordinator/index.js';
import { openLogStore } from '../../src/storage/index.js';
import { makeTempDir, startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';

describe('observe: durable rebalance history', () => {
  it('survives a broker restart, and the next rebalance starts from the members recorded before it', async () => {
    const dir = await makeTempDir('samsa-timeline-');
    try {
      let broker = await startTestBroker({ dataDir: dir.path, numPartitions: 2 });
      const consumer = new Consumer({ bootstrapServers: broker.bootstrap, groupId: 'durable', clientId: 'first' });
      await consumer.subscribe({ topics: ['kept'], fromBeginning: true });
      void consumer.run({ eachMessage: async () => {} });
      await waitFor(() => broker.context.timeline.history('durable').length === 1, 15_000, 'the first join');
      await consumer.close();
      await waitFor(() => broker.context.timeline.history('durable').length === 2, 15_000, 'the group emptied');
      const before = broker.context.timeline.history('durable').map((e) => ({ ...e }));
      await broker.close();

      broker = await startTestBroker({ dataDir: dir.path, numPartitions: 2 });
      try {
        assert.deepEqual(broker.context.timeline.history('durable'), before);
        assert.deepEqual(before.map((e) => [e.generationId, e.kind]), [[1, 'rebalance'], [2, 'emptied']]);
        const again = new Consumer({ bootstrapServers: broker.bootstrap, groupId: 'durable', clientId: 'second' });
        await again.subscribe({ topics: ['kept'], fromBeginning: true });
        void again.run({ eachMessage: async () => {} });
        const third = await waitFor(() => broker.context.timeline.history('durable')[2], 15_000, 'a join after the restart');
        assert.equal(third.generationId, 3);
        assert.equal(third.previousGenerationId, 2);
        assert.deepEqual(third.membersBefore, []);
        assert.equal(third.membersAfter[0]!.clientId, 'second');
        await again.close();
      } finally {
        await broker.close();
      }
    } finally {
      await dir.remove();
    }
  });

  it('a consumer group (KIP-848): its rounds survive a restart, and the next one continues from the recorded epoch', async () => {
    const dir = await makeTempDir('samsa-timeline-');
    const join = (broker: TestBroker, clientId: string) => {
      const consumer = new Consumer({ bootstrapServers: broker.bootstrap, groupId: 'durable-848', clientId, groupProtocol: 'consumer' });
      void consumer.subscribe({ topics: ['kept-848'], fromBeginning: true }).then(() => consumer.run({ eachMessage: async () => {} }));
      return consumer;
    };
    try {
      let broker = await startTestBroker({ dataDir: dir.path, numPartitions: 2 });
      // ConsumerGroupHeartbeat subscriptions create no topics (KIP-848): the topic comes first.
      const admin = createAdmin({ bootstrapServers: broker.bootstrap });
      await admin.createTopics({ topics: [{ name: 'kept-848', numPartitions: 2 }] });
      await admin.close();
      const consumer = join(broker, 'first');
      await waitFor(() => broker.context.timeline.history('durable-848').length === 1 && consumer.assignment().length === 2, 15_000, 'the first round');
      await consumer.close();
      await waitFor(() => broker.context.timeline.history('durable-848').length === 2, 15_000, 'the group emptied');
      const before = broker.context.timeline.history('durable-848').map((e) => ({ ...e }));
      assert.deepEqual(before.map((e) => [e.previousGenerationId, e.generationId, e.kind, e.rebalanceProtocol, e.partitions.assigned.length, e.partitions.revoked.length]), [
        [null, 1, 'rebalance', 'consumer', 2, 0],
        [1, 2, 'emptied', 'consumer', 0, 2],
      ]);
      await broker.close();

      broker = await startTestBroker({ dataDir: dir.path, numPartitions: 2 });
      try {
        assert.deepEqual(broker.context.timeline.history('durable-848'), before);
        const again = join(broker, 'second');
        const third = await waitFor(() => broker.context.timeline.history('durable-848')[2], 15_000, 'a round after the restart');
        assert.deepEqual([third.previousGenerationId, third.generationId, third.causes.map((c) => c.kind)], [2, 3, ['member-joined']]);
        assert.deepEqual(third.membersBefore, []);
        assert.equal(third.membersAfter[0]!.clientId, 'second');
        assert.equal(third.partitions.assigned.length, 2);
        await again.close();
      } finally {
        await broker.close();
      }
    } finally {
      await dir.remove();
    }
  });

  it('keeps the last N entries per group, across compactions of its log and a reopen; a deleted group loses its history', async () => {
    const dir = await makeTempDir('samsa-timeline-');
    const logger = new MemoryLogger() as Logger;
    const config = resolveBrokerConfig({ dataDir: dir.path, logger });
    const clock = { nowMs: () => Date.now() };
    const open = async () => {
      const store = await openLogStore({ dataDir: dir.path, segmentBytes: 1 << 20, retentionMs: -1, retentionBytes: -1, flushPolicy: 'acks-all', flushIntervalMs: 1000, log: logger, clock });
      return { store, timeline: await GroupTimelineStore.open({ store, config, log: logger, clock, maxEntriesPerGroup: 3 }) };
    };
    try {
      let { store, timeline } = await open();
      const generation = (groupId: string, generationId: number, atMs: number): [CoordinatorRecord[], CoordinatorEvent[]] => [
        [{ type: 'group-metadata', groupId, value: { protocolType: 'consumer', generationId, protocolName: 'range', leaderId: 'm', currentStateTimestampMs: atMs, members: [] } }],
        [
          { type: 'rebalance-started', groupId, atMs: atMs - 10, reason: 'member-joined', generationId: generationId - 1, memberId: 'm' },
          { type: 'rebalance-completed', groupId, atMs, generationId, protocolName: 'range', leaderId: 'm', members: [], durationMs: 10 },
        ],
      ];
      for (let g = 1; g <= 10; g++) {
        timeline.onCoordinatorOutput(...generation('a', g, 1000 * g));
        timeline.onCoordinatorOutput(...generation('b', g, 1000 * g));
      }
      timeline.onCoordinatorOutput([], [{ type: 'group-deleted', groupId: 'b', atMs: 20_000, reason: 'delete-request' }]);
      assert.deepEqual(timeline.history('a').map((e) => e.generationId), [8, 9, 10]);
      assert.deepEqual(timeline.history('b'), []);
      await timeline.close();
      await store.close();
      ({ store, timeline } = await open());
      assert.deepEqual(timeline.history('a').map((e) => [e.generationId, e.previousGenerationId, e.causes[0]!.kind]), [[8, 7, 'member-joined'], [9, 8, 'member-joined'], [10, 9, 'member-joined']]);
      assert.deepEqual(timeline.groupIds(), ['a']);
      await timeline.close();
      await store.close();
    } finally {
      await dir.remove();
    }
  });
});
