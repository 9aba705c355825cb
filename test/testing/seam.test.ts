import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startBroker } from '../../src/broker/index.js';
import { silentLogger } from '../../src/common/logger.js';
import { startTestBroker } from '../../src/testing/index.js';

it('a broker has no fault seam unless asked, and asking adds no API to the wire', async () => {
  const plain = await startBroker({ port: 0, memory: true, logger: silentLogger });
  const kit = await startTestBroker();
  try {
    assert.equal(plain.faults, null);
    assert.equal(plain.context.faults, null);
    assert.notEqual(kit.broker.faults, null);
    // ApiVersions answers from the handler registry: the same APIs either way.
    assert.deepEqual([...kit.broker.context.handlers.keys()].sort((a, b) => a - b), [...plain.context.handlers.keys()].sort((a, b) => a - b));
  } finally {
    await Promise.all([plain.close(), kit.close()]);
  }
});

it('the kit names APIs and errors as Kafka does, and refuses names it does not know', async () => {
  const kit = await startTestBroker();
  try {
    kit.failNextRequests('Fetch', { errorCode: 'NOT_LEADER_OR_FOLLOWER', count: 3 });
    kit.failNextRequests(12, { errorCode: 27 });
    assert.equal(kit.pendingFailures('Fetch'), 3);
    assert.equal(kit.pendingFailures('Heartbeat'), 1);
    assert.throws(() => kit.failNextRequests('Nope' as never, { errorCode: 6 }), /unknown Kafka API 'Nope'/);
    assert.throws(() => kit.failNextRequests('Produce', { errorCode: 'NOPE' as never }), /unknown Kafka error 'NOPE'/);
    assert.throws(() => kit.pauseFetches('missing'), /no topic named 'missing'/);
    kit.clearFaults();
    assert.equal(kit.pendingFailures(), 0);
  } finally {
    await kit.close();
  }
});
