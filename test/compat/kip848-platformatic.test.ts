import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from '../helpers/index.js';
import { startTestBroker, type TestBroker } from '../../src/testing/index.js';
import { CoordinatorEvents } from './group-support.js';
import type { LineProcess } from './group-support.js';
import { KIP848_BROKER, largestGapMs, LoadProducer, owned, records, spawnPlatformaticMember } from './kip848-support.js';

/**
 * @platformatic/kafka 1.x with `groupProtocol: 'consumer'` (KIP-848) against Samsa. It speaks
 * ConsumerGroupHeartbeat v0-1 but has no regex subscriptions (it always sends a null
 * SubscribedTopicRegex), so that scenario is librdkafka's only.
 */
describe('compat: KIP-848 consumer groups with @platformatic/kafka', () => {
  // samsa/testing's broker: the crash test moves the coordinator's clock past the session timeout.
  let broker: TestBroker;
  let kafka: Kafka;
  let events: CoordinatorEvents;
  const processes: LineProcess[] = [];
  before(async () => {
    broker = await startTestBroker(KIP848_BROKER);
    events = new CoordinatorEvents(broker.broker.port);
    kafka = new Kafka({ clientId: 'plt-kip848-admin', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    events.stop();
    await broker.close();
  });

  async function createTopic(topic: string, numPartitions: number): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions }] });
    await admin.disconnect();
  }

  function member(name: string, group: string, topics: string[]): LineProcess {
    const p = spawnPlatformaticMember(broker, name, group, topics);
    processes.push(p);
    return p;
  }

  const view = (group: string) => broker.describeGroup(group);
  const stable = (group: string, members: number) => view(group)?.state === 'Stable' && view(group)!.members.length === members;

  it('three members share six partitions 2-2-2; a fourth joins under load and the staying partitions keep flowing', async (t) => {
    const topic = 'plt-848';
    await createTopic(topic, 6);
    const load = new LoadProducer(broker, topic, 6);
    await load.start();
    try {
      const ms = ['a', 'b', 'c'].map((n) => member(`plt-${n}`, 'plt-848', [topic]));
      await waitFor(() => stable('plt-848', 3) && ms.every((m) => owned(m).size === 2 && records(m).length > 30), 30_000, 'three members consuming two partitions each');
      await new Promise((r) => setTimeout(r, 1500));
      const before = new Map(ms.map((m) => [m, new Set(owned(m))]));
      const joinedAt = Date.now();
      const d = member('plt-d', 'plt-848', [topic]);
      await waitFor(() => stable('plt-848', 4) && owned(d).size > 0 && records(d).length > 0, 30_000, 'the fourth member consuming');
      const settledAt = Date.now();
      await new Promise((r) => setTimeout(r, 1000));
      const moved = ms.flatMap((m) => [...before.get(m)!].filter((tp) => !owned(m).has(tp)));
      assert.equal(moved.length, 1, `partitions moved: ${moved.join(', ')}`);
      const report: string[] = [];
      for (const m of ms) {
        for (const tp of [...owned(m)].filter((x) => before.get(m)!.has(x))) {
          const baseline = largestGapMs(records(m, tp), joinedAt - 1500, joinedAt);
          const during = largestGapMs(records(m, tp), joinedAt, settledAt + 1000);
          report.push(`${tp}: ${baseline} ms before, ${during} ms during`);
          assert.ok(during <= Math.max(1000, 4 * baseline), `a staying partition paused: ${report.join('; ')}`);
        }
      }
      t.diagnostic(`largest pause of each staying partition: ${report.join('; ')}`);
    } finally {
      await load.stop();
    }
  });

  it('a SIGKILLed member’s partitions move to the others after the session timeout (the group clock moved past it)', async () => {
    await createTopic('plt-848-kill', 4);
    const ms = ['a', 'b'].map((n) => member(`plt-kill-${n}`, 'plt-848-kill', ['plt-848-kill']));
    await waitFor(() => stable('plt-848-kill', 2) && ms.every((m) => owned(m).size === 2), 30_000, 'two members');
    await ms[1]!.kill('SIGKILL');
    // Instead of waiting the session timeout out: the coordinator's clock jumps past it. The killed
    // member's connection is closed, so it is not taken to have heartbeated (the broker may see the
    // close a moment after the exit: jump again until it has); the survivor's session is kept.
    await waitFor(async () => {
      await broker.advanceTime(KIP848_BROKER.groupConsumerSessionTimeoutMs);
      return view('plt-848-kill')!.members.length === 1;
    }, 10_000, 'the killed member fenced');
    assert.deepEqual(events.of('samsa:coordinator:consumer-member-removed', 'plt-848-kill').map((e) => e.reason), ['session-timeout']);
    assert.equal(view('plt-848-kill')!.members[0]!.clientId, 'plt-kill-a');
    await waitFor(() => owned(ms[0]!).size === 4, 30_000, 'the survivor owns all four');
  });

  it('partitions added to a subscribed topic are assigned', async () => {
    await createTopic('plt-848-grow', 2);
    const m = member('plt-grow', 'plt-848-grow', ['plt-848-grow']);
    await waitFor(() => owned(m).size === 2, 30_000, 'two partitions');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createPartitions({ topicPartitions: [{ topic: 'plt-848-grow', count: 4 }] });
    await admin.disconnect();
    await waitFor(() => owned(m).size === 4, 30_000, 'four partitions');
  });
});
