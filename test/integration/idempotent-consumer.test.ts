import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createAdmin, createConsumer, createProducer, FileDedupeStore, idempotentHandler, MemoryDedupeStore,
  type Admin, type Consumer, type EachMessagePayload,
} from '../../src/client/index.js';
import { makeTempDir, startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';

const rec = (offset: number, key: string | null = null) => ({ topic: 't', partition: 0, offset, key });

describe('FileDedupeStore: durable and atomic', () => {
  it('remembers across a reopen, from the journal and from a compacted snapshot', async () => {
    const dir = await makeTempDir('dedupe-');
    try {
      const path = join(dir.path, 'processed.json');
      const a = await FileDedupeStore.open({ path, compactEveryRecords: 3 });
      for (let i = 0; i < 5; i++) await a.markProcessed(rec(i, `k${i}`));
      await a.close();
      assert.ok(existsSync(path), 'three records made a snapshot');
      assert.equal(readFileSync(`${path}.journal`, 'utf8').split('\n').filter((l) => l !== '').length, 2, 'two after it in the journal');
      const b = await FileDedupeStore.open({ path });
      assert.equal(await b.isProcessed(rec(4)), true);
      assert.equal(await b.isProcessed(rec(5)), false);
      assert.equal(await b.isProcessed(rec(99, 'k1')), true, 'a key from the snapshot');
      await b.close();
    } finally {
      await dir.remove();
    }
  });

  it('drops a torn last journal line (a crash mid-write) and keeps appending after the good ones', async () => {
    const dir = await makeTempDir('dedupe-');
    try {
      const path = join(dir.path, 'processed.json');
      const a = await FileDedupeStore.open({ path });
      await a.markProcessed(rec(0));
      await a.markProcessed(rec(1));
      await a.close();
      appendFileSync(`${path}.journal`, '["t",0,2,nu'); // the write of offset 2 never finished
      writeFileSync(`${path}.tmp`, '{"offsets":{"t/0":1000}'); // nor did a snapshot
      const b = await FileDedupeStore.open({ path });
      assert.equal(await b.isProcessed(rec(1)), true);
      assert.equal(await b.isProcessed(rec(2)), false, 'the torn record counts as not processed');
      await b.markProcessed(rec(2));
      await b.close();
      assert.equal(existsSync(`${path}.tmp`), false, 'the unfinished snapshot is discarded');
      const c = await FileDedupeStore.open({ path });
      assert.equal(await c.isProcessed(rec(2)), true, 'the line after the cut is readable');
      await c.close();
    } finally {
      await dir.remove();
    }
  });
});

describe('idempotent consumer: re-delivered records run the handler once', () => {
  let broker: TestBroker;
  let admin: Admin;
  before(async () => {
    broker = await startTestBroker();
    admin = createAdmin({ bootstrapServers: broker.bootstrap, clientId: 'idem-admin' });
  });
  after(async () => {
    await admin.close();
    await broker.close();
  });

  async function produce(topic: string, count: number, partitions: number): Promise<void> {
    const p = createProducer({ bootstrapServers: broker.bootstrap, clientId: 'idem-producer' });
    await p.connect();
    await p.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ partition: i % partitions, key: `order-${i}`, value: `v${i}` })) });
    await p.close();
  }

  /** A consumer that commits only through the helper: no auto-commit, nothing on revoke or close. */
  function consumer(groupId: string, clientId: string): Consumer {
    return createConsumer({ bootstrapServers: broker.bootstrap, groupId, clientId, autoCommit: false, commitOnRevoke: false, sessionTimeoutMs: 6000, heartbeatIntervalMs: 200 });
  }

  it('after a crash, the records processed since the last commit come back and are skipped (file store reopened)', async () => {
    await admin.createTopics({ topics: [{ name: 'orders', numPartitions: 1 }] });
    await produce('orders', 50, 1);
    const dir = await makeTempDir('dedupe-');
    const path = join(dir.path, 'orders.json');
    const effects: string[] = [];
    const effect = async ({ message }: EachMessagePayload) => {
      effects.push(message.value!.toString());
    };
    try {
      const first = consumer('orders-group', 'first');
      const store1 = await FileDedupeStore.open({ path });
      const h1 = idempotentHandler(effect, { store: store1, consumer: first, commitEveryRecords: 20 });
      await first.connect();
      await first.subscribe({ topics: ['orders'], fromBeginning: true });
      await first.run({ eachMessage: h1 });
      await waitFor(() => h1.stats.processed === 50, 20_000, 'all 50 processed');
      // The process dies: no commit after the 40th record, the store's file stays as it is.
      await first.close();
      await store1.close();
      assert.equal((await admin.lag('orders-group'))[0]!.committedOffset, 40, 'committed every 20 records');

      const second = consumer('orders-group', 'second');
      const store2 = await FileDedupeStore.open({ path });
      const h2 = idempotentHandler(effect, { store: store2, consumer: second, commitEveryRecords: 20 });
      await second.connect();
      await second.subscribe({ topics: ['orders'], fromBeginning: true });
      await second.run({ eachMessage: h2 });
      await waitFor(() => h2.stats.skipped === 10, 20_000, 'the 10 records after the last commit delivered again');
      await second.commit();
      await second.close();
      await store2.close();
      assert.equal(h2.stats.processed, 0);
      assert.equal(effects.length, 50, 'each effect once');
      assert.deepEqual(new Set(effects).size, 50);
      assert.equal((await admin.lag('orders-group'))[0]!.committedOffset, 50, 'the skipped records are committed too');
    } finally {
      await dir.remove();
    }
  });

  it('after a rebalance, the partition\'s next owner skips what the previous one processed but never committed', async () => {
    await admin.createTopics({ topics: [{ name: 'payments', numPartitions: 2 }] });
    await produce('payments', 40, 2);
    const store = new MemoryDedupeStore(); // both members in this process share it
    const effects = new Map<string, number>();
    const effect = async ({ message }: EachMessagePayload) => {
      const v = message.value!.toString();
      effects.set(v, (effects.get(v) ?? 0) + 1);
    };
    const a = consumer('payments-group', 'a');
    const ha = idempotentHandler(effect, { store, dedupeBy: 'key' });
    await a.connect();
    await a.subscribe({ topics: ['payments'], fromBeginning: true });
    await a.run({ eachMessage: ha });
    await waitFor(() => ha.stats.processed === 40, 20_000, 'the first member processed everything, committing nothing');
    const b = consumer('payments-group', 'b');
    const hb = idempotentHandler(effect, { store, dedupeBy: 'key' });
    await b.connect();
    await b.subscribe({ topics: ['payments'], fromBeginning: true });
    await b.run({ eachMessage: hb });
    // The new owner of one partition reads it again from the start: nothing was committed.
    await waitFor(() => b.assignment().length === 1 && hb.stats.skipped === 20, 20_000, 'the moved partition delivered again to its new owner');
    await Promise.all([a.close(), b.close()]);
    assert.equal(hb.stats.processed, 0);
    assert.equal(effects.size, 40);
    assert.ok([...effects.values()].every((n) => n === 1), 'no effect twice');
  });
});
