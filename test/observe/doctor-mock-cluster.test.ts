import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import type { DoctorReport } from '../../src/observe/doctor/index.js';
import { samsa } from '../cli/helpers.js';
import { SYSTEM_PYTHON, waitFor } from '../helpers/index.js';
import { startMockCluster, type MockCluster } from '../integration/client-mock-cluster.js';
import { SteadyProducer } from './doctor-support.js';

const CONSUMER = `
import sys
from confluent_kafka import Consumer
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': sys.argv[2], 'auto.offset.reset': 'earliest',
              'enable.auto.commit': True, 'auto.commit.interval.ms': 2000})
c.subscribe([sys.argv[3]])
while True:
    m = c.poll(0.1)
    if m is not None and m.error() is None:
        print(m.offset(), flush=True)
`;

/**
 * `samsa doctor` against librdkafka's mock cluster, a broker Samsa did not write and that has no
 * DescribeGroups or DescribeConfigs: what OffsetFetch and ListOffsets show is still judged (here
 * a librdkafka consumer auto-committing every 2 s), and the report says what it could not see.
 */
describe('doctor: against librdkafka\'s mock cluster', () => {
  let mock: MockCluster;
  let consumer: ChildProcess;
  let producer: SteadyProducer;

  before(async () => {
    mock = await startMockCluster(1);
    const kafka = new Kafka({ clientId: 'doctor-mock', brokers: [mock.bootstrap], logLevel: logLevel.NOTHING });
    producer = await new SteadyProducer(kafka, 'mock-orders', { perTick: 10, tickMs: 100, partitionOf: () => 0 }).start();
    let consumed = 0;
    consumer = spawn(SYSTEM_PYTHON, ['-c', CONSUMER, mock.bootstrap, 'mock-group', 'mock-orders'], { stdio: ['ignore', 'pipe', 'pipe'] });
    consumer.stdout!.on('data', (b: Buffer) => (consumed += b.toString().split('\n').length - 1));
    consumer.stderr!.resume();
    await waitFor(() => consumed > 50, 20_000, 'the librdkafka consumer at work');
    // The doctor judges committed offsets: wait for the consumer's first auto-commit (every 2 s).
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(async () => {
        const [topic] = await admin.fetchOffsets({ groupId: 'mock-group', topics: ['mock-orders'] });
        return topic!.partitions.some((p) => Number(p.offset) >= 0);
      }, 20_000, 'the first commit', 100);
    } finally {
      await admin.disconnect();
    }
  });
  after(async () => {
    consumer?.kill('SIGKILL');
    await producer?.stop();
    await mock?.stop();
  });

  it('measures the commit interval and the skew from offsets alone, and notes what the cluster cannot tell', async () => {
    // The mock answers ListOffsets v4+ wrongly; version 3 is what the other mock-cluster tests use too.
    const r = await samsa(['doctor', '--bootstrap-server', mock.bootstrap, '--max-api-version', 'ListOffsets=3', '--group', 'mock-group', '--window', '7s', '--interval', '200ms', '--format', 'json'], { timeoutMs: 40_000 });
    const report = JSON.parse(r.stdout) as DoctorReport;
    // The mock creates topics with 4 partitions and the producer writes to partition 0 only: skew, a warning.
    assert.equal(r.code, 1, r.stderr);
    const skew = report.findings.find((x) => x.kind === 'skew')!;
    assert.deepEqual([skew.severity, skew.evidence.hotProductionPartition, skew.evidence.productionSharePct, skew.evidence.partitionsInTopic], ['warning', 0, 100, 4]);
    assert.match(skew.fix[0]!, /no key dominates .*the producer picks the partition itself/);
    assert.equal(report.timelineSource, 'none');
    assert.equal(report.summary.state, null);
    assert.match(report.notes.join('\n'), /does not implement DescribeGroups/);
    const f = report.findings.find((x) => x.kind === 'commits-lag-processing')!;
    const interval = f.evidence.commitIntervalMs as number;
    assert.ok(interval >= 1800 && interval <= 2800, `commits about every 2 s: ${interval}`);
    assert.ok((f.evidence.maxStepRecords as number) >= 150, `about 100 records/s between commits: ${f.evidence.maxStepRecords}`);
  });
});
