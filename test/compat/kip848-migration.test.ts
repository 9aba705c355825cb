import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';
import { CoordinatorEvents, type LineProcess } from './group-support.js';
import { KIP848_BROKER, LoadProducer, owned, records, spawnRdkafkaMember } from './kip848-support.js';

const TOPIC = 'k848-migrate';
const GROUP = 'k848-migrate';
const PARTITIONS = 6;

/**
 * Online migration (group.consumer.migration.policy=bidirectional) with librdkafka 2.15: three
 * classic members (eager range) are restarted one by one as KIP-848 members, then back, while a
 * producer writes. Nothing committed may be lost or read twice: every record is read, and a record
 * read twice was past the last commit when its second reader got the partition.
 */
describe('compat: rolling migration classic -> consumer -> classic with librdkafka 2.15', () => {
  let broker: TestBroker;
  let events: CoordinatorEvents;
  const processes: LineProcess[] = [];
  before(async () => {
    broker = await startTestBroker(KIP848_BROKER);
    events = new CoordinatorEvents(broker.port);
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    events.stop();
    await broker.close();
  });

  it('loses and duplicates nothing that was committed', async (t) => {
    const kafka = new Kafka({ clientId: 'k848-migrate-admin', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await admin.disconnect();
    // The committed offsets as they move (sampled), to judge duplicates.
    const commits: Array<{ t: number; offsets: number[] }> = [];
    const sampler = setInterval(() => {
      commits.push({ t: Date.now(), offsets: [...Array(PARTITIONS).keys()].map((p) => broker.context.groups.coordinator.committedOffset(GROUP, TOPIC, p)) });
    }, 20);
    const load = new LoadProducer(broker, TOPIC, PARTITIONS, 200);
    await load.start();
    const live: LineProcess[] = [];
    const start = (name: string, protocol: 'consumer' | 'classic'): LineProcess => {
      const p = spawnRdkafkaMember(broker, name, GROUP, [TOPIC], undefined, protocol);
      processes.push(p);
      live.push(p);
      return p;
    };
    const allOwned = () => live.reduce((n, p) => n + owned(p).size, 0) === PARTITIONS && live.every((p) => owned(p).size > 0);
    const steps: string[] = [];
    try {
      for (const n of ['a', 'b', 'c']) start(`classic-${n}`, 'classic');
      await waitFor(() => allOwned() && live.every((p) => records(p).length > 20), 60_000, 'three classic members consuming');
      steps.push(`classic group, generation ${broker.context.groups.coordinator.group(GROUP)?.generationId}`);
      for (const [from, to] of [['classic', 'consumer'], ['consumer', 'classic']] as const) {
        for (const n of ['a', 'b', 'c']) {
          const old = live.shift()!;
          old.send('close');
          await old.waitForLine((l) => l.type === 'closed', 30_000, 'closed');
          const next = start(`${to}-${n}`, to);
          await waitFor(() => allOwned() && records(next).length > 0, 60_000, `${next.name} consuming after replacing ${old.name}`);
          const consumerGroup = broker.context.groups.coordinator.consumerGroup(GROUP);
          steps.push(`${old.name} -> ${next.name}: ${consumerGroup === undefined ? 'classic group' : `consumer group epoch ${consumerGroup.groupEpoch} (${consumerGroup.members.filter((m) => m.classic).length} classic members)`}`);
        }
        void from;
      }
      assert.ok(events.of('samsa:coordinator:group-converted', GROUP).some((e) => e.to === 'consumer'), 'upgraded online');
      assert.ok(events.of('samsa:coordinator:group-converted', GROUP).some((e) => e.to === 'classic'), 'downgraded online');
      assert.equal(broker.context.groups.coordinator.consumerGroup(GROUP), undefined, 'a classic group again at the end');
    } catch (err) {
      clearInterval(sampler);
      throw err;
    } finally {
      await load.stop();
    }
    // Every record produced is read.
    const offsets = await kafka.admin();
    await offsets.connect();
    const ends = await offsets.fetchTopicOffsets(TOPIC);
    await offsets.disconnect();
    await waitFor(
      () => ends.every((e) => live.some((p) => records(p, `${TOPIC}-${e.partition}`).some((r) => (r['offset'] as number) === Number(e.high) - 1))),
      30_000,
      'the last records read',
    );
    clearInterval(sampler);
    let duplicates = 0;
    for (let p = 0; p < PARTITIONS; p++) {
      const tp = `${TOPIC}-${p}`;
      const end = Number(ends.find((e) => e.partition === p)!.high);
      const reads = processes.flatMap((proc) => records(proc, tp).map((r) => ({ proc, offset: r['offset'] as number, t: r.t })));
      const seen = new Set(reads.map((r) => r.offset));
      for (let o = 0; o < end; o++) assert.ok(seen.has(o), `${tp}@${o} was never read`);
      const first = new Map<number, (typeof reads)[number]>();
      for (const r of reads.sort((a, b) => a.t - b.t)) {
        const earlier = first.get(r.offset);
        if (earlier === undefined) {
          first.set(r.offset, r);
          continue;
        }
        if (earlier.proc === r.proc) continue;
        duplicates++;
        // The second reader got the partition at its last assign line before the read.
        const assignedAt = r.proc.ofType('assign').filter((l) => l.t <= r.t && (l['partitions'] as string[]).includes(tp)).at(-1)!.t;
        const committedThen = Math.max(...commits.filter((c) => c.t <= assignedAt + 20).map((c) => c.offsets[p]!), -1);
        assert.ok(r.offset >= committedThen, `${tp}@${r.offset} read again by ${r.proc.name} although ${committedThen} was committed when it got the partition`);
      }
    }
    t.diagnostic(`${load.sent} records, ${duplicates} read twice (all past the last commit); ${steps.join('; ')}`);
  });
});
