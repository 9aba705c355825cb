import type { Command } from 'commander';
import { KafkaError } from '../../client/errors.js';
import { ErrorCode } from '../../protocol/errors.js';
import { collect, parseTopicScope, type TopicScope } from '../args.js';
import { action, CliError, withCommonOptions } from '../context.js';
import { renderTable } from '../output/table.js';

/** Turns the coordinator's refusals into sentences an operator can act on. */
function explain(err: unknown, groupId: string, topic?: string): unknown {
  if (!(err instanceof KafkaError)) return err;
  if (err.code === ErrorCode.NON_EMPTY_GROUP) return new CliError(`group ${groupId} has active members; stop its consumers before deleting it`);
  if (err.code === ErrorCode.GROUP_ID_NOT_FOUND) return new CliError(`group "${groupId}" does not exist`);
  if (err.code === ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC) {
    return new CliError(`group ${groupId} has active members subscribed to ${topic}; their offsets for it cannot be deleted while they consume it`);
  }
  return err;
}

/** `samsa groups delete --group G` and `samsa groups delete-offsets --group G --topic T[:P,...]`. */
export function registerGroupsDelete(groups: Command): void {
  withCommonOptions(groups.command('delete')
    .description('delete inactive groups and their committed offsets')
    .requiredOption('--group <group>', 'the group (repeat for several)', collect(String)))
    .action(action<{ group: string[] }>(async (ctx, flags) => {
      const admin = ctx.admin();
      for (const groupId of flags.group) {
        await ctx.progress.during(`deleting ${groupId}`, () => admin.deleteGroups([groupId])).catch((err: unknown) => {
          throw explain(err, groupId);
        });
      }
      if (ctx.format === 'json') return ctx.json({ deleted: flags.group });
      ctx.out(`Deleted group${flags.group.length > 1 ? 's' : ''} ${flags.group.join(', ')}.\n`);
    }));

  withCommonOptions(groups.command('delete-offsets')
    .description('delete a group\'s committed offsets for a topic (the group must not be consuming it)')
    .requiredOption('--group <group>', 'the group')
    .requiredOption('--topic <topic[:partitions]>', 'the topic, or some of its partitions as topic:0,1 (repeatable)', collect(parseTopicScope)))
    .action(action<{ group: string; topic: TopicScope[] }>(async (ctx, flags) => {
      const admin = ctx.admin();
      const done: Array<{ topic: string; partition: number }> = [];
      for (const t of flags.topic) {
        const partitions = t.partitions ?? Array.from({ length: await admin.cluster.partitionCount(t.topic) }, (_, i) => i);
        await ctx.progress.during(`deleting offsets of ${t.topic}`, () => admin.deleteOffsets({ groupId: flags.group, topic: t.topic, partitions })).catch((err: unknown) => {
          throw explain(err, flags.group, t.topic);
        });
        for (const partition of partitions) done.push({ topic: t.topic, partition });
      }
      if (ctx.format === 'json') return ctx.json({ group: flags.group, deleted: done });
      ctx.out(renderTable(['TOPIC', 'PARTITION', 'STATUS'], done.map((d) => [d.topic, d.partition, 'Successful']), { style: ctx.style }));
    }));
}
