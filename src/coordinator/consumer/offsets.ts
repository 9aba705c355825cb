import { ErrorCode } from '../../protocol/errors.js';
import type { OffsetCommitResponseInit, TxnOffsetCommitRequest } from '../../protocol/messages/index.js';
import type { Ctx } from '../context.js';
import { offsetCommitError, writeOffsets } from '../offset-commit.js';
import type { CoordinatorRequest } from '../types.js';
import type { ConsumerGroup } from './group.js';

/** OffsetCommit v9 is the first that carries a member epoch (KIP-848). */
const MIN_VERSION_MEMBER_EPOCH = 9;

/**
 * OffsetCommit to a consumer group (Kafka's ConsumerGroup.validateOffsetCommit): without a member
 * (epoch < 0) only while the group is empty (admin tools); otherwise the member must exist, use
 * OffsetCommit v9+ if it speaks the consumer protocol, and send its current epoch:
 * STALE_MEMBER_EPOCH otherwise (ILLEGAL_GENERATION for a member that joined with JoinGroup), which
 * the client retries after its next heartbeat.
 */
export function handleConsumerOffsetCommit(ctx: Ctx, group: ConsumerGroup, request: CoordinatorRequest<'offset-commit'>): OffsetCommitResponseInit {
  const body = request.body;
  const epoch = body.generationIdOrMemberEpoch;
  if (!(epoch < 0 && group.members.size === 0)) {
    const member = group.members.get(body.memberId);
    if (member === undefined) return offsetCommitError(body, ErrorCode.UNKNOWN_MEMBER_ID);
    if (member.classic === null && request.apiVersion < MIN_VERSION_MEMBER_EPOCH) return offsetCommitError(body, ErrorCode.UNSUPPORTED_VERSION);
    if (epoch !== member.memberEpoch) return offsetCommitError(body, member.classic === null ? ErrorCode.STALE_MEMBER_EPOCH : ErrorCode.ILLEGAL_GENERATION);
  }
  return writeOffsets(ctx, request);
}

/**
 * OffsetFetch v9+ from a member of a consumer group (Kafka's ConsumerGroup.validateOffsetFetch):
 * without member id and with epoch -1 anyone may read; otherwise the member must exist and send its
 * current epoch. Returns the group-level error code.
 */
export function validateConsumerOffsetFetch(group: ConsumerGroup, memberId: string | null, memberEpoch: number): number {
  if (memberId === null && memberEpoch < 0) return ErrorCode.NONE;
  const member = memberId === null ? undefined : group.members.get(memberId);
  if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (memberEpoch !== member.memberEpoch) return member.classic === null ? ErrorCode.STALE_MEMBER_EPOCH : ErrorCode.ILLEGAL_GENERATION;
  return ErrorCode.NONE;
}

/**
 * TxnOffsetCommit to a consumer group (Kafka's ConsumerGroup.validateOffsetCommit with
 * isTransactional): accepted without a member while the group is empty, and from producers that
 * name no member at all (pre-KIP-447); otherwise the member must exist and the generation it
 * sends must be its current epoch, which fences a zombie whose partitions moved on.
 */
export function validateConsumerTxnOffsetCommit(group: ConsumerGroup, body: TxnOffsetCommitRequest): number {
  if (body.generationId < 0 && group.members.size === 0) return ErrorCode.NONE;
  if (body.generationId < 0 && body.memberId === '' && body.groupInstanceId === null) return ErrorCode.NONE;
  const member = group.members.get(body.memberId);
  if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (body.generationId !== member.memberEpoch) return member.classic === null ? ErrorCode.STALE_MEMBER_EPOCH : ErrorCode.ILLEGAL_GENERATION;
  return ErrorCode.NONE;
}
