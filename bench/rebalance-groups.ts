/**
 * The Samsa group protocols side by side, without the rest of the benchmark:
 *   node dist/bench/rebalance-groups.js [--rate 20000] [--runs 3] [--quick] [--failure-only]
 *
 * Scale-out (1 -> 2 -> 3 Samsa-client consumers under a steady producer) and the SIGKILL of one
 * of 3 members, with the classic protocol (eager range, cooperative-sticky) and the KIP-848
 * consumer protocol (the broker's uniform assignor). Prints the same tables as `npm run bench`.
 */
import { rebalanceTable } from './report.js';
import { running, tempDirs } from './servers.js';
import { runRebalance, type RebalanceOptions, type RebalanceResult } from './workloads/rebalance.js';
import { rmSync } from 'node:fs';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes('--quick');
const failureOnly = process.argv.includes('--failure-only');
const rate = Number(argValue('--rate') ?? 20_000);
const runs = Number(argValue('--runs') ?? (quick ? 1 : 3));
const phaseMs = quick ? 1200 : 2500;
const failureTimeoutMs = quick ? 1500 : 3000;

type Plan = Omit<RebalanceOptions, 'ratePerSecond' | 'phaseMs' | 'failureTimeoutMs'>;
const allPlans: Plan[] = [
  { system: 'samsa', label: 'classic, eager (range)', scenario: 'scale', assignor: 'range' },
  { system: 'samsa', label: 'classic, cooperative-sticky', scenario: 'scale', assignor: 'cooperative-sticky' },
  { system: 'samsa', label: 'KIP-848 consumer protocol (uniform)', scenario: 'scale', assignor: 'range', protocol: 'consumer' },
  { system: 'samsa', label: 'classic, eager (range)', scenario: 'failure', assignor: 'range' },
  { system: 'samsa', label: 'classic, cooperative-sticky', scenario: 'failure', assignor: 'cooperative-sticky' },
  { system: 'samsa', label: 'KIP-848 consumer protocol (uniform)', scenario: 'failure', assignor: 'range', protocol: 'consumer' },
  // The same with interval commits every 5 s (autoCommitIntervalMs 5000, the Java and kafkajs default) instead of continuous ones.
  { system: 'samsa', label: 'classic, cooperative-sticky, commits every 5 s', scenario: 'failure', assignor: 'cooperative-sticky', commitIntervalMs: 5000 },
];
const plans = allPlans.filter((p) => !failureOnly || p.scenario === 'failure');

try {
  const rows: RebalanceResult[][] = [];
  for (const p of plans) {
    const results: RebalanceResult[] = [];
    for (let run = 0; run < runs; run++) {
      process.stderr.write(`rebalance-groups: ${p.scenario} ${p.label} at ${rate} records/s, run ${run + 1}/${runs}\n`);
      results.push(await runRebalance({ ...p, ratePerSecond: rate, phaseMs, failureTimeoutMs }));
    }
    rows.push(results);
  }
  const heartbeatMs = Math.max(100, Math.floor(failureTimeoutMs / 6));
  process.stdout.write(
    [
      `## Scale-out: 1 -> 2 -> 3 consumers, one step every ${phaseMs} ms, ${rate} records/s (100 B), median (min-max) of ${runs} runs`,
      '',
      ...(failureOnly ? [] : rebalanceTable(rows, 'scale')),
      '',
      `## Failure: one of 3 consumers SIGKILLed, session timeout ${failureTimeoutMs} ms, heartbeat ${heartbeatMs} ms (both protocols)`,
      '',
      ...rebalanceTable(rows, 'failure'),
      '',
    ].join('\n'),
  );
} catch (err) {
  process.stderr.write(`rebalance-groups: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  for (const child of running) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}
process.exit(0);
