import { Option, type Command } from 'commander';
import { DEFAULT_DATA_DIR } from '../broker/config.js';
import { repairPartition, verifyDataDir, type DataDirCheck, type RepairReport } from '../broker/storage-tools.js';
import { action, integerArg, type CliContext } from './context.js';
import { renderTable } from './output/table.js';

/** `samsa storage verify` exit code when damage was found (0: healthy; 1: could not check). */
export const EXIT_DAMAGED = 3;

function withStorageOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', `the broker's data dir (default: ${DEFAULT_DATA_DIR})`)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'));
}

const range = (first: number, last: number | null): string => (last === null || last === first ? String(first) : `${first}-${last}`);

function printCheck(ctx: CliContext, check: DataDirCheck): void {
  const rows = check.partitions.map((p) => [p.dirName, p.status, p.segments, p.bytes, p.batches, p.logStartOffset, p.logEndOffset, p.recoveryPoint]);
  ctx.out(renderTable(['PARTITION', 'STATUS', 'SEGMENTS', 'BYTES', 'BATCHES', 'LOG-START-OFFSET', 'LOG-END-OFFSET', 'RECOVERY-POINT'], rows, { style: ctx.style }));
  const problems: string[] = [];
  for (const p of check.partitions) {
    for (const d of p.damaged) problems.push(`${p.dirName}: damaged: ${d.file || '(no file)'} bytes ${d.position}-${d.position + d.bytes}: offsets ${range(d.firstOffset, d.lastOffset)} (${d.reason})`);
    if (p.tornTail !== null) problems.push(`${p.dirName}: torn tail past the recovery point: ${p.tornTail.file} from byte ${p.tornTail.position} (${p.tornTail.bytes} bytes, offsets from ${p.tornTail.firstOffset}); a start-up truncates it`);
  }
  if (problems.length > 0) ctx.out('\n' + problems.join('\n') + '\n');
}

function printRepair(ctx: CliContext, report: RepairReport): void {
  if (report.lost.length === 0 && report.tornTail === null) {
    ctx.out(`${report.dirName}: nothing to repair (log end offset ${report.logEndOffset})\n`);
    return;
  }
  if (report.lost.length > 0) {
    const rows = report.lost.map((l) => [range(l.firstOffset, l.lastOffset), l.file, `${l.position}-${l.position + l.bytes}`, l.movedTo, l.reason]);
    ctx.out(renderTable(['LOST-OFFSETS', 'FILE', 'BYTES', 'MOVED-TO', 'REASON'], rows, { style: ctx.style }));
  }
  if (report.tornTail !== null) ctx.out(`truncated a torn tail past the recovery point: ${report.tornTail.file} from byte ${report.tornTail.position} (offsets from ${report.tornTail.firstOffset})\n`);
  ctx.out(`${report.dirName}: repaired; log end offset ${report.logEndOffset} (offsets are never handed out twice)\n`);
}

/** `samsa storage verify | repair`: offline checks of a broker's data dir (the broker must be stopped). */
export function registerStorageCommand(program: Command): void {
  const storage = program.command('storage').description("check or repair a stopped broker's data dir");

  withStorageOptions(storage.command('verify')
    .description(`check every segment of every partition (lengths, offsets, CRCs) against its recovery point; exit code ${EXIT_DAMAGED} when damage is found`))
    .action(action<{ dataDir?: string }>(async (ctx, flags) => {
      const check = await verifyDataDir(flags.dataDir ?? DEFAULT_DATA_DIR);
      if (ctx.format === 'json') ctx.json(check);
      else printCheck(ctx, check);
      const damaged = check.partitions.filter((p) => p.status === 'damaged').length;
      ctx.note(`${check.partitions.length} partitions checked: ${damaged} damaged, ${check.partitions.filter((p) => p.status === 'torn-tail').length} with a torn tail`);
      if (damaged > 0) process.exitCode = EXIT_DAMAGED;
    }));

  withStorageOptions(storage.command('repair')
    .description('repair a damaged partition: keep its valid batches, move the damaged bytes aside to files named after them, keep the log end')
    .requiredOption('--topic <topic>', 'the topic')
    .requiredOption('--partition <n>', 'the partition', integerArg(0)))
    .action(action<{ dataDir?: string; topic: string; partition: number }>(async (ctx, flags) => {
      const report = await repairPartition(flags.dataDir ?? DEFAULT_DATA_DIR, `${flags.topic}-${flags.partition}`);
      if (ctx.format === 'json') ctx.json(report);
      else printRepair(ctx, report);
    }));
}
