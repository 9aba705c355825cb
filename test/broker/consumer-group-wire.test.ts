import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { COORDINATOR_EVENTS, subscribeCoordinatorEvent } from '../../src/broker/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ConsumerGroupHeartbeatResponse } from '../../src/protocol/messages/index.js';
import { makeTempDir, RawConnection, startTestBroker, waitFor } from '../helpers/index.js';

type Owned = { topicId: string; partitions: number[] }[];

/** A member speaking ConsumerGroupHeartbeat v1 over a raw connection, acting as a correct client. */
class WireMember {
  epoch = 0;
  owned: Owned = [];
  constructor(
    private readonly c: RawConnection,
    readonly groupId: string,
    readonly memberId: string,
  ) {}

  async join(subscription: { names?: string[]; regex?: string }): Promise<ConsumerGroupHeartbeatResponse> {
    return this.apply(
      await this.c.request(68, 1, {
        groupId: this.groupId,
        memberId: this.memberId,
        memberEpoch: 0,
        rebalanceTimeoutMs: 60_000,
        subscribedTopicNames: subscription.names ?? null,
        subscribedTopicRegex: subscription.regex ?? null,
        topicPartitions: [],
      }),
    );
  }

  async beat(): Promise<ConsumerGroupHeartbeatResponse> {
    return this.apply(await this.c.request(68, 1, { groupId: this.groupId, memberId: this.memberId, memberEpoch: this.epoch, topicPartitions: this.owned }));
  }

  count(): number {
    return this.owned.reduce((n, t) => n + t.partitions.length, 0);
  }

  private apply(r: ConsumerGroupHeartbeatResponse): ConsumerGroupHeartbeatResponse {
    assert.equal(r.errorCode, ErrorCode.NONE, r.errorMessage ?? '');
    this.epoch = r.memberEpoch;
    if (r.assignment !== null) this.owned = r.assignment.topicPartitions.map((t) => ({ topicId: t.topicId, partitions: [...t.partitions] }));
    return r;
  }
}

async function createTopic(c: RawConnection, name: string, numPartitions: number): Promise<void> {
  const r = await c.request(19, 7, { topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 });
  assert.equal(r.topics[0]!.errorCode, ErrorCode.NONE);
}

async function settle(members: readonly WireMember[]): Promise<void> {
  for (let round = 0; round < 10; round++) for (const m of members) await m.beat();
}

describe('ConsumerGroupHeartbeat over the wire', () => {
  it('is advertised as v0-1, shares 6 partitions 2-2-2, and keeps the group across a restart', async () => {
    const dir = await makeTempDir('samsa-cg-');
    let broker = await startTestBroker({ dataDir: dir.path });
    try {
      const c = await RawConnection.connect(broker.port);
      const versions = await c.request(18, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
      const api68 = versions.apiKeys.find((k) => k.apiKey === 68)!;
      assert.deepEqual([api68.minVersion, api68.maxVersion], [0, 1]);
      await createTopic(c, 'orders', 6);
      const members = [0, 1, 2].map(() => new WireMember(c, 'wire-group', randomUUID()));
      for (const m of members) await m.join({ names: ['orders'] });
      await settle(members);
      assert.deepEqual(members.map((m) => m.count()), [2, 2, 2]);
      const epoch = members[0]!.epoch;
      c.close();
      await broker.close();

      broker = await startTestBroker({ dataDir: dir.path });
      const c2 = await RawConnection.connect(broker.port);
      const view = broker.context.groups.coordinator.consumerGroup('wire-group')!;
      assert.equal(view.state, 'Stable');
      assert.equal(view.groupEpoch, epoch);
      const again = members.map((m) => Object.assign(new WireMember(c2, 'wire-group', m.memberId), { epoch: m.epoch, owned: m.owned }));
      for (const m of again) assert.equal((await m.beat()).memberEpoch, epoch);
      c2.close();
    } finally {
      await broker.close();
      await dir.remove();
    }
  });

  it('gives a regex member a topic created after it joined, and publishes the KIP-848 events', async () => {
    const broker = await startTestBroker();
    const seen: string[] = [];
    const stops = [
      subscribeCoordinatorEvent(COORDINATOR_EVENTS.consumerEpochBumped, (e) => seen.push(`epoch:${e.reason}`)),
      subscribeCoordinatorEvent(COORDINATOR_EVENTS.consumerStateChanged, (e) => seen.push(`state:${e.to}`)),
    ];
    try {
      const c = await RawConnection.connect(broker.port);
      await createTopic(c, 'events-a', 1);
      const m = new WireMember(c, 'regex-group', randomUUID());
      await m.join({ regex: 'events-.*' });
      await settle([m]);
      assert.equal(m.count(), 1);
      await createTopic(c, 'events-b', 2);
      await waitFor(() => seen.includes('epoch:metadata-changed'), 5000, 'the group to move to a new epoch');
      await settle([m]);
      assert.equal(m.count(), 3);
      assert.ok(seen.includes('epoch:member-joined') && seen.includes('epoch:metadata-changed'), seen.join(' '));
      assert.ok(seen.includes('state:Stable'));
      c.close();
    } finally {
      for (const stop of stops) stop();
      await broker.close();
    }
  });
});
