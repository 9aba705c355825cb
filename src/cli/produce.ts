import { createInterface } from 'node:readline';
import { Option, type Command } from 'commander';
import { createProducer, type CompressionName, type RecordMetadata } from '../client/producer/index.js';
import { parseKeyValue } from './args.js';
import { action, CliError, integerArg, withCommonOptions } from './context.js';
import { renderTable } from './output/table.js';

interface ProduceFlags {
  topic: string;
  keySeparator?: string;
  headers?: Array<[string, string]>;
  partition?: number;
  acks: '-1' | '0' | '1' | 'all';
  compression: CompressionName;
}

/** Sends awaited in groups of this many, so a large input never holds every promise at once. */
const IN_FLIGHT_SENDS = 1000;

/** `k=v,k2=v2`. */
function parseHeaders(value: string): Array<[string, string]> {
  return value.split(',').filter((h) => h !== '').map(parseKeyValue);
}

/** `samsa produce --topic T`: one record per stdin line, as kafka-console-producer and kcat -P. */
export function registerProduceCommand(program: Command): void {
  withCommonOptions(program.command('produce')
    .description('send each line of stdin as one record')
    .requiredOption('--topic <topic>', 'the topic')
    .option('--key-separator <sep>', 'each line is key<sep>value (a line without it is an error)')
    .option('--headers <k=v,...>', 'headers added to every record', parseHeaders)
    .option('--partition <n>', 'send every record to this partition (default: by key, or sticky)', integerArg(0))
    .addOption(new Option('--acks <acks>', 'acknowledgement: -1 (all), 1 (leader) or 0 (none)').choices(['-1', '0', '1', 'all']).default('-1'))
    .addOption(new Option('--compression <codec>', 'batch compression').choices(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none')))
    .action(action<ProduceFlags>(async (ctx, flags) => {
      const acks = flags.acks === 'all' ? -1 : (Number(flags.acks) as -1 | 0 | 1);
      const producer = createProducer({ ...ctx.clientOptions('samsa-producer'), acks, compression: flags.compression, maxBlockMs: ctx.flags.requestTimeoutMs ?? 10_000 });
      ctx.onClose(() => producer.close());
      const headers = flags.headers === undefined ? undefined : flags.headers.map(([key, value]) => ({ key, value }));
      const sent: RecordMetadata[] = [];
      let pending: Array<Promise<RecordMetadata[]>> = [];
      const drain = async (): Promise<void> => {
        for (const list of await Promise.all(pending)) sent.push(...list);
        pending = [];
      };
      let lineNo = 0;
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        lineNo++;
        let key: string | null = null;
        let value = line;
        if (flags.keySeparator !== undefined) {
          const at = line.indexOf(flags.keySeparator);
          if (at < 0) throw new CliError(`line ${lineNo} has no key separator "${flags.keySeparator}"`);
          key = line.slice(0, at);
          value = line.slice(at + flags.keySeparator.length);
        }
        const send = producer.send({ topic: flags.topic, messages: [{ key, value, headers, partition: flags.partition }] });
        send.catch(() => {}); // reported by drain(); never an unhandled rejection if we stop early
        pending.push(send);
        if (pending.length >= IN_FLIGHT_SENDS) await drain();
      }
      await producer.flush();
      await drain();
      const summary = summarise(flags.topic, sent);
      if (ctx.format === 'json') return ctx.json(summary);
      ctx.note(`Produced ${summary.records} record${summary.records === 1 ? '' : 's'} to ${flags.topic}.`);
      if (summary.records > 0) ctx.out(renderTable(['TOPIC', 'PARTITION', 'RECORDS', 'FIRST-OFFSET', 'LAST-OFFSET'],
        summary.partitions.map((p) => [flags.topic, p.partition, p.records, p.firstOffset, p.lastOffset]), { style: ctx.style }));
    }));
}

function summarise(topic: string, sent: RecordMetadata[]): { topic: string; records: number; partitions: Array<{ partition: number; records: number; firstOffset: number | null; lastOffset: number | null }> } {
  const byPartition = new Map<number, { records: number; first: number; last: number }>();
  for (const m of sent) {
    const p = byPartition.get(m.partition) ?? { records: 0, first: Infinity, last: -Infinity };
    p.records++;
    p.first = Math.min(p.first, m.offset);
    p.last = Math.max(p.last, m.offset);
    byPartition.set(m.partition, p);
  }
  const partitions = [...byPartition].sort(([a], [b]) => a - b).map(([partition, p]) => ({
    partition,
    records: p.records,
    // acks=0 gets no offsets back (-1).
    firstOffset: p.first < 0 ? null : p.first,
    lastOffset: p.last < 0 ? null : p.last,
  }));
  return { topic, records: sent.length, partitions };
}
