import { spread } from '../stats.js';
import { runThroughput, type ThroughputResult } from './throughput.js';

/**
 * What the Samsa consumer's continuous commits cost: the same end-to-end workload with its default
 * (an asynchronous commit of everything processed as soon as the previous one is answered) and with
 * `autoCommitIntervalMs: 5000` (a commit every 5 s, as kafkajs and the Java client default to),
 * alternated so that load on a shared machine hits both alike.
 */

export interface CommitCostResult {
  records: number;
  recordBytes: number;
  continuous: ThroughputResult[];
  everyFiveSeconds: ThroughputResult[];
}

/** Interval commits of the comparison: Java's and kafkajs's default auto-commit interval. */
const INTERVAL_MS = 5000;

export async function measureCommitCost(records: number, runs: number, say: (line: string) => void): Promise<CommitCostResult> {
  const result: CommitCostResult = { records, recordBytes: 100, continuous: [], everyFiveSeconds: [] };
  const sides = [
    { label: 'continuous commits', runs: result.continuous, commits: {} },
    { label: `commits every ${INTERVAL_MS} ms`, runs: result.everyFiveSeconds, commits: { commitIntervalMs: INTERVAL_MS } },
  ];
  for (let run = 0; run < runs; run++) {
    // Each pair runs in the other order from the one before, so a machine slowing down or speeding
    // up over the workload does not favour one side.
    for (const side of run % 2 === 0 ? sides : [...sides].reverse()) {
      say(`commit cost: samsa ${records} x 100 B, ${side.label}, run ${run + 1}/${runs}`);
      side.runs.push(await runThroughput({ system: 'samsa', records, recordBytes: 100, mode: 'concurrent', ...side.commits }));
    }
  }
  return result;
}

/** Median of `f` over the continuous runs divided by its median over the interval runs. */
function ratioOfMedians(c: CommitCostResult, f: (r: ThroughputResult) => number): number {
  return spread(c.continuous.map(f)).median / spread(c.everyFiveSeconds.map(f)).median;
}

/** Continuous / interval end-to-end records/s (medians); the goal is ≥ 0.95. */
export function commitCostRatio(c: CommitCostResult): number {
  return ratioOfMedians(c, (r) => r.consumedPerSecond);
}

/** Rate ratio of each alternated pair, in the order they ran: their spread shows the run-to-run noise. */
function pairRatios(c: CommitCostResult): number[] {
  return c.continuous.map((r, i) => r.consumedPerSecond / (c.everyFiveSeconds[i]?.consumedPerSecond ?? NaN));
}

/** Median broker + consumers CPU per record, continuous over interval commits. */
function commitCpuRatio(c: CommitCostResult): number {
  return ratioOfMedians(c, (r) => r.serverCpuPerM + r.consumersCpuPerM);
}

export function commitCostTable(c: CommitCostResult): string[] {
  const med = (runs: ThroughputResult[], f: (r: ThroughputResult) => number) => spread(runs.map(f)).median;
  const row = (label: string, runs: ThroughputResult[]) =>
    `| ${label} | ${Math.round(med(runs, (r) => r.consumedPerSecond)).toLocaleString('en-US')} | ${med(runs, (r) => r.p99Ms).toFixed(1)} | ${Math.round(med(runs, (r) => r.commits ?? NaN)).toLocaleString('en-US')} | ${med(runs, (r) => r.serverCpuPerM).toFixed(2)} | ${med(runs, (r) => r.consumersCpuPerM).toFixed(2)} |`;
  return [
    `## Cost of continuous commits (Samsa client, ${c.records.toLocaleString('en-US')} x ${c.recordBytes} B end to end, median of ${c.continuous.length} alternated runs)`,
    '',
    '| consumer commits | consumed rec/s (end to end) | latency p99 ms | offset commits | broker CPU s/M | consumers CPU s/M |',
    '|---|---:|---:|---:|---:|---:|',
    row('continuous, one in flight (default)', c.continuous),
    row(`every ${INTERVAL_MS / 1000} s (autoCommitIntervalMs: ${INTERVAL_MS})`, c.everyFiveSeconds),
    '',
    `Continuous / every ${INTERVAL_MS / 1000} s: ${commitCostRatio(c).toFixed(3)} of the end-to-end rate (alternated pairs: ${pairRatios(c).map((x) => x.toFixed(2)).join(', ')}); broker and consumers CPU per record ${commitCpuRatio(c).toFixed(2)}x, steadier than the rate on a shared machine.`,
    '',
  ];
}
