import { ErrorCode, errorName } from '../../protocol/errors.js';
import { KafkaError } from '../errors.js';
import { groupByTopic } from '../group/partitions.js';
import type { CommitErrorKind, CommitIdentity, TopicPartition } from '../group/types.js';
import type { Cluster } from '../net/cluster.js';
import { sleepMs } from '../net/sleep.js';
import { publishCommit, type CommitEvent } from './events.js';
import type { TopicPartitionOffset } from './types.js';

/** What the offset code needs from the group membership (the GroupDriver). */
export interface GroupHandle {
  readonly groupId: string;
  readonly clientId: string;
  commitIdentity(): CommitIdentity | null;
  /** True while a rebalance is in progress (commits will be possible again after it). */
  rebalancing(): boolean;
  /** Java's commit error handling; applies what it does to the member. */
  commitFailed(errorCode: number, sent: CommitIdentity): CommitErrorKind;
  /** The coordinator's node id, waiting for discovery if needed. */
  coordinatorNode(): Promise<number>;
}

/** Lane of the requests that never park at the coordinator: heartbeats, commits, offset fetches. */
export const COORDINATOR_LANE = 'coordinator';

/**
 * OffsetCommit with the member's generation, serialized (one commit in flight, so an older commit
 * can never land after a newer one), with the Java consumer's handling of each error code.
 */
export class OffsetCommitter {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly cluster: Cluster,
    private readonly group: GroupHandle,
    private readonly onCommitted: (offsets: TopicPartitionOffset[]) => void,
  ) {}

  commit(offsets: TopicPartitionOffset[], reason: CommitEvent['reason']): Promise<void> {
    const run = this.tail.then(() => this.commitNow(offsets, reason));
    this.tail = run.catch(() => {});
    return run;
  }

  private async commitNow(offsets: TopicPartitionOffset[], reason: CommitEvent['reason']): Promise<void> {
    if (offsets.length === 0) return;
    const { cluster, group } = this;
    const startMs = cluster.options.clock.nowMs();
    for (let attempt = 0; ; attempt++) {
      const identity = group.commitIdentity();
      if (identity === null) {
        throw group.rebalancing()
          ? new KafkaError(ErrorCode.REBALANCE_IN_PROGRESS, { api: 'OffsetCommit', groupId: group.groupId }, 'REBALANCE_IN_PROGRESS (27): the commit cannot be completed while the consumer is rebalancing; it is retried after the rebalance for partitions still owned')
          : new KafkaError(ErrorCode.ILLEGAL_GENERATION, { api: 'OffsetCommit', groupId: group.groupId }, 'ILLEGAL_GENERATION (22): commit failed, the consumer is not part of an active group generation');
      }
      let code: number = ErrorCode.NONE;
      try {
        code = await this.send(identity, offsets);
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err;
        code = err.code;
      }
      const event = { clientId: group.clientId, groupId: group.groupId, memberId: identity.memberId, generationId: identity.generationId, reason, offsets, errorCode: code, durationMs: cluster.options.clock.nowMs() - startMs };
      if (code === ErrorCode.NONE) {
        this.onCommitted(offsets);
        publishCommit(event);
        return;
      }
      const kind = group.commitFailed(code, identity);
      // Before giving partitions up the member is still in its generation; a coordinator that is
      // already preparing the next rebalance may still take the commit a moment later.
      const retryRevoke = kind === 'rebalance-in-progress' && (reason === 'revoke' || reason === 'close') && group.commitIdentity() !== null;
      if ((kind !== 'retry' && !retryRevoke) || attempt >= cluster.options.retries || cluster.closed) {
        publishCommit(event);
        throw new KafkaError(code, { api: 'OffsetCommit', groupId: group.groupId }, kind === 'commit-failed'
          ? `${errorName(code)} (${code}): commit failed, the group has already rebalanced and assigned the partitions to another member (CommitFailed)`
          : undefined);
      }
      await sleepMs(cluster.retryDelayMs(attempt));
    }
  }

  /** Sends one OffsetCommit; returns the first partition error (or NONE). */
  private async send(identity: CommitIdentity, offsets: TopicPartitionOffset[]): Promise<number> {
    const node = await this.group.coordinatorNode();
    const byTopic = new Map<string, Array<{ partitionIndex: number; committedOffset: number }>>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (list === undefined) byTopic.set(o.topic, (list = []));
      list.push({ partitionIndex: o.partition, committedOffset: o.offset });
    }
    const { response } = await this.cluster.request(node, 8, {
      groupId: this.group.groupId,
      generationIdOrMemberEpoch: identity.generationId,
      memberId: identity.memberId,
      groupInstanceId: identity.groupInstanceId,
      retentionTimeMs: -1,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    }, { lane: COORDINATOR_LANE, retries: 0 });
    for (const t of response.topics) for (const p of t.partitions) if (p.errorCode !== ErrorCode.NONE) return p.errorCode;
    return ErrorCode.NONE;
  }
}

/**
 * The group's committed offsets for `partitions` (-1 where none), from the coordinator. Retries
 * loading and coordinator moves; UNSTABLE_OFFSET_COMMIT (a transactional commit pending) too.
 */
export async function fetchCommittedOffsets(cluster: Cluster, group: GroupHandle, partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
  const topics = groupByTopic(partitions).map((t) => ({ name: t.topic, partitionIndexes: t.partitions }));
  return cluster.retry(async () => {
    const node = await group.coordinatorNode();
    const { version, response } = await cluster.request(node, 9, (v) => (v >= 8
      ? { groups: [{ groupId: group.groupId, topics }], requireStable: true }
      : { groupId: group.groupId, topics, requireStable: true }), { lane: COORDINATOR_LANE });
    const groupResult = version >= 8 ? response.groups[0] : { errorCode: response.errorCode, topics: response.topics };
    if (groupResult === undefined) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, { api: 'OffsetFetch', groupId: group.groupId });
    if (groupResult.errorCode !== ErrorCode.NONE) {
      if (groupResult.errorCode === ErrorCode.NOT_COORDINATOR || groupResult.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) cluster.invalidateCoordinator(group.groupId);
      throw new KafkaError(groupResult.errorCode, { api: 'OffsetFetch', groupId: group.groupId });
    }
    const out = new Map<string, number>();
    for (const t of groupResult.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== ErrorCode.NONE) throw new KafkaError(p.errorCode, { api: 'OffsetFetch', groupId: group.groupId, topic: t.name, partition: p.partitionIndex });
        out.set(`${t.name}:${p.partitionIndex}`, p.committedOffset);
      }
    }
    return out;
  });
}

/** Timestamps of ListOffsets: -2 the log start, -1 the log end. */
export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;

/**
 * v4+ only adds leader-epoch fencing, which the consumer does not use; librdkafka 2.0.2's mock
 * cluster (our independent reference broker) answers multi-partition v4+ requests malformed.
 */
const LIST_OFFSETS_MAX_VERSION = 3;

/** Offsets for `timestamp` per partition, asking each partition's leader. */
export async function listOffsets(cluster: Cluster, partitions: readonly TopicPartition[], timestamp: number, isolationLevel: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let remaining = [...partitions];
  await cluster.retry(async () => {
    const byLeader = new Map<number, TopicPartition[]>();
    for (const tp of remaining) {
      const leader = await cluster.leaderFor(tp.topic, tp.partition);
      let list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, (list = []));
      list.push(tp);
    }
    const failed: TopicPartition[] = [];
    let firstError: KafkaError | null = null;
    await Promise.all([...byLeader].map(async ([leader, tps]) => {
      const { response } = await cluster.request(leader, 2, {
        replicaId: -1,
        isolationLevel,
        topics: groupByTopic(tps).map((t) => ({ name: t.topic, partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) })),
      }, { maxVersion: LIST_OFFSETS_MAX_VERSION });
      for (const t of response.topics) {
        for (const p of t.partitions) {
          if (p.errorCode === ErrorCode.NONE) {
            out.set(`${t.name}:${p.partitionIndex}`, p.offset);
          } else {
            cluster.invalidateTopic(t.name);
            failed.push({ topic: t.name, partition: p.partitionIndex });
            firstError ??= new KafkaError(p.errorCode, { api: 'ListOffsets', topic: t.name, partition: p.partitionIndex });
          }
        }
      }
    }));
    remaining = failed;
    if (firstError !== null) throw firstError;
  });
  return out;
}
