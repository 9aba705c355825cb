import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../protocol/errors.js';
import { BATCH, CompressionType } from '../protocol/record-batch-header.js';
import { encodeRecordBatch } from '../protocol/record-batch.js';
import { validateProducedBatch } from './batch-validation.js';

const records = [{ value: Buffer.from('v'), timestamp: 1 }];

describe('validateProducedBatch', () => {
  it('accepts one well-formed v2 batch and returns its header', async () => {
    const batch = await encodeRecordBatch({ records: [...records, ...records] });
    const v = validateProducedBatch(batch, 7, 1 << 20);
    assert.ok(v.ok);
    assert.equal(v.header.recordCount, 2);
  });

  it('names what is wrong, with Kafka\'s error code', async () => {
    const good = await encodeRecordBatch({ records });
    const code = (b: Buffer | null, version = 7, max = 1 << 20): number => {
      const v = validateProducedBatch(b, version, max);
      return v.ok ? 0 : v.errorCode;
    };
    const withMagic = Buffer.from(good);
    withMagic.writeInt8(1, BATCH.MAGIC);
    const badCount = Buffer.from(good);
    badCount.writeInt32BE(5, BATCH.LAST_OFFSET_DELTA);
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 1]! ^= 1;
    const negativeLength = Buffer.from(good);
    negativeLength.writeInt32BE(-100, BATCH.BATCH_LENGTH);
    assert.equal(code(null), ErrorCode.INVALID_RECORD);
    assert.equal(code(good.subarray(0, 30)), ErrorCode.CORRUPT_MESSAGE);
    assert.equal(code(withMagic), ErrorCode.INVALID_RECORD);
    assert.equal(code(negativeLength), ErrorCode.CORRUPT_MESSAGE);
    assert.equal(code(Buffer.concat([good, good])), ErrorCode.INVALID_RECORD);
    assert.equal(code(good, 7, good.length - 1), ErrorCode.MESSAGE_TOO_LARGE);
    assert.equal(code(badCount), ErrorCode.INVALID_RECORD);
    assert.equal(code(badCrc), ErrorCode.CORRUPT_MESSAGE);
    assert.equal(code(await encodeRecordBatch({ records, compression: CompressionType.Zstd }), 6), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    assert.equal(code(await encodeRecordBatch({ records, compression: CompressionType.Zstd }), 7), 0);
    assert.equal(code(await encodeRecordBatch({ records, producerId: 5, producerEpoch: 0, baseSequence: -1 })), ErrorCode.INVALID_RECORD);
    assert.equal(code(await encodeRecordBatch({ records, transactional: true, producerId: 5, producerEpoch: 0, baseSequence: 0 })), 0);
    assert.equal(code(await encodeRecordBatch({ records, transactional: true })), ErrorCode.INVALID_RECORD, 'a transactional batch needs a producer id');
    assert.equal(code(await encodeRecordBatch({ records, isControl: true, transactional: true, producerId: 5, producerEpoch: 0, baseSequence: -1 })), ErrorCode.INVALID_RECORD, 'clients never write markers');
  });
});
