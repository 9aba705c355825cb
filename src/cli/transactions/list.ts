import { InvalidArgumentError, type Command } from 'commander';
import type { TransactionListing } from '../../client/admin/index.js';
import { action, integerArg, withCommonOptions } from '../context.js';
import { renderTable } from '../output/table.js';

const STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'PrepareEpochFence', 'Dead'];

function parseStates(value: string): string[] {
  const states = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const s of states) {
    if (!STATES.includes(s)) throw new InvalidArgumentError(`unknown transaction state "${s}" (one of ${STATES.join(', ')})`);
  }
  return states;
}

interface ListFlags {
  state?: string[];
  producerId?: number;
  durationMs?: number;
}

/** `samsa transactions list`: TRANSACTIONAL-ID STATE PRODUCER-ID, as kafka-transactions.sh list. */
export function registerTransactionsList(transactions: Command): void {
  withCommonOptions(transactions.command('list')
    .description('list transactional ids: TRANSACTIONAL-ID STATE PRODUCER-ID')
    .option('--state <states>', `only these states, comma-separated (${STATES.slice(0, 6).join(', ')})`, parseStates)
    .option('--producer-id <id>', 'only this producer id', integerArg(0))
    .option('--duration-ms <ms>', 'only transactions running for longer than this (ListTransactions v1)', integerArg(0)))
    .action(action<ListFlags>(async (ctx, flags) => {
      const listed: TransactionListing[] = await ctx.progress.during('listing transactions', () => ctx.admin().listTransactions({
        ...(flags.state !== undefined ? { states: flags.state } : {}),
        ...(flags.producerId !== undefined ? { producerIds: [flags.producerId] } : {}),
        ...(flags.durationMs !== undefined ? { durationMs: flags.durationMs } : {}),
      }));
      if (ctx.format === 'json') return ctx.json({ transactions: listed });
      if (listed.length === 0) return ctx.note('no transactional ids');
      ctx.out(renderTable(['TRANSACTIONAL-ID', 'STATE', 'PRODUCER-ID'], listed.map((t) => [t.transactionalId, t.state, t.producerId]), { style: ctx.style }));
    }));
}
