import type { Command } from 'commander';
import { action, withCommonOptions } from '../context.js';
import { renderTable } from '../output/table.js';

/**
 * `samsa transactions describe --transactional-id T`: the coordinator, producer id and epoch,
 * state, timeout, how long the running transaction has been open and its partitions, as
 * kafka-transactions.sh describe prints them.
 */
export function registerTransactionsDescribe(transactions: Command): void {
  withCommonOptions(transactions.command('describe')
    .description('describe a transactional id: producer, state, running time and partitions')
    .requiredOption('--transactional-id <id>', 'the transactional id'))
    .action(action<{ transactionalId: string }>(async (ctx, flags) => {
      const [d] = await ctx.progress.during('describing the transaction', () => ctx.admin().describeTransactions([flags.transactionalId]));
      const nowMs = Date.now();
      const durationMs = d!.transactionStartTimeMs === null ? null : Math.max(0, nowMs - d!.transactionStartTimeMs);
      if (ctx.format === 'json') return ctx.json({ ...d, transactionDurationMs: durationMs });
      const partitions = d!.topicPartitions.map((tp) => `${tp.topic}-${tp.partition}`).join(',');
      ctx.out(renderTable(
        ['COORDINATOR-ID', 'TRANSACTIONAL-ID', 'PRODUCER-ID', 'PRODUCER-EPOCH', 'STATE', 'TIMEOUT-MS', 'START-TIME-MS', 'DURATION-MS', 'PARTITIONS'],
        [[d!.coordinatorId, d!.transactionalId, d!.producerId, d!.producerEpoch, d!.state, d!.transactionTimeoutMs, d!.transactionStartTimeMs, durationMs, partitions]],
        { style: ctx.style },
      ));
    }));
}
