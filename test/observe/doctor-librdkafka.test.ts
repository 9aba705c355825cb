import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Kafka } from 'kafkajs';
import type { Admin } from '../../src/client/admin/index.js';
import type { DoctorReport } from '../../src/observe/doctor/index.js';
import { startObserveServer } from '../../src/observe/index.js';
import { samsa } from '../cli/helpers.js';
import { runKcat, startTestBroker, SYSTEM_PYTHON, waitFor, type TestBroker } from '../helpers/index.js';
import { findingOf, kafkaFor, runDoctor, samsaAdmin, SteadyProducer } from './doctor-support.js';

/** A librdkafka consumer with interval auto-commit (kcat -G keeps librdkafka's 5 s whatever -X says). */
const AUTO_COMMIT_CONSUMER = `
import sys
from confluent_kafka import Consumer
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': sys.argv[2], 'auto.offset.reset': 'earliest',
              'enable.auto.commit': True, 'auto.commit.interval.ms': 2000, 'heartbeat.interval.ms': 100, 'session.timeout.ms': 6000})
c.subscribe([sys.argv[3]])
while True:
    c.poll(0.1)
`;

/**
 * `samsa doctor` against groups of librdkafka consumers (kcat 1.7.1, librdkafka 2.0.2): a group
 * whose consumers are gone, a member that comes and goes (churn), interval auto-commit; and the
 * command itself: JSON on stdout and the exit code by severity.
 */
describe('doctor: conditions created with kcat (librdkafka)', () => {
  let broker: TestBroker;
  let kafka: Kafka;
  let admin: Admin;
  const children: ChildProcess[] = [];

  before(async () => {
    broker = await startTestBroker();
    kafka = kafkaFor(broker);
    admin = samsaAdmin(broker);
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await admin.close();
    await broker.close();
  });

  async function produce(topic: string, count: number, partitions: number): Promise<void> {
    const p = kafka.producer();
    await p.connect();
    await p.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ partition: i % partitions, value: `v${i}` })) });
    await p.disconnect();
  }

  /** kcat -G reading until stopped; its output is drained and dropped. */
  function kcatMember(groupId: string, topic: string, extra: string[] = []): ChildProcess {
    const child = spawn('kcat', ['-b', broker.bootstrap, '-G', groupId, '-X', 'auto.offset.reset=earliest', '-X', 'heartbeat.interval.ms=100', '-X', 'session.timeout.ms=6000', '-q', '-f', '%o\\n', ...extra, topic], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.resume();
    child.stderr!.resume();
    children.push(child);
    return child;
  }

  async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM'); // kcat leaves the group and commits on SIGTERM
    await exited;
  }

  const kcatOnce = (groupId: string, topic: string) =>
    runKcat(['-b', broker.bootstrap, '-G', groupId, '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%o\\n', topic], { timeoutMs: 30_000 });

  it('no owner: kcat consumed and left, records keep coming; the CLI says so in JSON and exits 2', async () => {
    await admin.createTopics({ topics: [{ name: 'orphan', numPartitions: 2 }] });
    await produce('orphan', 40, 2);
    await kcatOnce('orphan-group', 'orphan');
    await produce('orphan', 30, 2);
    const report = await runDoctor(broker, admin, 'orphan-group', { windowMs: 1000 });
    const f = findingOf(report, 'no-owner');
    assert.deepEqual([f.evidence.members, f.evidence.state, f.evidence.recordsWaiting, f.evidence.unownedPartitions], [0, 'Empty', 30, 2]);
    assert.equal(report.exitCode, 2);

    const cli = await samsa(['doctor', '--bootstrap-server', broker.bootstrap, '--group', 'orphan-group', '--window', '1s', '--format', 'json']);
    assert.equal(cli.code, 2, cli.stderr);
    const json = JSON.parse(cli.stdout) as DoctorReport;
    assert.deepEqual([json.status, json.exitCode, json.findings[0]!.kind, json.findings[0]!.evidence.recordsWaiting], ['critical', 2, 'no-owner', 30]);
    assert.equal(json.timelineSource, 'inferred', 'without --http-url the timeline is inferred');

    const table = await samsa(['doctor', '--bootstrap-server', broker.bootstrap, '--group', 'orphan-group', '--window', '1s']);
    assert.equal(table.code, 2);
    assert.match(table.stdout, /1\. CRITICAL no-owner: the group has no members: 30 records wait on 2 partitions/);
    assert.match(table.stdout, /fix: start the group's consumers/);
  });

  it('exit code 0 for a group that has read everything, 3 for a group that does not exist', async () => {
    await admin.createTopics({ topics: [{ name: 'done', numPartitions: 1 }] });
    await produce('done', 10, 1);
    await kcatOnce('done-group', 'done');
    const ok = await samsa(['doctor', '--bootstrap-server', broker.bootstrap, '--group', 'done-group', '--window', '1s', '--format', 'json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual((JSON.parse(ok.stdout) as DoctorReport).findings, []);
    const missing = await samsa(['doctor', '--bootstrap-server', broker.bootstrap, '--group', 'no-such-group', '--window', '1s']);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /group "no-such-group" does not exist/);
  });

  it('rebalance churn: a member that keeps joining and leaving, with reasons, pauses and remedies', async () => {
    await admin.createTopics({ topics: [{ name: 'churn', numPartitions: 2 }] });
    await produce('churn', 20, 2);
    const stayer = kcatMember('churn-group', 'churn');
    await waitFor(async () => {
      const [d] = await admin.describeGroups(['churn-group']);
      return d!.state === 'Stable' && d!.members.length === 1 && d!.members[0]!.assignment?.[0]?.partitions.length === 2;
    }, 20_000, 'the staying member owns both partitions');
    // Twice: a second member joins, reads its partition to the end and leaves.
    await kcatOnce('churn-group', 'churn');
    await kcatOnce('churn-group', 'churn');
    await waitFor(async () => (await admin.describeGroups(['churn-group']))[0]!.members.length === 1, 20_000, 'back to one member');
    const report = await runDoctor(broker, admin, 'churn-group', { windowMs: 1000 });
    const f = findingOf(report, 'rebalance-churn');
    const history = broker.context.timeline.history('churn-group').filter((e) => e.kind === 'rebalance' && e.membersBefore.length > 0);
    assert.equal(f.evidence.rebalances, history.length);
    // Two joins and two departures; a departure and the next join may share one rebalance.
    assert.ok(history.length >= 3, `rebalances: ${history.length}`);
    const reasons = f.evidence.reasons as Record<string, number>;
    assert.ok(reasons['member-joined']! >= 2 && reasons['member-left']! >= 1, JSON.stringify(reasons));
    assert.equal(f.evidence.totalPauseMs, history.reduce((n, e) => n + e.pause.maxMs, 0));
    assert.equal(f.evidence.eagerRebalances, history.length, 'librdkafka\'s default assignors are eager');
    assert.equal(f.evidence.timelineSource, 'coordinator');
    assert.match(f.fix.join('\n'), /group\.instance\.id/);
    assert.match(f.fix.join('\n'), /cooperative-sticky/);

    // The command reads the same exact history from the broker's HTTP API.
    const server = await startObserveServer({ admin, port: 0, broker, pollIntervalMs: 60_000 });
    try {
      const cli = await samsa(['doctor', '--bootstrap-server', broker.bootstrap, '--group', 'churn-group', '--window', '1s', '--http-url', server.url, '--format', 'json']);
      const json = JSON.parse(cli.stdout) as DoctorReport;
      assert.equal(json.timelineSource, 'coordinator');
      const churn = json.findings.find((x) => x.kind === 'rebalance-churn')!;
      // Later, so the same pauses are a smaller share of a longer history: the severity may be lower.
      assert.equal(cli.code, churn.severity === 'critical' ? 2 : 1, cli.stderr);
      assert.deepEqual([churn.evidence.rebalances, churn.evidence.reasons], [f.evidence.rebalances, f.evidence.reasons]);
    } finally {
      await server.close();
    }
    await stop(stayer);
  });

  it('commits lagging processing: librdkafka (confluent-kafka-python) auto-commits every 2 s; the doctor measures the interval and the re-delivery', async () => {
    await admin.createTopics({ topics: [{ name: 'autocommit', numPartitions: 1 }] });
    const p = await new SteadyProducer(kafka, 'autocommit', { perTick: 10, tickMs: 100, partitionOf: () => 0 }).start();
    const member = spawn(SYSTEM_PYTHON, ['-c', AUTO_COMMIT_CONSUMER, broker.bootstrap, 'autocommit-group', 'autocommit'], { stdio: ['ignore', 'ignore', 'pipe'] });
    member.stderr!.resume();
    children.push(member);
    await waitFor(async () => (await admin.lag('autocommit-group')).some((l) => l.committedOffset > 0), 20_000, 'a first commit');
    const report = await runDoctor(broker, admin, 'autocommit-group', { windowMs: 7000, historyMs: 7000 });
    const f = findingOf(report, 'commits-lag-processing');
    const e = f.evidence as Record<string, number>;
    assert.ok(e.commitIntervalMs! >= 1800 && e.commitIntervalMs! <= 2800, `commits about every 2 s: ${e.commitIntervalMs}`);
    // About 100 records/s for 2 s between commits.
    assert.ok(e.maxStepRecords! >= 150 && e.maxStepRecords! <= 350, `steps of about 200 records: ${e.maxStepRecords}`);
    assert.equal(e.duplicatesAfterCrash, e.maxStepRecords, 'one partition: its largest step');
    assert.equal(f.severity, 'info', 'below 1000 records a crash');
    member.kill('SIGKILL');
    await p.stop();
  });
});
