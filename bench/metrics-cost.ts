/**
 * The cost of observing, alone (the same rows as `npm run bench`'s last table, with more runs):
 *   node dist/bench/metrics-cost.js [--runs 5] [--records 1000000] [--scrape-ms 1000]
 *
 * The Samsa throughput workload (100-byte records, one producer and 3 consumers at once) against
 * a plain broker and against one serving /metrics and the dashboard (`--http-port`, which also
 * subscribes to the broker's request, produce and fetch events and polls the cluster), scraped
 * every second. Runs alternate (plain, observed, plain, ...) so that drift on a shared machine
 * hits both alike; each figure is the median with the range [min–max] of the runs.
 */
import { fmt, spread } from './stats.js';
import { runThroughput, type ThroughputResult } from './workloads/throughput.js';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const runs = Number(argValue('--runs') ?? 5);
const records = Number(argValue('--records') ?? 1_000_000);
const scrapeMs = Number(argValue('--scrape-ms') ?? 1000);

const plain: ThroughputResult[] = [];
const scraped: ThroughputResult[] = [];
for (let run = 0; run < runs; run++) {
  for (const observed of run % 2 === 0 ? [false, true] : [true, false]) {
    process.stderr.write(`run ${run + 1}/${runs}: ${observed ? `/metrics scraped every ${scrapeMs} ms` : 'plain'}\n`);
    const r = await runThroughput({ system: 'samsa', records, recordBytes: 100, mode: 'concurrent', ...(observed ? { scrapeMetricsEveryMs: scrapeMs } : {}) });
    (observed ? scraped : plain).push(r);
    process.stderr.write(`  ${JSON.stringify({ produced: Math.round(r.producedPerSecond), consumed: Math.round(r.consumedPerSecond), brokerCpuPerM: +r.serverCpuPerM.toFixed(3), scrapes: r.metricsScrapes })}\n`);
  }
}

const fields: Array<[string, (r: ThroughputResult) => number, number]> = [
  ['produce records/s', (r) => r.producedPerSecond, 0],
  ['end-to-end records/s', (r) => r.consumedPerSecond, 0],
  ['broker CPU s per million records', (r) => r.serverCpuPerM, 3],
];
const lines = [
  `### Cost of /metrics (Samsa, ${records.toLocaleString('en-US')} x 100 B, producer and 3 consumers at once, ${runs} alternating runs each)`,
  '',
  '| | without | with /metrics scraped | ratio of medians |',
  '|---|---:|---:|---:|',
  ...fields.map(([label, key, digits]) => {
    const a = spread(plain.map(key));
    const b = spread(scraped.map(key));
    return `| ${label} | ${fmt(a, digits)} | ${fmt(b, digits)} | ${(b.median / a.median).toFixed(3)} |`;
  }),
  '',
  // Each observed run against the plain run next to it: drift on a shared machine cancels out better than between medians.
  `Ratios run by run (with / without, pairs run back to back): end to end ${fmt(spread(scraped.map((r, i) => r.consumedPerSecond / plain[i]!.consumedPerSecond)), 3)}, broker CPU per record ${fmt(spread(scraped.map((r, i) => r.serverCpuPerM / plain[i]!.serverCpuPerM)), 3)} (median [min–max]).`,
  `Scrapes per observed run: ${scraped.map((r) => r.metricsScrapes ?? 0).join(', ')}.`,
  '',
];
process.stdout.write(lines.join('\n'));
process.exit(0);
