/**
 * One throughput workload, for quick before/after checks while optimising:
 *   node dist/bench/one.js <system> <records> <recordBytes> [sequential|concurrent] [runs]
 */
import { runThroughput } from './workloads/throughput.js';
import type { SystemName } from './ipc.js';

const [system = 'samsa', records = '1000000', recordBytes = '1024', mode = 'sequential', runs = '3'] = process.argv.slice(2);
for (let i = 0; i < Number(runs); i++) {
  const r = await runThroughput({ system: system as SystemName, records: Number(records), recordBytes: Number(recordBytes), mode: mode as 'sequential' | 'concurrent' });
  console.log(JSON.stringify({
    produced: Math.round(r.producedPerSecond),
    consumed: Math.round(r.consumedPerSecond),
    brokerProduceCpuPerM: r.serverProduceCpuPerM,
    brokerCpuPerM: r.serverCpuPerM,
    producerCpuPerM: r.producerCpuPerM,
    consumersCpuPerM: r.consumersCpuPerM,
  }));
}
process.exit(0);
