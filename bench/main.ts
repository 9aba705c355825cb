import { Admin } from '@platformatic/kafka';
import { startBenchBroker, type BenchBroker } from './broker-process.js';
import { kafkajsProduce } from './kafkajs-produce.js';
import { platformaticConsume } from './platformatic-consume.js';
import { platformaticProduce } from './platformatic-produce.js';
import type { Workload, WorkloadContext } from './workload.js';

/**
 * `npm run bench`: produce and consume throughput through a Samsa broker running as its own
 * process (so its CPU time is measured apart from the client's), for 1,000,000 records of 100
 * bytes and of 1 KiB. `--quick` uses 100,000 records; `--records N` and `--runs N` (median of N
 * runs) override. Prints a markdown table. Each workload lives in its own file under bench/.
 */

interface Row {
  client: string;
  workload: string;
  records: number;
  recordBytes: number;
  seconds: number;
  bytes: number;
  brokerCpuSeconds: number;
  clientCpuSeconds: number;
}

const PARTITIONS = 6;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function createTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = new Admin({ clientId: 'bench-admin', bootstrapBrokers: [bootstrap] });
  await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
  await admin.close();
}

async function measure(broker: BenchBroker, workload: Workload, ctx: WorkloadContext): Promise<Row> {
  const brokerBefore = broker.cpuSeconds();
  const clientBefore = process.cpuUsage();
  const startedMs = performance.now();
  const result = await workload.run(ctx);
  const seconds = (performance.now() - startedMs) / 1000;
  const client = process.cpuUsage(clientBefore);
  if (result.records !== ctx.records) throw new Error(`${workload.client} ${workload.name}: ${result.records} records, expected ${ctx.records}`);
  return {
    client: workload.client,
    workload: workload.name,
    records: result.records,
    recordBytes: ctx.recordBytes,
    seconds,
    bytes: result.bytes,
    brokerCpuSeconds: broker.cpuSeconds() - brokerBefore,
    clientCpuSeconds: (client.user + client.system) / 1e6,
  };
}

/** One broker per (client, record size): produce, then (when the client has one) consume the same topic. */
async function runPair(produce: Workload, consume: Workload | null, records: number, recordBytes: number): Promise<Row[]> {
  const broker = await startBenchBroker();
  try {
    const topic = `bench-${recordBytes}`;
    await createTopic(broker.bootstrap, topic);
    const ctx: WorkloadContext = { bootstrap: broker.bootstrap, nodeId: 1, topic, partitions: PARTITIONS, records, recordBytes };
    const rows = [await measure(broker, produce, ctx)];
    if (consume !== null) rows.push(await measure(broker, consume, ctx));
    return rows;
  } finally {
    await broker.stop();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function medianRow(rows: Row[]): Row {
  const bySpeed = [...rows].sort((a, b) => a.seconds - b.seconds);
  const mid = bySpeed[Math.floor(bySpeed.length / 2)]!;
  return { ...mid, brokerCpuSeconds: median(rows.map((r) => r.brokerCpuSeconds)), clientCpuSeconds: median(rows.map((r) => r.clientCpuSeconds)) };
}

function formatTable(rows: Row[]): string {
  const mb = (r: Row): number => r.bytes / 1e6;
  const lines = [
    '| client | workload | records | record size | records/s | MB/s | broker CPU s | broker CPU s/MB | client CPU s |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.client} | ${r.workload} | ${r.records.toLocaleString('en-US')} | ${r.recordBytes} B | ${Math.round(r.records / r.seconds).toLocaleString('en-US')} | ` +
        `${(mb(r) / r.seconds).toFixed(1)} | ${r.brokerCpuSeconds.toFixed(2)} | ${(r.brokerCpuSeconds / mb(r)).toFixed(4)} | ${r.clientCpuSeconds.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const records = Number(argValue('--records') ?? (quick ? 100_000 : 1_000_000));
  const runs = Number(argValue('--runs') ?? 1);
  const plans: Array<[Workload, Workload | null]> = [
    [platformaticProduce, platformaticConsume],
    [kafkajsProduce, null],
  ];
  const rows: Row[] = [];
  for (const recordBytes of [100, 1024]) {
    for (const [produce, consume] of plans) {
      const results: Row[][] = [];
      for (let run = 0; run < runs; run++) {
        process.stderr.write(`bench: ${produce.client} ${records} x ${recordBytes} B, run ${run + 1}/${runs}\n`);
        results.push(await runPair(produce, consume, records, recordBytes));
      }
      for (let i = 0; i < results[0]!.length; i++) rows.push(medianRow(results.map((r) => r[i]!)));
    }
  }
  process.stdout.write(`Samsa broker (separate process, file store, acks=1), ${PARTITIONS} partitions, ${runs === 1 ? 'one run' : `median of ${runs} runs`}\n\n`);
  process.stdout.write(`${formatTable(rows)}\n`);
}

await main();
