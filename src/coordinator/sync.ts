import { ErrorCode } from '../protocol/errors.js';
import type { SyncGroupResponseInit } from '../protocol/messages/index.js';
import { emit, persist, syncError, transition, type Ctx } from './context.js';
import type { ClassicGroup } from './group.js';
import { EMPTY_BYTES } from './member.js';
import { propagateAssignment, removePendingSyncMember } from './rebalance.js';
import type { CoordinatorRequest } from './types.js';

type SyncOutcome = SyncGroupResponseInit | 'parked';

export function handleSyncGroup(ctx: Ctx, request: CoordinatorRequest<'sync'>): SyncOutcome {
  const body = request.body;
  if (body.groupId === '') return syncError(ErrorCode.INVALID_GROUP_ID);
  const group = ctx.groups.get(body.groupId);
  if (group === undefined || group.is('Empty')) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
  const error = validateSync(ctx, group, request);
  if (error !== ErrorCode.NONE) return syncError(error);
  const member = group.member(body.memberId)!;
  switch (group.state) {
    case 'PreparingRebalance':
      return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
    case 'CompletingRebalance': {
      const superseded = member.awaitingSync;
      if (superseded !== null) ctx.out.completeSync(superseded, syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      member.awaitingSync = { requestId: request.requestId, apiVersion: request.apiVersion };
      removePendingSyncMember(ctx, group, member.memberId);
      if (group.isLeader(member.memberId)) storeAssignmentAndStabilize(ctx, group, request);
      return 'parked';
    }
    case 'Stable':
      removePendingSyncMember(ctx, group, member.memberId);
      return { errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment };
    case 'Empty':
    case 'Dead':
      return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
  }
}

/** Dead group, member/instance check, generation, then (v5, KIP-559) protocol type and name. */
function validateSync(ctx: Ctx, group: ClassicGroup, request: CoordinatorRequest<'sync'>): number {
  const body = request.body;
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const memberError = group.validateMember(body.memberId, body.groupInstanceId);
  if (memberError === ErrorCode.FENCED_INSTANCE_ID) {
    emit(ctx, { type: 'member-fenced', groupId: group.groupId, memberId: body.memberId, groupInstanceId: body.groupInstanceId!, api: 'sync' });
  }
  if (memberError !== ErrorCode.NONE) return memberError;
  if (body.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  if (isInconsistent(body.protocolType, group.protocolType) || isInconsistent(body.protocolName, group.protocolName)) {
    return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
  }
  return ErrorCode.NONE;
}

function isInconsistent(requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current;
}

/**
 * The leader's SyncGroup: members it left out get an empty assignment; the group snapshot is
 * persisted; then the group is Stable and every parked SyncGroup gets its member's assignment.
 * The shell sends those answers only once the record is durable.
 */
function storeAssignmentAndStabilize(ctx: Ctx, group: ClassicGroup, request: CoordinatorRequest<'sync'>): void {
  const assignments = new Map<string, Buffer>();
  for (const a of request.body.assignments) assignments.set(a.memberId, Buffer.from(a.assignment));
  for (const memberId of group.members.keys()) if (!assignments.has(memberId)) assignments.set(memberId, EMPTY_BYTES);
  for (const m of group.members.values()) m.assignment = assignments.get(m.memberId)!;
  transition(ctx, group, 'Stable');
  persist(ctx, { type: 'group-metadata', groupId: group.groupId, value: group.toMetadataValue(new Map(), ctx.nowMs) });
  propagateAssignment(ctx, group, ErrorCode.NONE);
  const startedAtMs = group.rebalanceStartedAtMs ?? ctx.nowMs;
  group.rebalanceStartedAtMs = null;
  emit(ctx, {
    type: 'rebalance-completed',
    groupId: group.groupId,
    generationId: group.generationId,
    protocolName: group.protocolName ?? '',
    leaderId: group.leaderId ?? '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
    })),
    durationMs: ctx.nowMs - startedAtMs,
  });
}
