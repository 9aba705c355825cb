import { ErrorCode } from '../protocol/errors.js';
import type { OffsetCommitRequest, OffsetCommitResponseInit } from '../protocol/messages/index.js';
import { emit, persist, type Ctx } from './context.js';
import { ClassicGroup } from './group.js';
import { rescheduleSession } from './rebalance.js';
import type { CoordinatorRequest } from './types.js';

/** From OffsetCommit v9 an unknown group is GROUP_ID_NOT_FOUND rather than ILLEGAL_GENERATION. */
const MIN_VERSION_GROUP_ID_NOT_FOUND = 9;
/** OffsetCommit v1 carried a client-chosen commit timestamp. */
const VERSION_WITH_COMMIT_TIMESTAMP = 1;

/** The same error for every partition of the request (OffsetCommit has no top-level error). */
export function offsetCommitError(body: OffsetCommitRequest, errorCode: number): OffsetCommitResponseInit {
  return {
    topics: body.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  };
}

export function handleOffsetCommit(ctx: Ctx, request: CoordinatorRequest<'offset-commit'>): OffsetCommitResponseInit {
  const body = request.body;
  let group = ctx.groups.get(body.groupId);
  if (group === undefined) {
    if (body.generationIdOrMemberEpoch >= 0) {
      const error = request.apiVersion >= MIN_VERSION_GROUP_ID_NOT_FOUND ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION;
      return offsetCommitError(body, error);
    }
    // A commit outside group management (admin tools, assign() consumers) creates a "simple"
    // group: Empty, without a protocol type, holding offsets only.
    group = new ClassicGroup(body.groupId);
    ctx.groups.set(body.groupId, group);
    emit(ctx, { type: 'group-created', groupId: body.groupId });
  }
  const error = validateOffsetCommit(ctx, group, body);
  if (error !== ErrorCode.NONE) return offsetCommitError(body, error);
  // A commit counts as a heartbeat while the member may still be consuming.
  if (group.is('Stable') || group.is('PreparingRebalance')) {
    const member = group.member(body.memberId);
    if (member !== undefined) rescheduleSession(ctx, group, member);
  }
  return writeOffsets(ctx, request);
}

/**
 * Stores the offsets of an accepted OffsetCommit (any group type): one record per partition,
 * OFFSET_METADATA_TOO_LARGE for metadata over offset.metadata.max.bytes.
 */
export function writeOffsets(ctx: Ctx, request: CoordinatorRequest<'offset-commit'>): OffsetCommitResponseInit {
  const body = request.body;
  const retentionMs = body.retentionTimeMs;
  const response: OffsetCommitResponseInit = { topics: [] };
  for (const topic of body.topics) {
    const partitions = [];
    for (const p of topic.partitions) {
      const metadata = p.committedMetadata ?? '';
      if (metadata.length > ctx.config.offsetMetadataMaxBytes) {
        partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE });
        continue;
      }
      const commitTimestampMs =
        request.apiVersion === VERSION_WITH_COMMIT_TIMESTAMP && p.commitTimestamp >= 0 ? p.commitTimestamp : ctx.nowMs;
      persist(ctx, {
        type: 'offset-commit',
        groupId: body.groupId,
        topic: topic.name,
        partition: p.partitionIndex,
        value: {
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata,
          commitTimestampMs,
          expireTimestampMs: retentionMs >= 0 ? ctx.nowMs + retentionMs : -1,
        },
      });
      partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE });
    }
    response.topics.push({ name: topic.name, partitions });
  }
  return response;
}

/**
 * Kafka's ClassicGroup.validateOffsetCommit: generation -1 on an Empty group is accepted (no
 * membership); anything that names a member or a generation must match the current member and
 * generation; a member-less commit to an active group is refused; and a commit in
 * CompletingRebalance is REBALANCE_IN_PROGRESS (the member has not got its assignment yet).
 */
function validateOffsetCommit(ctx: Ctx, group: ClassicGroup, body: OffsetCommitRequest): number {
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const generationId = body.generationIdOrMemberEpoch;
  if (generationId < 0 && group.is('Empty')) return ErrorCode.NONE;
  if (generationId >= 0 || body.memberId !== '' || body.groupInstanceId !== null) {
    const memberError = group.validateMember(body.memberId, body.groupInstanceId);
    if (memberError === ErrorCode.FENCED_INSTANCE_ID) {
      emit(ctx, { type: 'member-fenced', groupId: group.groupId, memberId: body.memberId, groupInstanceId: body.groupInstanceId!, api: 'offset-commit' });
    }
    if (memberError !== ErrorCode.NONE) return memberError;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  } else if (!group.is('Empty')) {
    return ErrorCode.UNKNOWN_MEMBER_ID;
  }
  if (group.is('CompletingRebalance')) return ErrorCode.REBALANCE_IN_PROGRESS;
  return ErrorCode.NONE;
}
