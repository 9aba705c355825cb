import type { Command } from 'commander';
import { Consumer } from '../client/consumer/index.js';
import { collect } from './args.js';
import { action, integerArg, UsageError, withCommonOptions, type CliContext } from './context.js';
import { PartitionReader, type ReadRecord } from './consume/reader.js';

interface ConsumeFlags {
  topic: string;
  group?: string;
  partition?: number[];
  fromBeginning?: boolean;
  maxMessages?: number;
  timeoutMs?: number;
  printKey?: boolean;
  keySeparator: string;
}

/** How long one fetch may wait at the broker for new records. */
const POLL_WAIT_MS = 500;

/** One record as a JSON line (docs/cli-json.md): bytes as UTF-8 text, null kept. */
export function recordJson(r: ReadRecord): string {
  const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));
  return JSON.stringify({
    topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp,
    key: text(r.key), value: text(r.value), headers: r.headers.map((h) => ({ key: h.key, value: text(h.value) })),
  });
}

function recordLine(r: ReadRecord, flags: ConsumeFlags): string {
  const value = r.value === null ? 'null' : r.value.toString('utf8');
  if (!flags.printKey) return value;
  return `${r.key === null ? 'null' : r.key.toString('utf8')}${flags.keySeparator}${value}`;
}

/** Counts records, prints them, and says when to stop (max messages, idle timeout, Ctrl-C). */
class Session {
  printed = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private finish!: () => void;
  readonly done = new Promise<void>((resolve) => (this.finish = resolve));
  stopped = false;
  /** Set when the consumer gave up (its crash event): the command fails with it. */
  failure: Error | null = null;

  constructor(private readonly ctx: CliContext, private readonly flags: ConsumeFlags) {
    const onSignal = (): void => this.stop();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    ctx.onClose(async () => {
      this.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
    this.armIdle();
  }

  /** Prints `r` if the session still wants records; false once it has enough. */
  print(r: ReadRecord): boolean {
    if (this.stopped) return false;
    process.stdout.write((this.ctx.format === 'json' ? recordJson(r) : recordLine(r, this.flags)) + '\n');
    this.printed++;
    this.armIdle();
    if (this.flags.maxMessages !== undefined && this.printed >= this.flags.maxMessages) this.stop();
    return true;
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.stop();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.finish();
  }

  private armIdle(): void {
    if (this.flags.timeoutMs === undefined) return;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), this.flags.timeoutMs);
  }
}

/** `samsa consume --topic T`: print records, from a group (committing) or straight from partitions. */
export function registerConsumeCommand(program: Command): void {
  withCommonOptions(program.command('consume')
    .description('print a topic\'s records, one per line (--format json: one JSON object per line)')
    .requiredOption('--topic <topic>', 'the topic')
    .option('--group <group>', 'consume as a member of this group, committing what was printed')
    .option('--partition <n>', 'only these partitions (repeatable; not with --group)', collect(integerArg(0)))
    .option('--from-beginning', 'start at the log start when there is no committed offset (default: the log end)')
    .option('--max-messages <n>', 'exit after printing this many records', integerArg(1))
    .option('--timeout-ms <ms>', 'exit when no record arrived for this long', integerArg(1))
    .option('--print-key', 'print key<separator>value (table format)')
    .option('--key-separator <sep>', 'separator for --print-key', '\t'))
    .action(action<ConsumeFlags>(async (ctx, flags) => {
      if (flags.group !== undefined && flags.partition !== undefined) throw new UsageError('--partition cannot be used with --group (the group assigns partitions)');
      const session = new Session(ctx, flags);
      if (flags.group !== undefined) await consumeWithGroup(ctx, flags, flags.group, session);
      else await consumeWithoutGroup(ctx, flags, session);
      if (ctx.format !== 'json') ctx.note(`Processed a total of ${session.printed} message${session.printed === 1 ? '' : 's'}`);
    }));
}

async function consumeWithoutGroup(ctx: CliContext, flags: ConsumeFlags, session: Session): Promise<void> {
  const reader = await PartitionReader.open(ctx.admin(), flags.topic, { partitions: flags.partition, fromBeginning: flags.fromBeginning === true });
  while (!session.stopped) {
    const polled = await Promise.race([reader.poll(POLL_WAIT_MS), session.done.then(() => [] as ReadRecord[])]);
    for (const r of polled) if (!session.print(r)) break;
  }
}

async function consumeWithGroup(ctx: CliContext, flags: ConsumeFlags, groupId: string, session: Session): Promise<void> {
  const consumer = new Consumer({
    ...ctx.clientOptions('samsa-consumer'),
    groupId,
    autoOffsetReset: flags.fromBeginning ? 'earliest' : 'latest',
  });
  ctx.onClose(() => consumer.close());
  consumer.on('crash', (err: Error) => session.fail(err));
  await consumer.subscribe({ topics: [flags.topic] });
  // Offsets are resolved one printed record at a time, so a commit (auto, or the one on close)
  // never covers a record that was fetched but not printed.
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset }) => {
      for (const m of batch.messages) {
        if (!session.print(m)) return;
        resolveOffset(m.offset);
      }
    },
  });
  await session.done;
  if (session.failure !== null) throw session.failure;
  await consumer.close();
}
