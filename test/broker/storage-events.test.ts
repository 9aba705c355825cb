import assert from 'node:assert/strict';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BROKER_EVENTS, subscribeBrokerEvent, type BrokerEventPayloads } from '../../src/broker/index.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { makeTempDir, startTestBroker } from '../helpers/index.js';
import { simulateCrash } from '../storage/helpers.js';

type Offline = BrokerEventPayloads[typeof BROKER_EVENTS.partitionOffline];
type Repaired = BrokerEventPayloads[typeof BROKER_EVENTS.partitionRepaired];

describe('broker: partition-offline and partition-repaired events', () => {
  let dir: { path: string; remove(): Promise<void> };
  let sizes: number[] = [];
  before(async () => {
    dir = await makeTempDir('samsa-storage-events-');
    const broker = await startTestBroker({ dataDir: dir.path });
    await broker.context.store.createTopic('ev', 2, {});
    const log = broker.context.store.partition('ev', 1)!;
    for (let i = 0; i < 3; i++) {
      const batch = await encodeRecordBatch({ records: [{ key: null, value: Buffer.alloc(50, i), timestamp: 1_700_000_000_000 }] });
      sizes.push(batch.length);
      log.append(batch, 0);
    }
    await log.sync();
    await broker.close();
    await simulateCrash(dir.path, {});
    // The middle batch (offset 1) loses a byte of its value.
    const handle = await openFile(join(dir.path, 'ev-1', '00000000000000000000.log'), 'r+');
    await handle.write(Buffer.from([0xee]), 0, 1, sizes[0]! + sizes[1]! - 10);
    await handle.close();
  });
  after(() => dir.remove());

  it('publishes partition-offline with the damaged bytes when the broker starts, then partition-repaired after a repair start', async () => {
    const offline: Offline[] = [];
    const repaired: Repaired[] = [];
    const unsubscribe = [subscribeBrokerEvent(BROKER_EVENTS.partitionOffline, (e) => offline.push(e)), subscribeBrokerEvent(BROKER_EVENTS.partitionRepaired, (e) => repaired.push(e))];
    try {
      let broker = await startTestBroker({ dataDir: dir.path });
      assert.equal(offline.length, 1);
      assert.deepEqual(
        { topic: offline[0]!.topic, partition: offline[0]!.partition, recoveryPoint: offline[0]!.recoveryPoint, damaged: offline[0]!.damaged.map((d) => [d.file, d.position, d.bytes, d.firstOffset, d.lastOffset]) },
        { topic: 'ev', partition: 1, recoveryPoint: 3, damaged: [['00000000000000000000.log', sizes[0], sizes[1], 1, 1]] },
      );
      assert.ok(broker.logger.lines.some((l) => l.level === 'error' && l.fields?.['offsets'] === '1'));
      await broker.close();
      broker = await startTestBroker({ dataDir: dir.path, repair: true });
      assert.equal(offline.length, 1, 'repaired before serving: not offline');
      assert.deepEqual(repaired.map((r) => [r.topic, r.partition, r.lost.map((l) => [l.firstOffset, l.lastOffset]), r.logEndOffset]), [['ev', 1, [[1, 1]], 3]]);
      assert.equal(broker.context.store.partition('ev', 1)!.logEndOffset, 3);
      await broker.close();
    } finally {
      for (const u of unsubscribe) u();
    }
  });
});
