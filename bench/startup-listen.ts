import { measureStartup, startupTable } from './workloads/startup.js';

/**
 * How fast `samsa start` prints its listen line, and how long an embedded broker takes to start
 * (`npm run bench` runs the same, 10 runs in full mode, 3 in the quick one):
 *
 *   npm run build && node dist/bench/startup-listen.js [--runs 10] [--partitions 10000]
 *
 * What each row measures is in workloads/startup.ts. Ratios to `node -e 0` are the figures to
 * compare across machines.
 */

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const result = await measureStartup(argValue('--runs', 10), argValue('--partitions', 10_000), (line) => process.stderr.write(`startup-listen: ${line}\n`));
console.log(`\n${startupTable(result).join('\n')}`);
