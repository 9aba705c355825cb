import { ErrorCode } from '../protocol/errors.js';
import type {
  DeleteGroupsResponseInit,
  DescribeGroupsDescribedGroupInit,
  DescribeGroupsResponseInit,
  ListGroupsResponseInit,
} from '../protocol/messages/index.js';
import { emit, persist, type Ctx } from './context.js';
import type { ClassicGroup } from './group.js';
import type { CoordinatorRequest } from './types.js';

/** DescribeGroups v3+ may ask for the operations the caller is allowed on each group. */
const MIN_VERSION_AUTHORIZED_OPERATIONS = 3;
/** Kafka's "not requested" value for AuthorizedOperations. */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
/** READ (3), DELETE (6), DESCRIBE (8): everything a group supports; this broker has no ACLs. */
const GROUP_OPERATIONS_ALL = (1 << 3) | (1 << 6) | (1 << 8);

/**
 * DescribeGroups: the chosen protocol and each member's metadata and assignment only when the
 * group is Stable; an unknown group is reported as Dead with error NONE (v0-5).
 */
export function handleDescribeGroups(ctx: Ctx, request: CoordinatorRequest<'describe-groups'>): DescribeGroupsResponseInit {
  const body = request.body;
  const operations =
    request.apiVersion >= MIN_VERSION_AUTHORIZED_OPERATIONS && body.includeAuthorizedOperations
      ? GROUP_OPERATIONS_ALL
      : AUTHORIZED_OPERATIONS_OMITTED;
  return {
    groups: body.groups.map((groupId): DescribeGroupsDescribedGroupInit => {
      const group = ctx.groups.get(groupId);
      if (group === undefined) {
        return { errorCode: ErrorCode.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: operations };
      }
      const stable = group.is('Stable') && group.protocolName !== null;
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        groupState: group.state,
        protocolType: group.protocolType ?? '',
        protocolData: stable ? group.protocolName! : '',
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: stable ? m.metadata(group.protocolName!) : Buffer.alloc(0),
          memberAssignment: stable ? m.assignment : Buffer.alloc(0),
        })),
        authorizedOperations: operations,
      };
    }),
  };
}

/** ListGroups, with the states filter (v4+, case-insensitive) and types filter (v5+: all ours are "classic"). */
export function handleListGroups(ctx: Ctx, request: CoordinatorRequest<'list-groups'>): ListGroupsResponseInit {
  const states = new Set(request.body.statesFilter.map((s) => s.trim().toLowerCase()));
  const types = new Set(request.body.typesFilter.map((t) => t.trim().toLowerCase()));
  const groups = [...ctx.groups.values()]
    .filter((g) => (states.size === 0 || states.has(g.state.toLowerCase())) && (types.size === 0 || types.has('classic')))
    .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  return {
    errorCode: ErrorCode.NONE,
    groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: 'classic' })),
  };
}

/** DeleteGroups: only Empty groups (NON_EMPTY_GROUP otherwise); their offsets go too. */
export function handleDeleteGroups(ctx: Ctx, request: CoordinatorRequest<'delete-groups'>): DeleteGroupsResponseInit {
  const results = request.body.groupsNames.map((groupId) => {
    const group = ctx.groups.get(groupId);
    if (group === undefined || group.is('Dead')) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
    if (!group.is('Empty')) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
    deleteGroup(ctx, group, 'delete-request');
    return { groupId, errorCode: ErrorCode.NONE };
  });
  return { throttleTimeMs: 0, results };
}

/** Tombstones for every offset and the metadata, then the group is forgotten. */
export function deleteGroup(ctx: Ctx, group: ClassicGroup, reason: 'delete-request' | 'offsets-expired'): void {
  const tombstoned = new Set<string>();
  for (const [topic, partitions] of ctx.durable.groupOffsets(group.groupId)) {
    for (const partition of partitions.keys()) {
      persist(ctx, { type: 'offset-commit', groupId: group.groupId, topic, partition, value: null });
      tombstoned.add(`${topic}\u0000${partition}`);
    }
  }
  // Pending transactional offsets go too, through a tombstone of their partition (as Kafka does).
  for (const p of ctx.durable.pendingTxnOffsets.recordsOf(group.groupId)) {
    if (tombstoned.has(`${p.topic}\u0000${p.partition}`)) continue;
    tombstoned.add(`${p.topic}\u0000${p.partition}`);
    persist(ctx, { type: 'offset-commit', groupId: group.groupId, topic: p.topic, partition: p.partition, value: null });
  }
  persist(ctx, { type: 'group-metadata', groupId: group.groupId, value: null });
  for (const memberId of group.pendingJoinMembers) ctx.timers.cancelMember(group.groupId, memberId);
  ctx.groups.delete(group.groupId);
  emit(ctx, { type: 'group-deleted', groupId: group.groupId, reason });
}
