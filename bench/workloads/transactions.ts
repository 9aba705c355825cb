import { createAdmin, createProducer, type Producer } from '../../src/client/index.js';
import { nowMs } from '../common.js';
import { startSamsa } from '../servers.js';

/**
 * Transactional against idempotent-only produce on the same workload: `records` keyed records of
 * `recordBytes` to a 6-partition topic of a Samsa broker (its own process, data on disk, acks=-1
 * with fdatasync), sent by the Samsa producer in chunks of 1,000 records with up to 8 chunks in
 * flight. Idempotent-only sends without pause; transactional wraps every `recordsPerTransaction`
 * records in a transaction and waits for each commit (markers in every partition it touched,
 * fsynced) before starting the next, as a consume-transform-produce loop would.
 */

export interface TransactionsResult {
  label: string;
  records: number;
  recordBytes: number;
  /** null: idempotent-only. */
  recordsPerTransaction: number | null;
  producedPerSecond: number;
  producedMBPerSecond: number;
  transactionsPerSecond: number | null;
  serverCpuPerM: number;
  producerCpuPerM: number;
  /** Offsets taken by transaction markers (log end - records). */
  markers: number;
}

const PARTITIONS = 6;
const CHUNK = 1000;
const IN_FLIGHT = 8;

export async function runTransactions(o: { records: number; recordBytes: number; recordsPerTransaction: number | null }): Promise<TransactionsResult> {
  const server = await startSamsa();
  const bootstrapServers = `${server.host}:${server.port}`;
  const admin = createAdmin({ bootstrapServers, clientId: 'bench-admin' });
  let producer: Producer | null = null;
  try {
    await admin.createTopics({ topics: [{ name: 'bench-txn', numPartitions: PARTITIONS }] });
    const txn = o.recordsPerTransaction;
    producer = createProducer({
      bootstrapServers, clientId: 'bench-txn-producer', acks: -1, batchSize: 256 * 1024,
      ...(txn !== null ? { transactionalId: 'bench-txn' } : {}),
    });
    await producer.connect();
    if (txn !== null) await producer.initTransactions();
    const value = Buffer.alloc(o.recordBytes, 120);
    const chunk = (start: number) => Array.from({ length: Math.min(CHUNK, o.records - start) }, (_, i) => ({ key: `k${start + i}`, value }));
    const server0 = server.cpuSeconds();
    const cpu0 = process.cpuUsage();
    const startedMs = nowMs();
    let transactions = 0;
    const span = txn ?? o.records;
    for (let from = 0; from < o.records; from += span) {
      const to = Math.min(o.records, from + span);
      if (txn !== null) producer.beginTransaction();
      const inFlight = new Set<Promise<unknown>>();
      for (let start = from; start < to; start += CHUNK) {
        const sent = producer.send({ topic: 'bench-txn', messages: chunk(start).slice(0, to - start) });
        inFlight.add(sent);
        void sent.finally(() => inFlight.delete(sent));
        if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      if (txn !== null) {
        await producer.commitTransaction();
        transactions++;
      }
    }
    const seconds = (nowMs() - startedMs) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const serverCpu = server.cpuSeconds() - server0;
    const ends = await admin.listOffsets({ topic: 'bench-txn' });
    const perM = (s: number) => (s / o.records) * 1e6;
    return {
      label: txn === null ? 'idempotent only' : `transactional, ${txn.toLocaleString('en-US')} records per transaction`,
      records: o.records,
      recordBytes: o.recordBytes,
      recordsPerTransaction: txn,
      producedPerSecond: o.records / seconds,
      producedMBPerSecond: (o.records * o.recordBytes) / 1e6 / seconds,
      transactionsPerSecond: txn === null ? null : transactions / seconds,
      serverCpuPerM: perM(serverCpu),
      producerCpuPerM: perM((cpu.user + cpu.system) / 1e6),
      markers: ends.reduce((n, p) => n + p.offset, 0) - o.records,
    };
  } finally {
    await producer?.close().catch(() => undefined);
    await admin.close().catch(() => undefined);
    await server.stop();
  }
}
