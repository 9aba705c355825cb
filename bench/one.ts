/**
 * One throughput workload, for quick before/after checks while optimising:
 *   node dist/bench/one.js <system> <records> <recordBytes> [sequential|concurrent] [runs] [--commit-interval-ms N] [--flush-policy acks-all|interval]
 * `--commit-interval-ms N` gives the Samsa client's consumers interval commits (default: continuous);
 * `--flush-policy` sets the Samsa broker's (default acks-all).
 */
import { runThroughput, type FlushPolicy } from './workloads/throughput.js';
import type { SystemName } from './ipc.js';

const args = process.argv.slice(2);
const flag = args.indexOf('--commit-interval-ms');
const commitIntervalMs = flag >= 0 ? Number(args.splice(flag, 2)[1]) : undefined;
const policyFlag = args.indexOf('--flush-policy');
const flushPolicy = policyFlag >= 0 ? (args.splice(policyFlag, 2)[1] as FlushPolicy) : undefined;
const [system = 'samsa', records = '1000000', recordBytes = '1024', mode = 'sequential', runs = '3'] = args;
for (let i = 0; i < Number(runs); i++) {
  const r = await runThroughput({ system: system as SystemName, records: Number(records), recordBytes: Number(recordBytes), mode: mode as 'sequential' | 'concurrent', ...(commitIntervalMs !== undefined ? { commitIntervalMs } : {}), ...(flushPolicy !== undefined ? { flushPolicy } : {}) });
  console.log(JSON.stringify({
    produced: Math.round(r.producedPerSecond),
    consumed: Math.round(r.consumedPerSecond),
    brokerProduceCpuPerM: r.serverProduceCpuPerM,
    brokerCpuPerM: r.serverCpuPerM,
    producerCpuPerM: r.producerCpuPerM,
    consumersCpuPerM: r.consumersCpuPerM,
    commits: r.commits,
  }));
}
process.exit(0);
