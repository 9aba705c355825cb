import { ErrorCode } from '../protocol/errors.js';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponseInit } from '../protocol/messages/index.js';
import { validateConsumerTxnOffsetCommit } from './consumer/offsets.js';
import { emit, persist, type Ctx } from './context.js';
import { ClassicGroup } from './group.js';
import type { CoordinatorRequest } from './types.js';

/** The same error for every partition of a TxnOffsetCommit. */
export function txnOffsetCommitError(body: TxnOffsetCommitRequest, errorCode: number): TxnOffsetCommitResponseInit {
  return {
    throttleTimeMs: 0,
    topics: body.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  };
}

/**
 * TxnOffsetCommit: offsets a transactional producer commits for a consumer group. They stay
 * pending, invisible to OffsetFetch, until the transaction's outcome reaches the group
 * (`onTransactionCompleted`). The group checks are Kafka's for transactional commits: a missing
 * group is created as a simple group when no generation is given; a request that names a member
 * or a generation (v3+, KIP-447) must match them, which fences a zombie producer that kept its
 * partitions through a rebalance; unlike plain commits, a commit without a member is accepted
 * from any group state (pre-KIP-447 producers send none), and CompletingRebalance is no reason
 * to refuse. The broker has already checked that the producer added the group to its
 * transaction (AddOffsetsToTxn).
 */
export function handleTxnOffsetCommit(ctx: Ctx, request: CoordinatorRequest<'txn-offset-commit'>): TxnOffsetCommitResponseInit {
  const body = request.body;
  const error = validateGroup(ctx, body);
  if (error !== ErrorCode.NONE) return txnOffsetCommitError(body, error);
  const response: TxnOffsetCommitResponseInit = { throttleTimeMs: 0, topics: [] };
  for (const topic of body.topics) {
    const partitions = [];
    for (const p of topic.partitions) {
      const metadata = p.committedMetadata ?? '';
      if (metadata.length > ctx.config.offsetMetadataMaxBytes) {
        partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE });
        continue;
      }
      persist(ctx, {
        type: 'txn-offset-commit',
        groupId: body.groupId,
        producerId: body.producerId,
        topic: topic.name,
        partition: p.partitionIndex,
        value: { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata, commitTimestampMs: ctx.nowMs, expireTimestampMs: -1 },
      });
      partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE });
    }
    response.topics.push({ name: topic.name, partitions });
  }
  return response;
}

/** The group's checks: a consumer group's (KIP-848) or a classic group's, created when missing. */
function validateGroup(ctx: Ctx, body: TxnOffsetCommitRequest): number {
  const consumerGroup = ctx.durable.consumerGroups.get(body.groupId);
  if (consumerGroup !== undefined) return validateConsumerTxnOffsetCommit(consumerGroup, body);
  let group = ctx.groups.get(body.groupId);
  if (group === undefined) {
    if (body.generationId >= 0) return ErrorCode.ILLEGAL_GENERATION;
    group = new ClassicGroup(body.groupId);
    ctx.groups.set(body.groupId, group);
    emit(ctx, { type: 'group-created', groupId: body.groupId });
  }
  return validate(ctx, group, body);
}

/** Kafka's ClassicGroup.validateOffsetCommit with isTransactional = true. */
function validate(ctx: Ctx, group: ClassicGroup, body: TxnOffsetCommitRequest): number {
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (body.generationId < 0 && group.is('Empty')) return ErrorCode.NONE;
  if (body.generationId >= 0 || body.memberId !== '' || body.groupInstanceId !== null) {
    const memberError = group.validateMember(body.memberId, body.groupInstanceId);
    if (memberError === ErrorCode.FENCED_INSTANCE_ID) {
      emit(ctx, { type: 'member-fenced', groupId: group.groupId, memberId: body.memberId, groupInstanceId: body.groupInstanceId!, api: 'offset-commit' });
    }
    if (memberError !== ErrorCode.NONE) return memberError;
    if (body.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  }
  return ErrorCode.NONE;
}

/**
 * A producer's transaction ended: its pending offsets in the group become committed offsets, or
 * are dropped (Kafka's replayEndTransactionMarker). Nothing is written when it left none here.
 */
export function completeTransactionalOffsets(ctx: Ctx, groupId: string, producerId: number, committed: boolean): void {
  if (!ctx.durable.pendingTxnOffsets.producersOf(groupId).includes(producerId)) return;
  persist(ctx, { type: 'txn-offset-marker', groupId, producerId, committed });
}
