/**
 * The compaction workload alone, for before/after checks on the cleaner:
 *   node dist/bench/compaction.js [records] [runs]
 */
import { compactionSection } from './report.js';
import { runCompaction, type CompactionResult } from './workloads/compaction.js';

const records = Number(process.argv[2] ?? 200_000);
const runs: CompactionResult[] = [];
for (let i = 0; i < Number(process.argv[3] ?? 1); i++) runs.push(await runCompaction(records));
process.stdout.write(compactionSection(runs).join('\n') + '\n');
process.exit(0);
