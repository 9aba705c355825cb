import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin, Producer } from '../../src/client/index.js';
import { MemoryLogger } from '../../src/common/logger.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { RawConnection, startTestBroker, type TestBroker } from '../helpers/index.js';
import { parseTable, samsa, samsaOk } from './helpers.js';

describe('cli: samsa transactions, and pending transactional offsets in groups describe', () => {
  let broker: TestBroker;
  let admin: Admin;
  let open: Producer;
  const client = () => ({ bootstrapServers: [broker.bootstrap], logger: new MemoryLogger() });
  before(async () => {
    broker = await startTestBroker();
    admin = new Admin(client());
    await admin.createTopics({ topics: [{ name: 'cli-tx', numPartitions: 2 }] });
    // A transaction left open: data in partition 0 and an offset for group cli-group (committed at 3 before).
    await admin.alterOffsets({ groupId: 'cli-group', topic: 'cli-tx', partitions: [{ partition: 1, offset: 3 }] });
    open = new Producer({ ...client(), transactionalId: 'cli-open', transactionTimeoutMs: 600_000 });
    await open.initTransactions();
    open.beginTransaction();
    await open.send({ topic: 'cli-tx', messages: [{ value: 'pending', partition: 0 }] });
    await open.sendOffsetsToTransaction([{ topic: 'cli-tx', partition: 1, offset: 7 }], { groupId: 'cli-group', generationId: -1, memberId: '', groupInstanceId: null });
  });
  after(async () => {
    await open.close();
    await admin.close();
    await broker.close();
  });
  const bs = () => ['--bootstrap-server', broker.bootstrap];

  it('lists and describes transactional ids', async () => {
    const listed = parseTable((await samsaOk(['transactions', 'list', ...bs()])).stdout);
    assert.deepEqual(listed.map((r) => [r['TRANSACTIONAL-ID'], r['STATE']]), [['cli-open', 'Ongoing']]);
    const json = JSON.parse((await samsaOk(['transactions', 'list', '--state', 'CompleteCommit', '--format', 'json', ...bs()])).stdout) as { transactions: unknown[] };
    assert.deepEqual(json.transactions, []);
    const described = parseTable((await samsaOk(['transactions', 'describe', '--transactional-id', 'cli-open', ...bs()])).stdout)[0]!;
    assert.equal(described['STATE'], 'Ongoing');
    assert.match(described['PARTITIONS']!, /cli-tx-0/);
    assert.match(described['PARTITIONS']!, /__consumer_offsets-\d+/);
    const missing = await samsa(['transactions', 'describe', '--transactional-id', 'nope', ...bs()]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /TRANSACTIONAL_ID_NOT_FOUND/);
  });

  it('groups describe says which offsets wait on an open transaction', async () => {
    const r = await samsaOk(['groups', 'describe', '--group', 'cli-group', ...bs()]);
    assert.match(r.stderr, /cli-tx\/1 wait on an open transaction/);
    const json = JSON.parse((await samsaOk(['groups', 'describe', '--group', 'cli-group', '--format', 'json', ...bs()])).stdout) as { groups: Array<{ partitions: Array<{ partition: number; currentOffset: number; pendingTransaction: boolean }> }> };
    const row = json.groups[0]!.partitions.find((p) => p.partition === 1)!;
    assert.deepEqual([row.currentOffset, row.pendingTransaction], [3, true], 'the stable offset, marked pending');
  });

  it('aborts a transactional id\'s running transaction, fencing its producer', async () => {
    const r = await samsaOk(['transactions', 'abort', '--transactional-id', 'cli-open', ...bs()]);
    assert.match(r.stdout, /aborted the transaction of cli-open/);
    const [after] = await admin.describeTransactions(['cli-open']);
    // Aborted under a bumped epoch, then bumped again for the fencing instance: nothing runs.
    assert.equal(after!.state, 'Empty');
    assert.equal(after!.producerEpoch, 2);
    await assert.rejects(open.commitTransaction());
    const log = broker.context.store.partition('cli-tx', 0)!;
    assert.equal(log.producers.lastStableOffset(log.logEndOffset), log.logEndOffset);
  });

  it('aborts a hanging transaction in a partition by its start offset', async () => {
    // A transaction its coordinator never heard of: transactional data with no coordinator state.
    const c = await RawConnection.connect(broker.port);
    const { producerId } = await c.request(22, 1, { transactionalId: null, transactionTimeoutMs: 60_000 });
    const log = broker.context.store.partition('cli-tx', 1)!;
    const start = log.logEndOffset;
    // Appended straight into the log: what a coordinator that lost its state would leave behind.
    log.append(await encodeRecordBatch({ records: [{ value: Buffer.from('hang'), timestamp: 1 }], producerId, producerEpoch: 0, baseSequence: 0, transactional: true }), Date.now());
    c.close();
    assert.equal(log.producers.lastStableOffset(log.logEndOffset), start);
    const r = await samsaOk(['transactions', 'abort', '--topic', 'cli-tx', '--partition', '1', '--start-offset', String(start), ...bs()]);
    assert.match(r.stdout, /ABORT marker/);
    assert.equal(log.producers.lastStableOffset(log.logEndOffset), log.logEndOffset);
    const usage = await samsa(['transactions', 'abort', ...bs()]);
    assert.equal(usage.code, 2);
  });
});
