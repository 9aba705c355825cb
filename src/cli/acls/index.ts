import type { Command } from 'commander';
import { describeBinding, type AclBinding } from '../../client/admin/index.js';
import { collect } from '../args.js';
import { action, withCommonOptions } from '../context.js';
import { renderTable } from '../output/table.js';
import { bindingsToAdd, filtersFor, type AclFlags } from './plan.js';

const same = (s: string) => s;

/** The options kafka-acls.sh has for naming principals, resources and operations. */
function withAclOptions(cmd: Command, principals: 'add' | 'filter'): Command {
  cmd
    .option('--allow-principal <principal>', 'principal allowed, e.g. User:alice (User:* for everyone; repeatable)', collect(same))
    .option('--deny-principal <principal>', 'principal denied (repeatable)', collect(same));
  if (principals === 'filter') cmd.option('--principal <principal>', 'ACLs of this principal, allow or deny (repeatable)', collect(same));
  return cmd
    .option('--operation <op>', 'Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite or All (repeatable)', collect(same))
    .option('--topic <name>', 'a topic (repeatable; * for every topic)', collect(same))
    .option('--group <name>', 'a consumer group (repeatable; * for every group)', collect(same))
    .option('--transactional-id <id>', 'a transactional id (repeatable)', collect(same))
    .option('--cluster', 'the cluster resource (topic creation, ACL changes, broker configs)')
    .option('--resource-pattern-type <type>', 'literal (default) or prefixed; remove also any, list also any and match')
    .option('--host <host>', 'the client address the ACL applies to (default: * for any; repeatable)', collect(same))
    .option('--producer', 'shortcut: Write, Describe, Create on the topics (and Write, Describe on transactional ids)')
    .option('--consumer', 'shortcut: Read, Describe on the topics and Read on the groups');
}

function rows(acls: AclBinding[]): Array<Array<string>> {
  return acls.map((a) => [a.resourceType, a.resourceName, a.patternType, a.principal, a.host, a.operation, a.permission]);
}

const HEADERS = ['RESOURCE-TYPE', 'NAME', 'PATTERN', 'PRINCIPAL', 'HOST', 'OPERATION', 'PERMISSION'];

/**
 * `samsa acls add | remove | list`: kafka-acls.sh's concepts through CreateAcls, DeleteAcls and
 * DescribeAcls, so it works against any cluster with an authorizer (connect as a principal with
 * ALTER / DESCRIBE on the cluster, e.g. a super user, with --command-config).
 */
export function registerAclsCommand(program: Command): void {
  const acls = program.command('acls').description('ACLs: add, remove, list (as kafka-acls.sh)');

  withCommonOptions(withAclOptions(acls.command('add').description('add ACLs: each principal x host x resource x operation'), 'add'))
    .action(action<AclFlags>(async (ctx, flags) => {
      const bindings = bindingsToAdd(flags);
      await ctx.progress.during(`adding ${bindings.length} ACL${bindings.length === 1 ? '' : 's'}`, () => ctx.admin().createAcls(bindings));
      if (ctx.format === 'json') return ctx.json({ added: bindings });
      ctx.out(bindings.map((b) => `Added ${describeBinding(b)}\n`).join(''));
    }));

  withCommonOptions(withAclOptions(acls.command('remove').description('remove the ACLs of a resource (narrowed by principal, host, operation when given)'), 'filter'))
    .action(action<AclFlags>(async (ctx, flags) => {
      const filters = filtersFor(flags, 'remove');
      const removed = await ctx.progress.during('removing ACLs', () => ctx.admin().deleteAcls(filters));
      if (ctx.format === 'json') return ctx.json({ removed });
      if (removed.length === 0) return ctx.note('no ACL matched');
      ctx.out(removed.map((b) => `Removed ${describeBinding(b)}\n`).join(''));
    }));

  withCommonOptions(withAclOptions(acls.command('list').description('list ACLs (of the named resources, or all)'), 'filter'))
    .action(action<AclFlags>(async (ctx, flags) => {
      const filters = filtersFor(flags, 'list');
      const admin = ctx.admin();
      const found = await ctx.progress.during('listing ACLs', async () => (await Promise.all(filters.map((f) => admin.describeAcls(f)))).flat());
      const unique = [...new Map(found.map((b) => [JSON.stringify(b), b])).values()];
      if (ctx.format === 'json') return ctx.json({ acls: unique });
      if (unique.length === 0) return ctx.note('no ACLs');
      ctx.out(renderTable(HEADERS, rows(unique), { style: ctx.style }));
    }));
}
