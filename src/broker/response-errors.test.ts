import assert from 'node:assert/strict';
import { test } from 'node:test';
import { responseErrorCodes } from './response-errors.js';

test('collects every non-zero errorCode of a response and skips record bytes', () => {
  const response = {
    errorCode: 0,
    responses: [
      { topic: 'a', partitions: [{ partitionIndex: 0, errorCode: 3, records: [Buffer.from([0, 1])] }, { partitionIndex: 1, errorCode: 0, records: Buffer.alloc(4) }] },
      { topic: 'b', partitions: [{ partitionIndex: 0, errorCode: 1 }] },
    ],
  };
  assert.deepEqual(responseErrorCodes(response), [3, 1]);
  assert.deepEqual(responseErrorCodes({ errorCode: 27, members: [] }), [27]);
  assert.deepEqual(responseErrorCodes(null), []);
});
