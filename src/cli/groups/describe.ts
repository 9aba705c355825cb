import type { Command } from 'commander';
import type { Admin } from '../../client/admin/index.js';
import type { GroupDescription, PartitionLag } from '../../client/admin/types.js';
import { action, CliError, UsageError, withCommonOptions, type CliContext } from '../context.js';
import { renderTable } from '../output/table.js';
import { colourState } from './colours.js';
import { assertGroupKnown, committedOffsets, coordinatorLabel, describeGroupsIfSupported, formatAssignment, groupLag, listGroupIds, NO_DESCRIBE_GROUPS } from './lookup.js';
import type { PartitionPosition } from '../../observe/lag/snapshot.js';

interface DescribeFlags {
  group?: string[];
  allGroups?: boolean;
  offsets?: boolean;
  members?: boolean;
  state?: boolean;
  verbose?: boolean;
}

/** A group's position on one partition and who owns it: what `describe --offsets` and `lag` share. */
export type { PartitionPosition };

export interface OffsetRow extends PartitionPosition {
  /** With --verbose: the leader epoch stored with the commit. */
  leaderEpoch?: number | null;
  /** The committed offset is below the log start: records between them were deleted unread. */
  belowLogStart: boolean;
  /** A transaction's offset for the partition is pending (KIP-447): the offset changes when it commits. */
  pendingTransaction: boolean;
}

export interface MemberRow {
  consumerId: string;
  groupInstanceId: string | null;
  host: string;
  clientId: string;
  partitions: number | null;
  assignment: Array<{ topic: string; partitions: number[] }> | null;
  /** Consumer groups (KIP-848): the member's epoch and the partitions it is converging to; null for classic groups. */
  memberEpoch: number | null;
  targetAssignment: Array<{ topic: string; partitions: number[] }> | null;
}

/** `samsa groups describe`: kafka-consumer-groups --describe, in its three modes. */
export function registerGroupsDescribe(groups: Command): void {
  withCommonOptions(groups.command('describe')
    .description('describe groups: committed offsets and lag (default), --members, or --state')
    .option('--group <group>', 'the group (repeat for several)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--all-groups', 'every group of the cluster')
    .option('--offsets', 'per partition: committed offset, log start/end, lag and owner (default)')
    .option('--members', 'per member: id, instance id, host, client id, partition count (and member epoch in a consumer group)')
    .option('--state', 'per group: coordinator, assignment strategy, state, member count (and type, epochs for consumer groups)')
    .option('--verbose', 'more detail: leader epochs (offsets), assignments and KIP-848 targets (members), protocol type (state)'))
    .action(action<DescribeFlags>(async (ctx, flags) => {
      const modes = [flags.offsets, flags.members, flags.state].filter(Boolean).length;
      if (modes > 1) throw new UsageError('--offsets, --members and --state cannot be combined');
      if ((flags.group === undefined) === (flags.allGroups !== true)) throw new UsageError('give either --group or --all-groups');
      const admin = ctx.admin();
      let groupIds = flags.allGroups ? (await listGroupIds(admin)).map((g) => g.groupId) : flags.group!;
      if (groupIds.length === 0) {
        if (ctx.format === 'json') return ctx.json({ groups: [] });
        return ctx.note('no groups');
      }
      const described = await ctx.progress.during('describing groups', () => describeGroupsIfSupported(admin, groupIds));
      // A listed group can vanish before it is described: --all-groups shows the ones still there.
      if (flags.allGroups && described !== null) groupIds = groupIds.filter((g) => described.get(g)?.state !== 'Dead');
      if (flags.members) return describeMembers(ctx, groupIds, described, flags.verbose === true);
      if (flags.state) return describeState(ctx, admin, groupIds, described, flags.verbose === true);
      return describeOffsets(ctx, admin, groupIds, described, flags.verbose === true);
    }));
}

function requireDescribeGroups(described: Map<string, GroupDescription> | null, mode: string): Map<string, GroupDescription> {
  if (described === null) throw new CliError(`the broker does not implement DescribeGroups (API 15), which ${mode} needs; try --offsets`);
  return described;
}

/** Notes kafka-consumer-groups prints above a group's table (on stderr here). */
function stateNotes(ctx: CliContext, d: GroupDescription | undefined): void {
  if (d === undefined || ctx.format === 'json') return;
  if (d.state === 'Empty') ctx.note(`Consumer group '${d.groupId}' has no active members.`);
  if (d.state === 'PreparingRebalance' || d.state === 'CompletingRebalance' || d.state === 'Assigning' || d.state === 'Reconciling') {
    ctx.note(`Consumer group '${d.groupId}' is rebalancing.`);
  }
}

export async function groupOffsetRows(admin: Admin, groupId: string, describeSupported: boolean, verbose: boolean): Promise<OffsetRow[]> {
  const [lags, committed] = await Promise.all([
    groupLag(admin, groupId, describeSupported),
    verbose ? committedOffsets(admin, groupId, describeSupported) : Promise.resolve([]),
  ]);
  const epochs = new Map(committed.map((c) => [`${c.topic}:${c.partition}`, c.leaderEpoch]));
  return lags.map((p: PartitionLag): OffsetRow => {
    const row: OffsetRow = {
      topic: p.topic,
      partition: p.partition,
      currentOffset: p.committedOffset < 0 ? null : p.committedOffset,
      logStartOffset: p.logStartOffset,
      logEndOffset: p.logEndOffset,
      lag: p.lag,
      consumerId: p.owner?.memberId ?? null,
      host: p.owner?.host ?? null,
      clientId: p.owner?.clientId ?? null,
      belowLogStart: p.committedOffset >= 0 && p.committedOffset < p.logStartOffset,
      pendingTransaction: p.pendingTransaction,
    };
    if (verbose) {
      const epoch = epochs.get(`${p.topic}:${p.partition}`);
      row.leaderEpoch = epoch === undefined || epoch < 0 ? null : epoch;
    }
    return row;
  });
}

/** Partitions whose offset waits on an open transaction: the current offset shown is the last stable one. */
function pendingNote(ctx: CliContext, groupId: string, rows: OffsetRow[]): void {
  const pending = rows.filter((r) => r.pendingTransaction).map((r) => `${r.topic}/${r.partition}`);
  if (pending.length === 0) return;
  ctx.note(`Consumer group '${groupId}': offsets of ${pending.join(', ')} wait on an open transaction; they change when it commits.`);
}

/** The retention warning: a commit below the log start means records were deleted before the group read them. */
export function belowLogStartWarning(groupId: string, r: { topic: string; partition: number; currentOffset: number | null; logStartOffset: number }): string {
  const lost = r.logStartOffset - r.currentOffset!;
  return `group ${groupId}, ${r.topic}/${r.partition}: committed offset ${r.currentOffset} is below the log start ${r.logStartOffset}; ` +
    `${lost} record(s) were deleted by retention before the group read them`;
}

async function describeOffsets(ctx: CliContext, admin: Admin, groupIds: string[], described: Map<string, GroupDescription> | null, verbose: boolean): Promise<void> {
  if (described === null && ctx.format !== 'json') ctx.note(`note: ${NO_DESCRIBE_GROUPS}`);
  const results = await ctx.progress.during('reading offsets', () => Promise.all(groupIds.map(async (groupId) => {
    const rows = await groupOffsetRows(admin, groupId, described !== null, verbose);
    const d = described?.get(groupId);
    assertGroupKnown(groupId, described === null ? null : d, rows.filter((r) => r.currentOffset !== null).length);
    const owners = new Set(rows.map((r) => r.consumerId).filter((c) => c !== null));
    // Members that own no partition still get a row, as kafka-consumer-groups prints them.
    const idle = (d?.members ?? []).filter((m) => !owners.has(m.memberId))
      .map((m) => ({ consumerId: m.memberId, host: m.clientHost, clientId: m.clientId }));
    return { group: groupId, state: d?.state ?? null, partitions: rows, membersWithoutPartitions: idle };
  })));
  for (const g of results) {
    for (const r of g.partitions) if (r.belowLogStart) ctx.warn(belowLogStartWarning(g.group, r));
  }
  if (ctx.format === 'json') return ctx.json({ groups: results });
  for (const g of results) stateNotes(ctx, described?.get(g.group));
  for (const g of results) pendingNote(ctx, g.group, g.partitions);
  const headers = ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', ...(verbose ? ['LEADER-EPOCH'] : []), 'CONSUMER-ID', 'HOST', 'CLIENT-ID', 'LOG-START-OFFSET'];
  const rows = results.flatMap((g) => [
    ...g.partitions.map((r) => [g.group, r.topic, r.partition, r.currentOffset, r.logEndOffset, r.lag, ...(verbose ? [r.leaderEpoch] : []), r.consumerId, r.host, r.clientId, r.logStartOffset]),
    ...g.membersWithoutPartitions.map((m) => [g.group, null, null, null, null, null, ...(verbose ? [null] : []), m.consumerId, m.host, m.clientId, null]),
  ]);
  ctx.out(renderTable(headers, rows, { style: ctx.style }));
}

function describeMembers(ctx: CliContext, groupIds: string[], described: Map<string, GroupDescription> | null, verbose: boolean): void {
  const byGroup = requireDescribeGroups(described, '--members');
  const results = groupIds.map((groupId) => {
    const d = byGroup.get(groupId);
    assertGroupKnown(groupId, d, 0);
    const members = d!.members.map((m): MemberRow => ({
      consumerId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      host: m.clientHost,
      clientId: m.clientId,
      partitions: m.assignment === null ? null : m.assignment.reduce((n, tp) => n + tp.partitions.length, 0),
      assignment: m.assignment,
      memberEpoch: m.memberEpoch ?? null,
      targetAssignment: m.targetAssignment ?? null,
    }));
    members.sort((a, b) => (a.consumerId < b.consumerId ? -1 : a.consumerId > b.consumerId ? 1 : 0));
    return { group: groupId, state: d!.state, members };
  });
  if (ctx.format === 'json') return ctx.json({ groups: results });
  for (const g of results) stateNotes(ctx, byGroup.get(g.group));
  // Consumer groups (KIP-848): each member's epoch, and the target it converges to beside what it owns.
  const kip848 = groupIds.some((g) => byGroup.get(g)?.type === 'consumer');
  const headers = ['GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS', ...(kip848 ? ['MEMBER-EPOCH'] : []), ...(verbose ? ['ASSIGNMENT'] : []), ...(kip848 && verbose ? ['TARGET-ASSIGNMENT'] : [])];
  const rows = results.flatMap((g) => g.members.map((m) => [
    g.group, m.consumerId, m.groupInstanceId, m.host, m.clientId, m.partitions,
    ...(kip848 ? [m.memberEpoch] : []),
    ...(verbose ? [formatAssignment(m.assignment)] : []),
    ...(kip848 && verbose ? [formatAssignment(m.targetAssignment)] : []),
  ]));
  ctx.out(renderTable(headers, rows, { style: ctx.style }));
}

async function describeState(ctx: CliContext, admin: Admin, groupIds: string[], described: Map<string, GroupDescription> | null, verbose: boolean): Promise<void> {
  const byGroup = requireDescribeGroups(described, '--state');
  const results = await Promise.all(groupIds.map(async (groupId) => {
    const d = byGroup.get(groupId);
    assertGroupKnown(groupId, d, 0);
    return {
      group: groupId,
      coordinator: await coordinatorLabel(admin, groupId),
      assignmentStrategy: d!.protocol === '' ? null : d!.protocol,
      state: d!.state,
      members: d!.members.length,
      protocolType: d!.protocolType === '' ? null : d!.protocolType,
      type: d!.type ?? null,
      groupEpoch: d!.groupEpoch ?? null,
      assignmentEpoch: d!.assignmentEpoch ?? null,
    };
  }));
  if (ctx.format === 'json') return ctx.json({ groups: results });
  const kip848 = results.some((g) => g.type === 'consumer');
  const headers = ['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS', ...(kip848 ? ['TYPE', 'GROUP-EPOCH', 'TARGET-ASSIGNMENT-EPOCH'] : []), ...(verbose ? ['PROTOCOL-TYPE'] : [])];
  const rows = results.map((g) => [
    g.group, `${g.coordinator.host ?? '?'}:${g.coordinator.port ?? '?'} (${g.coordinator.id})`, g.assignmentStrategy, g.state, g.members,
    ...(kip848 ? [g.type, g.groupEpoch, g.assignmentEpoch] : []),
    ...(verbose ? [g.protocolType] : []),
  ]);
  ctx.out(renderTable(headers, rows, { style: ctx.style, colour: (h, t) => (h === 'STATE' ? colourState(ctx.style, t) : t) }));
}
