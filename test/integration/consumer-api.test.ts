/**
 * The consumer's API against our broker: the async iterator, eachBatch, pause/resume, seek,
 * autoOffsetReset, manual commits, handler errors, regular-expression subscriptions that pick up
 * new topics, and the leader reacting to new partitions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { Admin } from '../../src/client/admin/index.js';
import { Consumer, CONSUMER_CHANNELS, type ConsumerOptions, type HandlerErrorEvent } from '../../src/client/consumer/index.js';
import { Producer } from '../../src/client/producer/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { startSamsaGroupBroker, type GroupBroker } from './consumer-broker.js';

describe('consumer API', { concurrency: 4 }, () => {
  let broker: GroupBroker;
  let producer: Producer;
  before(async () => {
    broker = await startSamsaGroupBroker();
    producer = new Producer({ bootstrapServers: broker.bootstrap, lingerMs: 0 });
  });
  after(async () => {
    await producer.close();
    await broker.stop();
  });

  const consumerFor = (groupId: string, extra: Partial<ConsumerOptions> = {}) =>
    new Consumer({ bootstrapServers: broker.bootstrap, groupId, clientId: groupId, autoOffsetReset: 'earliest', ...broker.consumerTimeouts, ...extra });
  const send = (topic: string, count: number, partition?: number) =>
    producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ partition: partition ?? i % 2, value: `v${i}` })) });

  it('iterates with for await; leaving the loop commits what was processed and closes', { timeout: 20_000 }, async () => {
    await broker.createTopic('api-iter', 1);
    await send('api-iter', 10, 0);
    const consumer = consumerFor('api-iter', { autoCommit: false });
    await consumer.subscribe({ topics: ['api-iter'] });
    const seen: number[] = [];
    for await (const message of consumer) {
      seen.push(message.offset);
      if (seen.length === 6) break;
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5]);
    const check = consumerFor('api-iter');
    assert.deepEqual(await check.committed([{ topic: 'api-iter', partition: 0 }]), [{ topic: 'api-iter', partition: 0, offset: 6 }]);
    await check.close();
  });

  it('eachBatch: batches in order, resolveOffset, commitOffsetsIfNecessary', { timeout: 20_000 }, async () => {
    await broker.createTopic('api-batch', 1);
    await send('api-batch', 20, 0);
    const consumer = consumerFor('api-batch', { autoCommit: false });
    const offsets: number[] = [];
    await consumer.subscribe({ topics: ['api-batch'] });
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, isRunning }) => {
        assert.equal(isRunning(), true);
        for (const m of batch.messages) {
          offsets.push(m.offset);
          if (m.offset < 15) resolveOffset(m.offset);
        }
        await commitOffsetsIfNecessary();
      },
    });
    await waitFor(() => offsets.length >= 20, 10_000, 'twenty records');
    assert.deepEqual(offsets.slice(0, 20), Array.from({ length: 20 }, (_, i) => i));
    assert.deepEqual(await consumer.committed([{ topic: 'api-batch', partition: 0 }]), [{ topic: 'api-batch', partition: 0, offset: 15 }]);
    await consumer.close({ leaveGroup: true });
  });

  it('pause stops a partition, resume continues it; seek moves it', { timeout: 20_000 }, async () => {
    await broker.createTopic('api-pause', 2);
    await send('api-pause', 20);
    const consumer = consumerFor('api-pause');
    const seen: Array<[number, number]> = [];
    await consumer.subscribe({ topics: ['api-pause'] });
    consumer.pause([{ topic: 'api-pause', partitions: [0] }]);
    await consumer.run({ eachMessage: ({ message }) => void seen.push([message.partition, message.offset]) });
    await waitFor(() => seen.length === 10, 10_000, 'partition 1 consumed');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(seen.every(([p]) => p === 1), 'nothing from the paused partition');
    assert.deepEqual(consumer.paused(), [{ topic: 'api-pause', partition: 0 }]);
    consumer.seek({ topic: 'api-pause', partition: 0, offset: 7 });
    consumer.resume([{ topic: 'api-pause' }]);
    await waitFor(() => seen.length === 13, 10_000, 'partition 0 from offset 7');
    assert.deepEqual(seen.slice(10), [[0, 7], [0, 8], [0, 9]]);
    await consumer.close();
  });

  it('autoOffsetReset latest skips what is there; none stops the consumer with OFFSET_OUT_OF_RANGE', { timeout: 20_000 }, async () => {
    await broker.createTopic('api-reset', 1);
    await send('api-reset', 5, 0);
    const latest = consumerFor('api-reset-latest', { autoOffsetReset: 'latest' });
    const seen: string[] = [];
    await latest.subscribe({ topics: ['api-reset'] });
    await latest.run({ eachMessage: ({ message }) => void seen.push(message.value!.toString()) });
    await waitFor(() => latest.assignment().length === 1, 10_000, 'assigned');
    await waitFor(async () => (await latest.committed([{ topic: 'api-reset', partition: 0 }]))[0]!.offset === -1 && seen.length === 0, 2_000, 'nothing consumed');
    await new Promise((r) => setTimeout(r, 300));
    await producer.send({ topic: 'api-reset', messages: [{ partition: 0, value: 'new' }] });
    await waitFor(() => seen.length === 1, 10_000, 'the new record');
    assert.deepEqual(seen, ['new']);
    await latest.close();

    const none = consumerFor('api-reset-none', { autoOffsetReset: 'none' });
    const crashed = new Promise<Error>((resolve) => none.once('crash', resolve));
    await none.subscribe({ topics: ['api-reset'] });
    await none.run({ eachMessage: async () => {} });
    const err = (await crashed) as Error & { code: number };
    assert.equal(err.code, 1);
    await none.close();
  });

  it('a handler that throws gets the same record again after a backoff', { timeout: 20_000 }, async () => {
    await broker.createTopic('api-error', 1);
    await send('api-error', 3, 0);
    const errors: HandlerErrorEvent[] = [];
    const onError = (m: unknown) => errors.push(m as HandlerErrorEvent);
    diagnostics_channel.subscribe(CONSUMER_CHANNELS.handlerError, onError);
    const consumer = consumerFor('api-error', { retryBackoffMs: 20 });
    const seen: number[] = [];
    let failures = 0;
    await consumer.subscribe({ topics: ['api-error'] });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.offset === 1 && failures < 2) {
          failures++;
          throw new Error('boom');
        }
        seen.push(message.offset);
      },
    });
    await waitFor(() => seen.length === 3, 10_000, 'all three processed');
    diagnostics_channel.unsubscribe(CONSUMER_CHANNELS.handlerError, onError);
    assert.deepEqual(seen, [0, 1, 2]);
    assert.deepEqual(errors.filter((e) => e.groupId === 'api-error').map((e) => e.offset), [1, 1]);
    await consumer.close();
  });

  it('a pattern subscription picks up topics created later; the leader rejoins when partitions are added', { timeout: 30_000 }, async () => {
    await broker.createTopic('pat-one', 1);
    const consumer = consumerFor('api-pattern', { metadataMaxAgeMs: 200 });
    const seen = new Set<string>();
    await consumer.subscribe({ pattern: /^pat-/ });
    await consumer.run({ eachMessage: ({ message }) => void seen.add(`${message.topic}/${message.partition}`) });
    await waitFor(() => consumer.assignment().length === 1, 10_000, 'pat-one assigned');
    await broker.createTopic('pat-two', 1);
    await waitFor(() => consumer.assignment().some((tp) => tp.topic === 'pat-two'), 10_000, 'pat-two joined the subscription');
    const admin = new Admin({ bootstrapServers: broker.bootstrap });
    await admin.createPartitions({ topics: [{ name: 'pat-one', count: 3 }] });
    await admin.close();
    await waitFor(() => consumer.assignment().filter((tp) => tp.topic === 'pat-one').length === 3, 10_000, 'new partitions of pat-one assigned');
    await producer.send({ topic: 'pat-one', messages: [{ partition: 2, value: 'x' }] });
    await waitFor(() => seen.has('pat-one/2'), 10_000, 'a record from a new partition');
    await consumer.close();
  });
});
