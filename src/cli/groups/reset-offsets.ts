import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Admin } from '../../client/admin/index.js';
import { KafkaError } from '../../client/errors.js';
import { ErrorCode } from '../../protocol/errors.js';
import { collect, parseDateTime, parseIsoDuration, parseOffsetsCsv, parseSignedInteger, parseTopicScope, type TopicScope } from '../args.js';
import { action, CliError, integerArg, UsageError, withCommonOptions, type CliContext } from '../context.js';
import { renderTable } from '../output/table.js';
import { committedOffsets, describeGroupsIfSupported } from './lookup.js';
import { exportCsv, partitionKey, planReset, type PartitionPosition, type PlannedReset, type ResetSpec } from './reset-plan.js';

interface ResetFlags {
  group: string;
  topic?: TopicScope[];
  allTopics?: boolean;
  toEarliest?: boolean;
  toLatest?: boolean;
  toCurrent?: boolean;
  toOffset?: number;
  shiftBy?: number;
  toDatetime?: number;
  byDuration?: number;
  fromFile?: string;
  dryRun?: boolean;
  execute?: boolean;
  export?: boolean;
}

/** `samsa groups reset-offsets`: kafka-consumer-groups --reset-offsets, dry run by default. */
export function registerGroupsResetOffsets(groups: Command): void {
  withCommonOptions(groups.command('reset-offsets')
    .description('move an inactive group\'s committed offsets (prints the plan; changes nothing without --execute)')
    .requiredOption('--group <group>', 'the group (it must have no active members)')
    .option('--topic <topic[:partitions]>', 'a topic, or some of its partitions as topic:0,1,2 (repeatable)', collect(parseTopicScope))
    .option('--all-topics', 'every topic the group has committed offsets for')
    .option('--to-earliest', 'to the log start')
    .option('--to-latest', 'to the log end')
    .option('--to-current', 'to the committed offset (the log end where there is none)')
    .option('--to-offset <offset>', 'to this offset (clamped to the log)', integerArg(0, 'an offset'))
    .option('--shift-by <n>', 'by n records, back when negative (clamped to the log)', parseSignedInteger)
    .option('--to-datetime <iso>', 'to the first record at or after this time, e.g. 2024-05-01T10:00:00.000 (local time unless a zone is given)', parseDateTime)
    .option('--by-duration <duration>', 'to the first record at or after now minus this ISO-8601 duration, e.g. PT30M or P1DT2H', parseIsoDuration)
    .option('--from-file <csv>', 'to the offsets of a CSV file (topic,partition,offset per line, as --export writes)')
    .option('--dry-run', 'print the plan and change nothing (the default)')
    .option('--execute', 'apply the plan')
    .option('--export', 'print the plan as CSV (topic,partition,offset) for --from-file'))
    .action(action<ResetFlags>(async (ctx, flags) => {
      const spec = resetSpec(flags);
      if (flags.dryRun && flags.execute) throw new UsageError('--dry-run and --execute cannot be combined');
      const admin = ctx.admin();
      const describeSupported = await assertInactive(admin, flags.group);
      const positions = await ctx.progress.during('reading offsets', () => readPositions(admin, flags, spec, describeSupported));
      const plan = planReset(positions, spec);
      if (plan.errors.length > 0) throw new CliError(`cannot plan the reset of group ${flags.group}: ${plan.errors.join('; ')}`);
      for (const p of plan.partitions) {
        if (p.clampedFrom !== undefined) ctx.warn(`${p.topic}/${p.partition}: offset ${p.clampedFrom} is outside the log; using ${p.newOffset}`);
      }
      if (flags.execute) await ctx.progress.during('committing offsets', () => execute(admin, flags.group, plan.partitions));
      else if (!flags.export || ctx.format !== 'json') ctx.note('dry run: nothing was changed; add --execute to apply this plan');
      print(ctx, flags, plan.partitions);
    }));
}

function resetSpec(flags: ResetFlags): ResetSpec {
  const specs: ResetSpec[] = [];
  if (flags.toEarliest) specs.push({ kind: 'earliest' });
  if (flags.toLatest) specs.push({ kind: 'latest' });
  if (flags.toCurrent) specs.push({ kind: 'current' });
  if (flags.toOffset !== undefined) specs.push({ kind: 'offset', offset: flags.toOffset });
  if (flags.shiftBy !== undefined) specs.push({ kind: 'shift', by: flags.shiftBy });
  if (flags.toDatetime !== undefined) specs.push({ kind: 'timestamp', timestampMs: flags.toDatetime });
  if (flags.byDuration !== undefined) specs.push({ kind: 'timestamp', timestampMs: Date.now() - flags.byDuration });
  if (flags.fromFile !== undefined) specs.push({ kind: 'file', offsets: new Map() }); // read below, once the line is valid
  if (specs.length !== 1) {
    throw new UsageError('give exactly one of --to-earliest, --to-latest, --to-current, --to-offset, --shift-by, --to-datetime, --by-duration, --from-file');
  }
  const scopes = [flags.topic !== undefined, flags.allTopics === true].filter(Boolean).length;
  if (flags.fromFile !== undefined) {
    if (scopes > 0) throw new UsageError('--from-file names its own partitions; leave out --topic and --all-topics');
  } else if (scopes !== 1) {
    throw new UsageError('give either --topic or --all-topics');
  }
  return flags.fromFile !== undefined ? { kind: 'file', offsets: readOffsetsFile(flags.fromFile, flags.group) } : specs[0]!;
}

/** Offsets of a group with members belong to those members: refused, as kafka-consumer-groups does. */
async function assertInactive(admin: Admin, groupId: string): Promise<boolean> {
  const described = await describeGroupsIfSupported(admin, [groupId]);
  const d = described?.get(groupId);
  if (d !== undefined && d.members.length > 0) {
    throw new CliError(`group ${groupId} has ${d.members.length} active member(s) (state ${d.state}); offsets can only be reset while the group is inactive: stop its consumers first`);
  }
  return described !== null;
}

interface Scope {
  topic: string;
  partitions: number[];
}

async function readPositions(admin: Admin, flags: ResetFlags, spec: ResetSpec, describeSupported: boolean): Promise<PartitionPosition[]> {
  const named = spec.kind === 'file' ? [...new Set([...spec.offsets.keys()].map((k) => k.slice(0, k.lastIndexOf(':'))))] : flags.topic?.map((t) => t.topic);
  const committed = await committedOffsets(admin, flags.group, describeSupported, named);
  const committedOf = new Map(committed.map((c) => [partitionKey(c.topic, c.partition), c.offset]));
  let scopes: Scope[];
  if (spec.kind === 'file') {
    scopes = byTopic([...spec.offsets.keys()].map((key) => {
      const colon = key.lastIndexOf(':');
      return { topic: key.slice(0, colon), partition: Number(key.slice(colon + 1)) };
    }));
  } else if (flags.allTopics) {
    scopes = byTopic(committed);
    if (scopes.length === 0) throw new CliError(`group ${flags.group} has no committed offsets; name the topics with --topic`);
  } else {
    scopes = await Promise.all(flags.topic!.map(async (t) => {
      const count = await admin.cluster.partitionCount(t.topic);
      const bad = (t.partitions ?? []).filter((p) => p >= count);
      if (bad.length > 0) throw new CliError(`topic ${t.topic} has ${count} partition(s); there is no partition ${bad.join(', ')}`);
      return { topic: t.topic, partitions: t.partitions ?? Array.from({ length: count }, (_, i) => i) };
    }));
  }
  const perTopic = await Promise.all(scopes.map(async (s) => {
    const [starts, ends, atTime] = await Promise.all([
      admin.listOffsets({ topic: s.topic, partitions: s.partitions, timestamp: 'earliest' }),
      admin.listOffsets({ topic: s.topic, partitions: s.partitions, timestamp: 'latest' }),
      spec.kind === 'timestamp' ? offsetsForTime(admin, s, Math.max(0, spec.timestampMs)) : Promise.resolve(null),
    ]);
    return s.partitions.map((partition, i): PartitionPosition => ({
      topic: s.topic,
      partition,
      committed: committedOf.get(partitionKey(s.topic, partition)) ?? null,
      logStartOffset: starts[i]!.offset,
      logEndOffset: ends[i]!.offset,
      ...(atTime === null ? {} : { offsetForTimestamp: atTime[i]! }),
    }));
  }));
  return perTopic.flat();
}

/** Per partition of `s`, the first offset at or after `timestampMs`, or null when every record is older. */
async function offsetsForTime(admin: Admin, s: Scope, timestampMs: number): Promise<Array<number | null>> {
  const found = await admin.listOffsets({ topic: s.topic, partitions: s.partitions, timestamp: timestampMs });
  return found.map((f) => (f.offset < 0 ? null : f.offset));
}

function byTopic(items: Array<{ topic: string; partition: number }>): Scope[] {
  const map = new Map<string, number[]>();
  for (const i of items) map.set(i.topic, [...(map.get(i.topic) ?? []), i.partition]);
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

function readOffsetsFile(path: string, groupId: string): Map<string, number> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let rows;
  try {
    rows = parseOffsetsCsv(text).filter((r) => r.group === undefined || r.group === groupId);
  } catch (err) {
    throw new CliError(`${path}: ${(err as Error).message}`);
  }
  if (rows.length === 0) throw new CliError(`${path} has no offsets for group ${groupId}`);
  return new Map(rows.map((r) => [partitionKey(r.topic, r.partition), r.offset]));
}

async function execute(admin: Admin, groupId: string, plan: PlannedReset[]): Promise<void> {
  const topics = new Map<string, PlannedReset[]>();
  for (const p of plan) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p]);
  for (const [topic, list] of topics) {
    try {
      await admin.alterOffsets({ groupId, topic, partitions: list.map((p) => ({ partition: p.partition, offset: p.newOffset })) });
    } catch (err) {
      // Kafka takes a commit with generation -1 and no member id from outside the group
      // (that is how kafka-consumer-groups resets); a broker that does not gets named plainly.
      if (err instanceof KafkaError && (err.code === ErrorCode.UNKNOWN_MEMBER_ID || err.code === ErrorCode.ILLEGAL_GENERATION)) {
        throw new CliError(`the broker refused an offset commit from outside the group (${err.name}): it does not support resetting offsets of an inactive group`);
      }
      throw err;
    }
  }
}

function print(ctx: CliContext, flags: ResetFlags, plan: PlannedReset[]): void {
  if (flags.export) return ctx.out(exportCsv(plan));
  if (ctx.format === 'json') {
    return ctx.json({
      group: flags.group,
      executed: flags.execute === true,
      partitions: plan.map((p) => ({ topic: p.topic, partition: p.partition, currentOffset: p.currentOffset, newOffset: p.newOffset })),
    });
  }
  ctx.out(renderTable(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'],
    plan.map((p) => [flags.group, p.topic, p.partition, p.currentOffset, p.newOffset]), { style: ctx.style }));
}
