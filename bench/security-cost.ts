import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdmin, createConsumer, createProducer, type ClientOptions } from '../src/client/index.js';
import { makeTestCertificates } from '../test/helpers/certs.js';
import { processCpuSeconds } from './servers.js';

/**
 * The cost of TLS and of SASL_SSL (SCRAM-SHA-256) against PLAINTEXT: one broker with the three
 * listeners, the same workload through each (the Samsa client producing `records` records of
 * `recordBytes` with acks=-1, then a consumer group reading them back), broker CPU measured from
 * /proc. A second broker runs with `--authorizer`: the same workload over SASL_SSL as a user
 * granted by prefixed ACLs among a hundred others, so the row shows what enforcing ACLs adds.
 * Run alone with `node dist/bench/security-cost.js [records]`.
 */
export interface SecurityCostRow {
  listener: 'PLAINTEXT' | 'SSL' | 'SASL_SSL' | 'SASL_SSL + ACLs';
  records: number;
  recordBytes: number;
  producedPerSecond: number;
  consumedPerSecond: number;
  brokerCpuSecondsPerMillion: number;
}

const LISTENERS = ['PLAINTEXT', 'SSL', 'SASL_SSL', 'SASL_SSL + ACLs'] as const;

interface BrokerChild {
  child: ReturnType<typeof spawn>;
  ports: Record<string, number>;
  dataDir: string;
}

function startChild(main: string, certs: { serverKeyFile: string; serverCertFile: string }, extra: string[]): Promise<BrokerChild> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-bench-security-'));
  for (const [user, password] of [['bench', 'bench-secret'], ['admin', 'admin-secret']]) {
    spawnSync(process.execPath, [main, 'users', 'add', user!, '--password', password!, '--mechanism', 'SCRAM-SHA-256', '--data-dir', dataDir], { stdio: 'ignore' });
  }
  const child = spawn(process.execPath, [main, 'start', '--data-dir', dataDir, '--log-level', 'warn', '--no-auto-create-topics', '--group-initial-rebalance-delay-ms', '0',
    '--listeners', 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0', '--ssl-key-file', certs.serverKeyFile, '--ssl-cert-file', certs.serverCertFile, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listeners: ([^)]*)\)/.exec(out);
      if (m) resolve({ child, dataDir, ports: Object.fromEntries(m[1]!.split(', ').map((l) => [l.slice(0, l.indexOf(':')), Number(l.slice(l.lastIndexOf(':') + 1))])) });
    });
    child.once('exit', (code) => reject(new Error(`samsa exited with ${code}`)));
  });
}

async function stopChild(b: BrokerChild): Promise<void> {
  b.child.kill('SIGTERM');
  await new Promise((resolve) => b.child.once('exit', resolve));
  rmSync(b.dataDir, { recursive: true, force: true });
}

/** The bench user's rights as ACLs (prefixed, as a team would get them), among 100 ACLs of other principals. */
async function grantBench(sasl: ClientOptions): Promise<void> {
  const admin = createAdmin({ ...sasl, sasl: { mechanism: 'scram-sha-256', username: 'admin', password: 'admin-secret' } });
  const allow = (resourceType: 'topic' | 'group' | 'cluster', resourceName: string, operation: 'all' | 'create', principal = 'User:bench') =>
    ({ resourceType, resourceName, patternType: resourceType === 'cluster' ? 'literal' as const : 'prefixed' as const, principal, host: '*', operation, permission: 'allow' as const });
  await admin.createAcls([
    allow('topic', 'sec-', 'all'),
    allow('group', 'sec-', 'all'),
    allow('cluster', 'kafka-cluster', 'create'),
    ...Array.from({ length: 50 }, (_, i) => allow('topic', `team-${i}-`, 'all', `User:team-${i}`)),
    ...Array.from({ length: 50 }, (_, i) => allow('group', `team-${i}-`, 'all', `User:team-${i}`)),
  ]);
  await admin.close();
}

export async function securityCostRuns(records = 200_000, recordBytes = 1024, runs = 3): Promise<SecurityCostRow[][]> {
  const certs = await makeTestCertificates();
  const main = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  const brokers: BrokerChild[] = [];
  try {
    brokers.push(await startChild(main, certs, []));
    brokers.push(await startChild(main, certs, ['--authorizer', '--super-users', 'User:admin']));
    const ca = readFileSync(certs.caFile);
    await grantBench({ bootstrapServers: `127.0.0.1:${brokers[1]!.ports.SASL_SSL}`, ssl: { ca } });
    const rows: SecurityCostRow[][] = LISTENERS.map(() => []);
    for (let run = 0; run < runs; run++) {
      for (const [i, listener] of LISTENERS.entries()) {
        const withAcls = listener === 'SASL_SSL + ACLs';
        const broker = brokers[withAcls ? 1 : 0]!;
        const port = broker.ports[withAcls ? 'SASL_SSL' : listener];
        const base: ClientOptions = {
          bootstrapServers: `127.0.0.1:${port}`,
          ...(listener !== 'PLAINTEXT' ? { ssl: { ca } } : {}),
          ...(listener.startsWith('SASL_SSL') ? { sasl: { mechanism: 'scram-sha-256', username: 'bench', password: 'bench-secret' } } : {}),
        };
        process.stderr.write(`security cost: ${listener}, run ${run + 1}/${runs}\n`);
        rows[i]!.push(await oneRun(base, broker.child.pid!, listener, `sec-${listener.toLowerCase().replace(/[^a-z]+/g, '-')}-${run}`, records, recordBytes));
      }
    }
    return rows;
  } finally {
    for (const b of brokers) await stopChild(b);
    await certs.remove();
  }
}

async function oneRun(base: ClientOptions, brokerPid: number, listener: SecurityCostRow['listener'], topic: string, records: number, recordBytes: number): Promise<SecurityCostRow> {
  const admin = createAdmin(base);
  await admin.createTopics({ topics: [{ name: topic, numPartitions: 3 }] });
  await admin.close();
  const value = Buffer.alloc(recordBytes, 120);
  const cpuBefore = processCpuSeconds(brokerPid);
  const producer = createProducer({ ...base, acks: -1, batchSize: 256 * 1024 });
  const produceStart = performance.now();
  const chunk = 1000;
  const inFlight: Array<Promise<unknown>> = [];
  for (let sent = 0; sent < records; sent += chunk) {
    inFlight.push(producer.send({ topic, messages: Array.from({ length: Math.min(chunk, records - sent) }, (_, i) => ({ key: String(sent + i), value })) }));
    if (inFlight.length >= 8) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const produceMs = performance.now() - produceStart;
  await producer.close();
  const consumer = createConsumer({ ...base, groupId: `${topic}-g`, autoOffsetReset: 'earliest' });
  await consumer.subscribe({ topics: [topic] });
  const consumeStart = performance.now();
  let consumed = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachBatch: ({ batch }) => {
          consumed += batch.messages.length;
          if (consumed >= records) resolve();
        },
      })
      .catch(reject);
  });
  const consumeMs = performance.now() - consumeStart;
  await consumer.close();
  const cpu = processCpuSeconds(brokerPid) - cpuBefore;
  return { listener, records, recordBytes, producedPerSecond: records / (produceMs / 1000), consumedPerSecond: records / (consumeMs / 1000), brokerCpuSecondsPerMillion: (cpu / records) * 1e6 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A Markdown table of the medians, each relative to PLAINTEXT. */
export function formatSecurityCost(rows: SecurityCostRow[][]): string {
  const m = rows.map((runs) => ({
    listener: runs[0]!.listener,
    produced: median(runs.map((r) => r.producedPerSecond)),
    consumed: median(runs.map((r) => r.consumedPerSecond)),
    cpu: median(runs.map((r) => r.brokerCpuSecondsPerMillion)),
  }));
  const plain = m[0]!;
  const first = rows[0]![0]!;
  let out = `\n### Cost of TLS, SASL_SSL (SCRAM-SHA-256) and ACLs against PLAINTEXT\n\n${first.records} records of ${first.recordBytes} B, Samsa client (acks=-1), medians of ${rows[0]!.length} runs\n\n`;
  out += '| listener | produced/s | vs PLAINTEXT | consumed/s | vs PLAINTEXT | broker CPU s per million records | vs PLAINTEXT |\n|---|---:|---:|---:|---:|---:|---:|\n';
  for (const r of m) {
    out += `| ${r.listener} | ${Math.round(r.produced)} | ${(r.produced / plain.produced).toFixed(2)}x | ${Math.round(r.consumed)} | ${(r.consumed / plain.consumed).toFixed(2)}x | ${r.cpu.toFixed(1)} | ${(r.cpu / plain.cpu).toFixed(2)}x |\n`;
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const records = Number(process.argv[2] ?? 200_000);
  const rows = await securityCostRuns(records, 1024, Number(process.argv[3] ?? 3));
  process.stdout.write(formatSecurityCost(rows));
}
