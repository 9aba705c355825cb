import type { Command } from 'commander';
import { Producer } from '../../client/producer/index.js';
import { action, CliError, integerArg, UsageError, withCommonOptions, type CliContext } from '../context.js';

interface AbortFlags {
  transactionalId?: string;
  topic?: string;
  partition?: number;
  startOffset?: number;
  producerId?: number;
  producerEpoch?: number;
  coordinatorEpoch?: number;
}

/**
 * `samsa transactions abort` in two forms:
 *  - `--transactional-id T`: aborts T's running transaction the way a new producer instance
 *    would, with InitProducerId: the epoch is bumped (the current producer is fenced and must
 *    restart) and the transaction is rolled back.
 *  - `--topic T --partition P (--start-offset O | --producer-id I --producer-epoch E
 *    [--coordinator-epoch C])`: kafka-transactions.sh's abort of a hanging transaction, one its
 *    coordinator no longer knows, by writing an ABORT marker into the partition.
 */
export function registerTransactionsAbort(transactions: Command): void {
  withCommonOptions(transactions.command('abort')
    .description('abort a transactional id\'s running transaction (fencing its producer), or a hanging transaction in one partition')
    .option('--transactional-id <id>', 'abort the running transaction of this id')
    .option('--topic <topic>', 'the partition of a hanging transaction: topic')
    .option('--partition <n>', 'the partition of a hanging transaction: index', integerArg(0))
    .option('--start-offset <offset>', 'the hanging transaction\'s first offset (DescribeProducers finds its producer)', integerArg(0))
    .option('--producer-id <id>', 'the hanging transaction\'s producer id', integerArg(0))
    .option('--producer-epoch <epoch>', 'the hanging transaction\'s producer epoch', integerArg(0))
    .option('--coordinator-epoch <epoch>', 'the coordinator epoch of the marker (default: the producer\'s)', integerArg(0)))
    .action(action<AbortFlags>(async (ctx, flags) => {
      if (flags.transactionalId !== undefined) {
        if (flags.topic !== undefined || flags.partition !== undefined) throw new UsageError('--transactional-id cannot be combined with --topic/--partition');
        return abortById(ctx, flags.transactionalId);
      }
      if (flags.topic === undefined || flags.partition === undefined) throw new UsageError('give --transactional-id, or --topic and --partition of a hanging transaction');
      return abortHanging(ctx, flags);
    }));
}

async function abortById(ctx: CliContext, transactionalId: string): Promise<void> {
  const admin = ctx.admin();
  const [before] = await admin.describeTransactions([transactionalId]);
  if (before!.state !== 'Ongoing') {
    if (ctx.format === 'json') return ctx.json({ transactionalId, aborted: false, state: before!.state });
    return ctx.note(`transactional id ${transactionalId} has no running transaction (state ${before!.state})`);
  }
  // InitProducerId as a new instance: fences the current producer and aborts its transaction.
  const fencer = new Producer({ ...ctx.clientOptions('samsa-cli-abort'), transactionalId, transactionTimeoutMs: before!.transactionTimeoutMs, retries: 20 });
  try {
    await ctx.progress.during('aborting', () => fencer.initTransactions());
  } finally {
    await fencer.close();
  }
  const [after] = await admin.describeTransactions([transactionalId]);
  if (ctx.format === 'json') return ctx.json({ transactionalId, aborted: true, producerId: after!.producerId, producerEpoch: after!.producerEpoch, state: after!.state });
  ctx.out(`aborted the transaction of ${transactionalId} (producer ${before!.producerId} epoch ${before!.producerEpoch} is fenced; now epoch ${after!.producerEpoch})\n`);
}

async function abortHanging(ctx: CliContext, flags: AbortFlags): Promise<void> {
  const admin = ctx.admin();
  const topic = flags.topic!;
  const partition = flags.partition!;
  let target: { producerId: number; producerEpoch: number; coordinatorEpoch: number };
  if (flags.startOffset !== undefined) {
    if (flags.producerId !== undefined) throw new UsageError('--start-offset and --producer-id cannot be combined');
    const producers = await admin.describeProducers({ topic, partition });
    const hanging = producers.find((p) => p.currentTransactionStartOffset === flags.startOffset);
    if (hanging === undefined) throw new CliError(`no producer has a transaction open at offset ${flags.startOffset} of ${topic}-${partition}`);
    target = { producerId: hanging.producerId, producerEpoch: hanging.producerEpoch, coordinatorEpoch: Math.max(0, hanging.coordinatorEpoch) };
  } else {
    if (flags.producerId === undefined || flags.producerEpoch === undefined) throw new UsageError('give --start-offset, or --producer-id and --producer-epoch');
    target = { producerId: flags.producerId, producerEpoch: flags.producerEpoch, coordinatorEpoch: flags.coordinatorEpoch ?? 0 };
  }
  await admin.abortTransaction({ topic, partition, ...target });
  if (ctx.format === 'json') return ctx.json({ topic, partition, aborted: true, ...target });
  ctx.out(`wrote an ABORT marker for producer ${target.producerId} (epoch ${target.producerEpoch}) into ${topic}-${partition}\n`);
}
