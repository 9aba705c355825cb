import type { Command } from 'commander';
import { registerGroupsDelete } from './delete.js';
import { registerGroupsDescribe } from './describe.js';
import { registerGroupsList } from './list.js';
import { registerGroupsResetOffsets } from './reset-offsets.js';
import { registerGroupsTimeline } from './timeline.js';

/** `samsa groups ...`: kafka-consumer-groups' operations, one subcommand each. */
export function registerGroupsCommand(program: Command): void {
  const groups = program.command('groups').description('consumer groups: list, describe, reset-offsets, delete, delete-offsets, timeline');
  registerGroupsList(groups);
  registerGroupsDescribe(groups);
  registerGroupsResetOffsets(groups);
  registerGroupsDelete(groups);
  registerGroupsTimeline(groups);
}
