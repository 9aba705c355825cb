import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { RawConnection, startTestBroker, type TestBroker } from '../helpers/index.js';

describe('broker: ListOffsets v0 (a v0 request used to close the connection)', () => {
  let broker: TestBroker;
  let c: RawConnection;
  before(async () => {
    broker = await startTestBroker({ logSegmentBytes: 1024 });
    c = await RawConnection.connect(broker.port);
    await broker.context.store.createTopic('v0', 1, { 'segment.bytes': '200' });
    const log = broker.context.store.partition('v0', 0)!;
    // Each batch fills a segment: bases 0, 2, 4, then the log end 6.
    for (let i = 0; i < 3; i++) {
      const records = [0, 1].map((j) => ({ key: null, value: Buffer.alloc(60, i * 2 + j), timestamp: 1_700_000_000_000 }));
      log.append(await encodeRecordBatch({ records }), Date.now());
    }
  });
  after(async () => {
    c.close();
    await broker.close();
  });

  const listV0 = (timestamp: number, maxNumOffsets: number, partitionIndex = 0) =>
    c.request(2, 0, { replicaId: -1, topics: [{ name: 'v0', partitions: [{ partitionIndex, timestamp, maxNumOffsets }] }] });

  it('answers latest and earliest with old-style offsets, as Kafka 3.x does', async () => {
    const latest = await listV0(-1, 1);
    assert.deepEqual(latest.topics[0]!.partitions[0], { partitionIndex: 0, errorCode: 0, oldStyleOffsets: [6], timestamp: -1, offset: -1, leaderEpoch: -1 });
    assert.deepEqual((await listV0(-1, 10)).topics[0]!.partitions[0]!.oldStyleOffsets, [6, 4, 2, 0]);
    assert.deepEqual((await listV0(-2, 1)).topics[0]!.partitions[0]!.oldStyleOffsets, [0]);
    // Segments written now are not older than a timestamp far in the past.
    assert.deepEqual((await listV0(1000, 5)).topics[0]!.partitions[0]!.oldStyleOffsets, []);
    // ...and all of them are older than a timestamp in the future: the newest candidate first.
    assert.deepEqual((await listV0(Date.now() + 60_000, 2)).topics[0]!.partitions[0]!.oldStyleOffsets, [6, 4]);
  });

  it('answers an unknown partition with UNKNOWN_TOPIC_OR_PARTITION and keeps the connection', async () => {
    const res = await listV0(-1, 1, 7);
    assert.equal(res.topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.deepEqual(res.topics[0]!.partitions[0]!.oldStyleOffsets, []);
    assert.equal((await listV0(-1, 1)).topics[0]!.partitions[0]!.errorCode, 0);
  });
});
