import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../protocol/errors.js';
import type { BatchHeader } from '../protocol/record-batch-header.js';
import { checkBatchTimestamps, timestampBounds } from './timestamp-bounds.js';

const NOW = 1_700_000_000_000;

function header(baseTimestamp: number, maxTimestamp: number): BatchHeader {
  return { baseOffset: 0, batchLength: 100, partitionLeaderEpoch: -1, magic: 2, crc: 0, attributes: 0, lastOffsetDelta: 0, baseTimestamp, maxTimestamp, producerId: -1, producerEpoch: -1, baseSequence: -1, recordCount: 1 };
}

describe('message.timestamp.* bounds (message.timestamp.difference.max.ms was refused with INVALID_CONFIG)', () => {
  it('uses before/after when set, else the deprecated difference for both sides, else no limit', () => {
    const unlimited = timestampBounds({});
    assert.ok(unlimited.beforeMaxMs >= 9e18 && unlimited.afterMaxMs >= 9e18);
    assert.deepEqual(timestampBounds({ 'message.timestamp.difference.max.ms': '1000' }), { beforeMaxMs: 1000, afterMaxMs: 1000 });
    assert.deepEqual(timestampBounds({ 'message.timestamp.difference.max.ms': '1000', 'message.timestamp.after.max.ms': '50' }), { beforeMaxMs: 1000, afterMaxMs: 50 });
    // Long.MAX_VALUE means "not set", so the difference still applies (Kafka's LogConfig).
    assert.deepEqual(timestampBounds({ 'message.timestamp.difference.max.ms': '7', 'message.timestamp.before.max.ms': '9223372036854775807' }), { beforeMaxMs: 7, afterMaxMs: 7 });
  });

  it('refuses a batch whose max timestamp is too far ahead or whose first timestamp is too old', () => {
    const bounds = { beforeMaxMs: 60_000, afterMaxMs: 1_000 };
    assert.equal(checkBatchTimestamps(header(NOW - 60_000, NOW + 1_000), NOW, bounds), null);
    assert.equal(checkBatchTimestamps(header(NOW, NOW + 1_001), NOW, bounds)?.errorCode, ErrorCode.INVALID_TIMESTAMP);
    assert.equal(checkBatchTimestamps(header(NOW - 60_001, NOW), NOW, bounds)?.errorCode, ErrorCode.INVALID_TIMESTAMP);
    assert.match(checkBatchTimestamps(header(NOW - 60_001, NOW), NOW, bounds)!.detail, /1699999940000, 1700000001000/);
  });

  it('leaves batches without timestamps (-1) alone', () => {
    assert.equal(checkBatchTimestamps(header(-1, -1), NOW, { beforeMaxMs: 0, afterMaxMs: 0 }), null);
  });
});
