import type {
  HeartbeatResponseInit,
  JoinGroupResponseInit,
  LeaveGroupResponseInit,
  OffsetCommitRequest,
  OffsetCommitResponseInit,
  SyncGroupResponseInit,
} from '../protocol/messages/index.js';
import type { CoordinatorConfig } from './config.js';
import type { TopicImage } from './consumer/topics.js';
import { GroupCoordinator } from './coordinator.js';
import type { CoordinatorRecord } from './records.js';
import { PARKED, type CoordinatorApi, type CoordinatorApis, type CoordinatorEvent, type CoordinatorResult } from './types.js';

/**
 * A small driver for unit tests of the coordinator: virtual time, a record log that is replayed
 * the way the broker does it, and every completion kept by request id.
 */
export class CoordinatorKit {
  readonly coordinator: GroupCoordinator;
  nowMs = 0;
  readonly log: CoordinatorRecord[] = [];
  readonly events: CoordinatorEvent[] = [];
  private readonly answers = new Map<number, unknown>();
  private nextRequestId = 1;
  private uuid = 0;

  constructor(config: Partial<CoordinatorConfig> = {}, log: CoordinatorRecord[] = []) {
    this.coordinator = new GroupCoordinator({
      config: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000, ...config },
      newUuid: () => `uuid${++this.uuid}`,
    });
    for (const r of log) {
      this.coordinator.replay(r);
      this.log.push(r);
    }
    this.apply(this.coordinator.load(this.nowMs));
  }

  /** Sends a request; returns its id and its immediate answer (or PARKED). */
  send<A extends CoordinatorApi>(
    api: A,
    body: Partial<CoordinatorApis[A]['request']>,
    options: { version?: number; clientId?: string } = {},
  ): { requestId: number; response: CoordinatorApis[A]['response'] | typeof PARKED } {
    const requestId = this.nextRequestId++;
    const result = this.coordinator.handle(
      {
        api,
        requestId,
        apiVersion: options.version ?? defaultVersion(api),
        clientId: options.clientId ?? 'client',
        clientHost: '/127.0.0.1',
        body: withDefaults(api, body) as CoordinatorApis[A]['request'],
      },
      this.nowMs,
    );
    this.apply(result);
    if (result.response !== PARKED) this.answers.set(requestId, result.response);
    return { requestId, response: result.response };
  }

  /** The answer to a request, parked or not; undefined while it is still parked. */
  answer<T>(requestId: number): T | undefined {
    return this.answers.get(requestId) as T | undefined;
  }

  /** Moves virtual time forward, firing each deadline at its own time, as the broker's timer does. */
  advance(ms: number): void {
    const targetMs = this.nowMs + ms;
    for (let next = this.coordinator.nextDeadlineMs(); next !== null && next <= targetMs; next = this.coordinator.nextDeadlineMs()) {
      this.nowMs = Math.max(this.nowMs, next);
      this.apply(this.coordinator.tick(this.nowMs));
    }
    this.nowMs = targetMs;
  }

  /** The broker reports the topics that exist (consumer groups assign from them). */
  setTopics(topics: readonly TopicImage[]): void {
    this.apply(this.coordinator.onTopicsChanged(topics, this.nowMs));
  }

  private apply(result: CoordinatorResult<unknown>): void {
    for (const r of result.records) {
      this.log.push(r);
      this.coordinator.replay(r);
    }
    for (const c of result.completions) this.answers.set(c.requestId, c.response);
    this.events.push(...result.events, ...this.coordinator.afterReplay(this.nowMs));
  }

  // ---- shortcuts ----

  join(groupId: string, o: JoinOptions = {}): { requestId: number; response: JoinGroupResponseInit | typeof PARKED } {
    return this.send(
      'join',
      {
        groupId,
        memberId: o.memberId ?? '',
        groupInstanceId: o.instanceId ?? null,
        sessionTimeoutMs: o.sessionTimeoutMs ?? 10_000,
        rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? 30_000,
        protocolType: o.protocolType ?? 'consumer',
        protocols: o.protocols ?? [{ name: 'range', metadata: subscription(['t']) }],
      },
      { version: o.version ?? 5, clientId: o.clientId ?? 'client' },
    );
  }

  /** A two-step dynamic join (v4+): returns the member id and the parked request id. */
  joinDynamic(groupId: string, o: JoinOptions = {}): { memberId: string; requestId: number } {
    const first = this.join(groupId, o);
    const r = first.response as JoinGroupResponseInit;
    if (r.errorCode !== 79) throw new Error(`expected MEMBER_ID_REQUIRED, got ${r.errorCode}`);
    const second = this.join(groupId, { ...o, memberId: r.memberId });
    return { memberId: r.memberId, requestId: second.requestId };
  }

  sync(groupId: string, memberId: string, generationId: number, assignments: { memberId: string; assignment: Buffer }[] = [], o: { instanceId?: string | null; version?: number; protocolType?: string | null; protocolName?: string | null } = {}) {
    return this.send(
      'sync',
      { groupId, memberId, generationId, groupInstanceId: o.instanceId ?? null, protocolType: o.protocolType ?? null, protocolName: o.protocolName ?? null, assignments },
      { version: o.version ?? 3 },
    ) as { requestId: number; response: SyncGroupResponseInit | typeof PARKED };
  }

  heartbeat(groupId: string, memberId: string, generationId: number, instanceId: string | null = null): HeartbeatResponseInit {
    return this.send('heartbeat', { groupId, memberId, generationId, groupInstanceId: instanceId }).response as HeartbeatResponseInit;
  }

  leave(groupId: string, members: { memberId: string; groupInstanceId?: string | null }[], version = 3): LeaveGroupResponseInit {
    return this.send(
      'leave',
      { groupId, memberId: members[0]?.memberId ?? '', members: members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, reason: null })) },
      { version },
    ).response as LeaveGroupResponseInit;
  }

  commit(groupId: string, o: Partial<OffsetCommitRequest> & { offsets?: Record<string, number>; version?: number }): OffsetCommitResponseInit {
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; commitTimestamp: number; committedMetadata: string | null }[]>();
    for (const [tp, offset] of Object.entries(o.offsets ?? {})) {
      const [topic, partition] = [tp.slice(0, tp.lastIndexOf('-')), Number(tp.slice(tp.lastIndexOf('-') + 1))];
      if (!byTopic.has(topic)) byTopic.set(topic, []);
      byTopic.get(topic)!.push({ partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null });
    }
    return this.send(
      'offset-commit',
      {
        groupId,
        generationIdOrMemberEpoch: o.generationIdOrMemberEpoch ?? -1,
        memberId: o.memberId ?? '',
        groupInstanceId: o.groupInstanceId ?? null,
        retentionTimeMs: o.retentionTimeMs ?? -1,
        topics: o.topics ?? [...byTopic].map(([name, partitions]) => ({ name, partitions })),
      },
      { version: o.version ?? 7 },
    ).response as OffsetCommitResponseInit;
  }

  group(groupId: string) {
    return this.coordinator.group(groupId);
  }

  /**
   * Brings `count` dynamic members (client ids c0, c1, ...) to a Stable group; the leader assigns
   * each member the bytes of its own client id. Returns member ids in join order and the generation.
   */
  stableGroup(groupId: string, count: number, o: JoinOptions = {}): { memberIds: string[]; generationId: number; leaderId: string } {
    const joins = [];
    for (let i = 0; i < count; i++) joins.push(this.joinDynamic(groupId, { clientId: `c${i}`, ...o }));
    this.advance(0);
    const answers = joins.map((j) => this.answer<JoinGroupResponseInit>(j.requestId)!);
    const leaderId = answers[0]!.leader;
    const generationId = answers[0]!.generationId!;
    const memberIds = joins.map((j) => j.memberId);
    const assignments = memberIds.map((memberId, i) => ({ memberId, assignment: Buffer.from(`c${i}`) }));
    const syncs = memberIds.map((m) => this.sync(groupId, m, generationId, m === leaderId ? assignments : []));
    for (const s of syncs) if (this.answer(s.requestId) === undefined) throw new Error('sync still parked');
    return { memberIds, generationId, leaderId };
  }
}

export interface JoinOptions {
  memberId?: string;
  instanceId?: string | null;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  protocolType?: string;
  protocols?: { name: string; metadata: Buffer }[];
  version?: number;
  clientId?: string;
}

/** A ConsumerProtocolSubscription v0: version, topics, null user data. */
export function subscription(topics: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0, 0]), int32(topics.length)];
  for (const t of topics) {
    const name = Buffer.from(t, 'utf8');
    parts.push(Buffer.from([name.length >> 8, name.length & 0xff]), name);
  }
  parts.push(int32(-1));
  return Buffer.concat(parts);
}

function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

function defaultVersion(api: CoordinatorApi): number {
  return { join: 5, sync: 3, heartbeat: 3, leave: 3, 'offset-commit': 7, 'offset-fetch': 7, 'offset-delete': 0, 'describe-groups': 4, 'list-groups': 4, 'delete-groups': 1, 'txn-offset-commit': 3, 'consumer-heartbeat': 1, 'consumer-describe': 1 }[api];
}

function withDefaults(api: CoordinatorApi, body: object): object {
  const defaults: Record<CoordinatorApi, object> = {
    join: { groupInstanceId: null, reason: null, rebalanceTimeoutMs: -1 },
    sync: { groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] },
    heartbeat: { groupInstanceId: null },
    leave: { memberId: '', members: [] },
    'offset-commit': { generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [] },
    'offset-fetch': { groupId: '', topics: null, groups: [], requireStable: false },
    'offset-delete': { topics: [] },
    'describe-groups': { includeAuthorizedOperations: false },
    'list-groups': { statesFilter: [], typesFilter: [] },
    'delete-groups': {},
    'txn-offset-commit': { transactionalId: 'tx', producerId: 1, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null, topics: [] },
    'consumer-describe': { includeAuthorizedOperations: false },
    'consumer-heartbeat': { instanceId: null, rackId: null, rebalanceTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null },
  };
  return { ...defaults[api], ...body };
}
