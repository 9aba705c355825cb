import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponseInit } from '../../protocol/messages/index.js';
import type { CoordinatorConfig } from '../config.js';
import type { CoordinatorRecord } from '../records.js';
import { CoordinatorKit } from '../test-kit.js';
import type { TopicImage } from './topics.js';

/** A stable, readable topic id per name (base64url of 16 bytes, as Kafka prints them). */
export function topicIdOf(name: string): string {
  const b = Buffer.alloc(16);
  Buffer.from(name, 'utf8').copy(b, 0, 0, 16);
  b[15] = name.length;
  return b.toString('base64url');
}

export function topic(name: string, partitions: number): TopicImage {
  return { id: topicIdOf(name), name, partitions };
}

/** Partitions by topic name, as tests write them: { orders: [0, 1] }. */
export type Owned = Record<string, number[]>;

export const CONSUMER_TEST_CONFIG: Partial<CoordinatorConfig> = {
  consumerSessionTimeoutMs: 45_000,
  consumerHeartbeatIntervalMs: 5000,
};

/**
 * A driver for consumer group (KIP-848) tests on top of CoordinatorKit: topics by name, members
 * that act like a well-behaved client (they give up what the coordinator leaves out of their
 * assignment and report what they own on the next heartbeat), and a check that no partition is
 * ever owned twice.
 */
export class ConsumerKit {
  readonly kit: CoordinatorKit;
  private readonly names = new Map<string, string>();

  constructor(topics: TopicImage[], config: Partial<CoordinatorConfig> = {}, log: CoordinatorRecord[] = []) {
    this.kit = new CoordinatorKit({ ...CONSUMER_TEST_CONFIG, ...config }, log);
    this.setTopics(topics);
  }

  setTopics(topics: TopicImage[]): void {
    for (const t of topics) this.names.set(t.id, t.name);
    this.kit.setTopics(topics);
  }

  get coordinator() {
    return this.kit.coordinator;
  }

  group(groupId: string) {
    return this.kit.coordinator.consumerGroup(groupId);
  }

  heartbeat(body: Partial<ConsumerGroupHeartbeatRequest> & { groupId: string; memberId: string; memberEpoch: number }, version = 1, clientId = 'client'): ConsumerGroupHeartbeatResponseInit {
    return this.kit.send('consumer-heartbeat', body, { version, clientId }).response as ConsumerGroupHeartbeatResponseInit;
  }

  /** Wire partitions (by id) from names. */
  wire(owned: Owned): { topicId: string; partitions: number[] }[] {
    return Object.entries(owned).map(([name, partitions]) => ({ topicId: topicIdOf(name), partitions }));
  }

  /** Names from wire partitions, sorted. */
  named(assignment: readonly { topicId: string; partitions: readonly number[] }[]): Owned {
    const out: Owned = {};
    for (const t of assignment) if (t.partitions.length > 0) out[this.names.get(t.topicId) ?? t.topicId] = [...t.partitions].sort((a, b) => a - b);
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  member(groupId: string, memberId: string, options: MemberOptions = {}): TestMember {
    return new TestMember(this, groupId, memberId, options);
  }

  /** Every partition has at most one owner (assigned or being revoked) across the group. */
  checkSingleOwners(groupId: string): void {
    const seen = new Map<string, string>();
    for (const m of this.group(groupId)?.members ?? []) {
      for (const t of [...m.assigned, ...m.pendingRevocation]) {
        for (const p of t.partitions) {
          const k = `${t.topicId}:${p}`;
          if (seen.has(k) && seen.get(k) !== m.memberId) throw new Error(`partition ${t.topicName}-${p} owned by ${seen.get(k)} and ${m.memberId}`);
          seen.set(k, m.memberId);
        }
      }
    }
  }
}

export interface MemberOptions {
  topics?: string[];
  regex?: string | null;
  instanceId?: string | null;
  assignor?: string | null;
  rebalanceTimeoutMs?: number;
  version?: number;
}

/** A member that does what a correct client does with each response. */
export class TestMember {
  epoch = 0;
  owned: Owned = {};
  last: ConsumerGroupHeartbeatResponseInit | null = null;

  constructor(
    private readonly ck: ConsumerKit,
    readonly groupId: string,
    public memberId: string,
    private readonly o: MemberOptions,
  ) {}

  join(): ConsumerGroupHeartbeatResponseInit {
    this.epoch = 0;
    this.owned = {};
    return this.apply(
      this.ck.heartbeat(
        {
          groupId: this.groupId,
          memberId: this.memberId,
          memberEpoch: 0,
          instanceId: this.o.instanceId ?? null,
          rebalanceTimeoutMs: this.o.rebalanceTimeoutMs ?? 300_000,
          subscribedTopicNames: this.o.regex != null ? null : (this.o.topics ?? ['orders']),
          subscribedTopicRegex: this.o.regex ?? null,
          serverAssignor: this.o.assignor ?? null,
          topicPartitions: [],
        },
        this.o.version ?? 1,
      ),
    );
  }

  /** A regular heartbeat reporting what the member owns now. */
  beat(): ConsumerGroupHeartbeatResponseInit {
    return this.apply(this.ck.heartbeat({ groupId: this.groupId, memberId: this.memberId, memberEpoch: this.epoch, instanceId: this.o.instanceId ?? null, topicPartitions: this.ck.wire(this.owned) }, this.o.version ?? 1));
  }

  /** A heartbeat that changes the subscription. */
  subscribe(topics: string[]): ConsumerGroupHeartbeatResponseInit {
    return this.apply(
      this.ck.heartbeat({ groupId: this.groupId, memberId: this.memberId, memberEpoch: this.epoch, instanceId: this.o.instanceId ?? null, subscribedTopicNames: topics, topicPartitions: this.ck.wire(this.owned) }, this.o.version ?? 1),
    );
  }

  leave(epoch = -1): ConsumerGroupHeartbeatResponseInit {
    return this.ck.heartbeat({ groupId: this.groupId, memberId: this.memberId, memberEpoch: epoch, instanceId: this.o.instanceId ?? null });
  }

  private apply(r: ConsumerGroupHeartbeatResponseInit): ConsumerGroupHeartbeatResponseInit {
    this.last = r;
    if (r.errorCode !== 0) return r;
    if (r.memberId != null) this.memberId = r.memberId;
    this.epoch = r.memberEpoch;
    if (r.assignment != null) this.owned = this.ck.named(r.assignment.topicPartitions);
    return r;
  }
}

/** Heartbeats every member in turn until nothing changes (the group is Stable) or `rounds` pass. */
export function converge(ck: ConsumerKit, members: readonly TestMember[], rounds = 10): void {
  for (let i = 0; i < rounds; i++) {
    for (const m of members) {
      m.beat();
      ck.checkSingleOwners(m.groupId);
    }
    if (ck.group(members[0]!.groupId)?.state === 'Stable') return;
  }
}
