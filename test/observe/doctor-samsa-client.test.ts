import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createConsumer, createProducer, type Admin } from '../../src/client/index.js';
import { startTestBroker, type TestBroker } from '../helpers/index.js';
import { findingOf, runDoctor, samsaAdmin } from './doctor-support.js';

const HOUR_MS = 3_600_000;

/**
 * `samsa doctor` and retention, with Samsa's own producer and consumer: records older than the
 * topic's retention.ms that the group has not read are first "deletable" (ListOffsets by
 * timestamp finds them), then, after the retention pass, "lost" (the committed offset is below
 * the log start).
 */
describe('doctor: retention overtaking a group (Samsa client)', () => {
  let broker: TestBroker;
  let admin: Admin;

  before(async () => {
    broker = await startTestBroker({ durable: true });
    admin = samsaAdmin(broker);
  });
  after(async () => {
    await admin.close();
    await broker.close();
  });

  it('reports unread records past retention.ms as deletable, then as lost once retention deleted them', async () => {
    // Small segments, so every old record sits in a closed segment that retention can delete.
    await admin.createTopics({ topics: [{ name: 'aged', numPartitions: 1, configs: { 'segment.bytes': '1024', 'retention.ms': String(HOUR_MS) } }] });
    const producer = createProducer({ bootstrapServers: broker.bootstrap, clientId: 'aged-producer' });
    await producer.connect();
    const twoHoursAgo = Date.now() - 2 * HOUR_MS;
    for (let i = 0; i < 10; i++) await producer.send({ topic: 'aged', messages: [{ partition: 0, value: Buffer.alloc(600, i), timestamp: twoHoursAgo + i }] });
    for (let i = 0; i < 5; i++) await producer.send({ topic: 'aged', messages: [{ partition: 0, value: Buffer.alloc(600, i) }] });
    await producer.close();

    // The group reads three records, commits 3 and goes away.
    const consumer = createConsumer({ bootstrapServers: broker.bootstrap, groupId: 'aged-group', clientId: 'aged-consumer', autoCommit: false, commitOnRevoke: false });
    await consumer.connect();
    await consumer.subscribe({ topics: ['aged'], fromBeginning: true });
    let thirdRead!: () => void;
    const third = new Promise<void>((resolve) => (thirdRead = resolve));
    await consumer.run({ eachMessage: ({ message }) => { if (message.offset === 2) thirdRead(); } });
    await third;
    await consumer.commit([{ topic: 'aged', partition: 0, offset: 3 }]);
    await consumer.close();

    const before = await runDoctor(broker, admin, 'aged-group', { windowMs: 600 });
    const deletable = findingOf(before, 'retention-overtaking');
    assert.equal(deletable.severity, 'critical');
    assert.deepEqual([deletable.evidence.deletableRecords, deletable.evidence.lostRecords, deletable.evidence.retentionMs], [7, 0, HOUR_MS], 'offsets 3..9 are older than an hour');

    const deleted = await broker.enforceRetention();
    assert.ok(deleted > 0, 'the retention pass deleted segments');
    const [lag] = await admin.lag('aged-group');
    assert.ok(lag!.logStartOffset > 3);
    const after = await runDoctor(broker, admin, 'aged-group', { windowMs: 600 });
    const lost = findingOf(after, 'retention-overtaking');
    assert.deepEqual([lost.severity, lost.evidence.lostRecords, lost.evidence.committedOffsets, lost.evidence.logStartOffsets],
      ['critical', lag!.logStartOffset - 3, { 'aged/0': 3 }, { 'aged/0': lag!.logStartOffset }]);
    assert.match(lost.title, new RegExp(`retention deleted ${lag!.logStartOffset - 3} records the group had not read`));
  });
});
