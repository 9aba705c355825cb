import type { Command } from 'commander';
import { parseGroupStates } from '../args.js';
import { action, withCommonOptions } from '../context.js';
import { renderTable } from '../output/table.js';
import { colourState } from './colours.js';
import { describeGroupsIfSupported, listGroupIds, NO_DESCRIBE_GROUPS } from './lookup.js';

export interface GroupListEntry {
  group: string;
  state: string | null;
  protocolType: string | null;
  /** The assignor the group settled on (DescribeGroups), e.g. `range`. */
  protocol: string | null;
  members: number | null;
  /** `classic` or `consumer` (KIP-848), when the broker says. */
  type: string | null;
}

/** `samsa groups list [--state S,...]`: GROUP STATE PROTOCOL MEMBERS TYPE. */
export function registerGroupsList(groups: Command): void {
  withCommonOptions(groups.command('list')
    .description('list the groups of the cluster: GROUP STATE PROTOCOL MEMBERS TYPE')
    .option('--state <states>', 'only groups in these states, comma-separated (Stable, Empty, PreparingRebalance, CompletingRebalance, Assigning, Reconciling, Dead)', parseGroupStates))
    .action(action<{ state?: string[] }>(async (ctx, flags) => {
      const admin = ctx.admin();
      const entries = await ctx.progress.during('listing groups', async () => {
        const listed = await listGroupIds(admin, flags.state);
        const described = listed.length === 0 ? new Map() : await describeGroupsIfSupported(admin, listed.map((g) => g.groupId));
        if (described === null) ctx.note(`note: ${NO_DESCRIBE_GROUPS}`);
        return listed.map((g): GroupListEntry => {
          const d = described?.get(g.groupId);
          return {
            group: g.groupId,
            state: d?.state ?? (g.state === '' ? null : g.state),
            protocolType: d?.protocolType ?? g.protocolType,
            protocol: d === undefined || d.protocol === '' ? null : d.protocol,
            members: d?.members.length ?? null,
            type: d?.type ?? (g.type === '' || g.type === undefined ? null : g.type),
          };
        });
      });
      if (ctx.format === 'json') return ctx.json({ groups: entries });
      if (entries.length === 0) return ctx.note(flags.state ? `no groups in state ${flags.state.join(', ')}` : 'no groups');
      ctx.out(renderTable(['GROUP', 'STATE', 'PROTOCOL', 'MEMBERS', 'TYPE'], entries.map((e) => [e.group, e.state, e.protocolType, e.members, e.type]), {
        style: ctx.style,
        colour: (header, text) => (header === 'STATE' ? colourState(ctx.style, text) : text),
      }));
    }));
}
