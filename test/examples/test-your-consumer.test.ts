import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Consumer, Producer } from '../../src/client/index.js';
import { startTestBroker } from '../../src/testing/index.js';

test('every order is billed once, however the group rebalances', async () => {
  const kit = await startTestBroker({ topics: [{ name: 'orders', partitions: 4 }] });
  const producer = new Producer({ bootstrapServers: kit.bootstrap });
  const consumers: Consumer[] = [];
  const billed: string[] = [];
  const startBilling = async (clientId: string) => {
    // heartbeatIntervalMs: 100 so members see a rebalance at once (the default is 3 s).
    const consumer = new Consumer({ bootstrapServers: kit.bootstrap, clientId, groupId: 'billing', autoOffsetReset: 'earliest', heartbeatIntervalMs: 100 });
    consumers.push(consumer);
    await consumer.subscribe({ topics: ['orders'] });
    await consumer.run({ eachMessage: async ({ message }) => void billed.push(message.key!.toString()) });
  };
  const order = (from: number, to: number) =>
    producer.send({ topic: 'orders', messages: Array.from({ length: to - from }, (_, i) => ({ key: `order-${from + i}`, value: '{}' })) });
  const billedAtLeast = async (n: number) => {
    while (new Set(billed).size < n) await sleep(5);
  };

  try {
    await order(0, 100);
    await startBilling('billing-1');
    await billedAtLeast(30);
    await startBilling('billing-2'); // scale out mid-stream: two partitions move
    await order(100, 200);
    await kit.waitForGroup('billing', (g) => g.state === 'Stable' && g.members.length === 2);
    await kit.forceRebalance('billing'); // and once more, as a deploy would
    await order(200, 300);
    await billedAtLeast(300);
    assert.equal(billed.length, 300, 'no order billed twice');
  } finally {
    await Promise.all(consumers.map((c) => c.close()));
    await producer.close();
    await kit.close();
  }
});
