import type { Command } from 'commander';
import type { Admin } from '../client/admin/index.js';
import { collect, parseKeyValue } from './args.js';
import { action, CliError, integerArg, withCommonOptions } from './context.js';
import { renderFields, renderTable } from './output/table.js';

const configsOf = (pairs: Array<[string, string]> | undefined): Record<string, string> => Object.fromEntries(pairs ?? []);

async function partitionCounts(admin: Admin, topics: string[]): Promise<Map<string, { partitions: number; replicationFactor: number }>> {
  if (topics.length === 0) return new Map();
  const described = await admin.describeTopics({ topics });
  return new Map(described.map((d) => [d.name, { partitions: d.partitions.length, replicationFactor: d.partitions[0]?.replicas.length ?? 0 }]));
}

/** `samsa topics list | create | describe | alter | delete`. */
export function registerTopicsCommand(program: Command): void {
  const topics = program.command('topics').description('topics: list, create, describe, alter, delete');

  withCommonOptions(topics.command('list')
    .description('list topics: TOPIC PARTITIONS REPLICATION-FACTOR')
    .option('--include-internal', 'also internal topics (__consumer_offsets)'))
    .action(action<{ includeInternal?: boolean }>(async (ctx, flags) => {
      const admin = ctx.admin();
      const { names, counts } = await ctx.progress.during('listing topics', async () => {
        const names = (await admin.listTopics({ includeInternal: flags.includeInternal === true })).sort();
        return { names, counts: await partitionCounts(admin, names) };
      });
      const rows = names.map((name) => ({ topic: name, partitions: counts.get(name)?.partitions ?? null, replicationFactor: counts.get(name)?.replicationFactor ?? null }));
      if (ctx.format === 'json') return ctx.json({ topics: rows });
      if (rows.length === 0) return ctx.note('no topics');
      ctx.out(renderTable(['TOPIC', 'PARTITIONS', 'REPLICATION-FACTOR'], rows.map((r) => [r.topic, r.partitions, r.replicationFactor]), { style: ctx.style }));
    }));

  withCommonOptions(topics.command('create')
    .description('create a topic')
    .requiredOption('--topic <topic>', 'the topic name')
    .option('--partitions <n>', 'number of partitions (default: the broker\'s num.partitions)', integerArg(1))
    .option('--replication-factor <n>', 'replicas per partition (default: the broker\'s default)', integerArg(1))
    .option('--config <key=value>', 'a topic config, e.g. retention.ms=86400000 (repeatable)', collect(parseKeyValue)))
    .action(action<{ topic: string; partitions?: number; replicationFactor?: number; config?: Array<[string, string]> }>(async (ctx, flags) => {
      const admin = ctx.admin();
      const [created] = await ctx.progress.during(`creating ${flags.topic}`, () => admin.createTopics({
        topics: [{ name: flags.topic, numPartitions: flags.partitions, replicationFactor: flags.replicationFactor, configs: configsOf(flags.config) }],
      }));
      const result = { topic: flags.topic, topicId: created?.topicId ?? null, partitions: created?.numPartitions ?? flags.partitions ?? null, replicationFactor: created?.replicationFactor ?? null };
      if (ctx.format === 'json') return ctx.json(result);
      ctx.out(`Created topic ${flags.topic} (${result.partitions ?? '?'} partition${result.partitions === 1 ? '' : 's'}).\n`);
    }));

  withCommonOptions(topics.command('describe')
    .description('describe a topic: partitions with leaders, replicas and offsets, and its non-default configs')
    .requiredOption('--topic <topic>', 'the topic'))
    .action(action<{ topic: string }>(async (ctx, flags) => {
      const admin = ctx.admin();
      const { d, starts, ends } = await ctx.progress.during(`describing ${flags.topic}`, async () => {
        const [d] = await admin.describeTopics({ topics: [flags.topic], includeConfigs: true });
        const [starts, ends] = await Promise.all([
          admin.listOffsets({ topic: flags.topic, timestamp: 'earliest' }),
          admin.listOffsets({ topic: flags.topic, timestamp: 'latest' }),
        ]);
        return { d: d!, starts, ends };
      });
      const configs = Object.fromEntries((d.configs ?? []).filter((c) => !c.isDefault && !c.isSensitive).map((c) => [c.name, c.value]));
      const partitions = d.partitions.map((p, i) => ({
        partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr,
        logStartOffset: starts[i]?.offset ?? null, logEndOffset: ends[i]?.offset ?? null,
      }));
      const result = { topic: d.name, topicId: d.topicId, internal: d.isInternal, partitions, configs };
      if (ctx.format === 'json') return ctx.json(result);
      ctx.out(renderFields([
        ['TOPIC', d.name], ['TOPIC-ID', d.topicId], ['PARTITIONS', d.partitions.length],
        ['REPLICATION-FACTOR', d.partitions[0]?.replicas.length ?? null],
        ['CONFIGS', Object.entries(configs).map(([k, v]) => `${k}=${v}`).join(',')],
      ], ctx.style) + '\n');
      ctx.out(renderTable(['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG-START-OFFSET', 'LOG-END-OFFSET'],
        partitions.map((p) => [p.partition, p.leader < 0 ? null : p.leader, p.replicas.join(','), p.isr.join(','), p.logStartOffset, p.logEndOffset]), { style: ctx.style }));
    }));

  withCommonOptions(topics.command('alter')
    .description('add partitions to a topic, or change its configs')
    .requiredOption('--topic <topic>', 'the topic')
    .option('--partitions <n>', 'the new (larger) partition count', integerArg(1))
    .option('--config <key=value>', 'set a topic config (repeatable)', collect(parseKeyValue))
    .option('--delete-config <key>', 'remove a topic config, back to the default (repeatable)', collect(String)))
    .action(action<{ topic: string; partitions?: number; config?: Array<[string, string]>; deleteConfig?: string[] }>(async (ctx, flags) => {
      if (flags.partitions === undefined && flags.config === undefined && flags.deleteConfig === undefined) {
        throw new CliError('nothing to change: give --partitions, --config or --delete-config');
      }
      const admin = ctx.admin();
      await ctx.progress.during(`altering ${flags.topic}`, async () => {
        if (flags.partitions !== undefined) {
          const current = (await partitionCounts(admin, [flags.topic])).get(flags.topic)?.partitions ?? 0;
          if (flags.partitions < current) throw new CliError(`${flags.topic} has ${current} partitions; Kafka can only add partitions, not remove them`);
          if (flags.partitions > current) await admin.createPartitions({ topics: [{ name: flags.topic, count: flags.partitions }] });
        }
        const configs = [
          ...(flags.config ?? []).map(([name, value]) => ({ name, value, op: 'set' as const })),
          ...(flags.deleteConfig ?? []).map((name) => ({ name, op: 'delete' as const })),
        ];
        if (configs.length > 0) await admin.alterConfigs({ resources: [{ type: 'topic', name: flags.topic, configs }] });
      });
      const after = (await partitionCounts(admin, [flags.topic])).get(flags.topic)?.partitions ?? null;
      if (ctx.format === 'json') return ctx.json({ topic: flags.topic, partitions: after, configs: configsOf(flags.config), deletedConfigs: flags.deleteConfig ?? [] });
      ctx.out(`Altered topic ${flags.topic} (${after ?? '?'} partitions).\n`);
    }));

  withCommonOptions(topics.command('delete')
    .description('delete a topic and its records')
    .requiredOption('--topic <topic>', 'the topic (repeat for several)', collect(String)))
    .action(action<{ topic: string[] }>(async (ctx, flags) => {
      await ctx.progress.during('deleting topics', () => ctx.admin().deleteTopics({ topics: flags.topic }));
      if (ctx.format === 'json') return ctx.json({ deleted: flags.topic });
      ctx.out(`Deleted topic${flags.topic.length > 1 ? 's' : ''} ${flags.topic.join(', ')}.\n`);
    }));
}
