import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeCooperativeStickyUserData,
  decodeStickyUserData,
  encodeCooperativeStickyUserData,
  encodeStickyUserData,
} from './sticky-user-data.js';

// previous_assignment = [ {topic "t", partitions [0, 2]} ], generation 7
const V1_BYTES = Buffer.from('00000001' + '0001' + '74' + '00000002' + '00000000' + '00000002' + '00000007', 'hex');
const V0_BYTES = V1_BYTES.subarray(0, V1_BYTES.length - 4);

test('StickyAssignor V1 layout: assignment array then generation', () => {
  assert.deepEqual(encodeStickyUserData([{ topic: 't', partitions: [0, 2] }], 7), V1_BYTES);
  assert.deepEqual(decodeStickyUserData(V1_BYTES), { previousAssignment: [{ topic: 't', partitions: [0, 2] }], generation: 7 });
});

test('StickyAssignor V0 layout has no generation', () => {
  assert.deepEqual(encodeStickyUserData([{ topic: 't', partitions: [0, 2] }], null), V0_BYTES);
  assert.deepEqual(decodeStickyUserData(V0_BYTES), { previousAssignment: [{ topic: 't', partitions: [0, 2] }], generation: null });
});

test('sticky userData round-trips several topics, an empty assignment and a negative generation', () => {
  const assignment = [
    { topic: 'orders', partitions: [5, 1, 3] },
    { topic: 'ü-topic', partitions: [] },
  ];
  assert.deepEqual(decodeStickyUserData(encodeStickyUserData(assignment, 123456)), { previousAssignment: assignment, generation: 123456 });
  assert.deepEqual(decodeStickyUserData(encodeStickyUserData([], -1)), { previousAssignment: [], generation: -1 });
});

test('sticky userData decoding is tolerant: null, empty and garbage mean no data; trailing bytes are ignored', () => {
  assert.equal(decodeStickyUserData(null), null);
  assert.equal(decodeStickyUserData(Buffer.alloc(0)), null);
  assert.equal(decodeStickyUserData(Buffer.from([1, 2, 3])), null);
  assert.equal(decodeStickyUserData(Buffer.from('7fffffff', 'hex')), null); // array longer than the bytes
  assert.equal(decodeStickyUserData(Buffer.from('ffffffff', 'hex')), null); // null array
  assert.equal(decodeStickyUserData(Buffer.from('00000001ffff', 'hex')), null); // null topic
  assert.equal(decodeStickyUserData(V1_BYTES.subarray(0, 14)), null); // cut inside the partitions
  // One to three bytes after the assignment: Java's V1 read fails, its V0 read succeeds.
  assert.equal(decodeStickyUserData(Buffer.concat([V0_BYTES, Buffer.from([0, 0])]))?.generation, null);
  assert.equal(decodeStickyUserData(Buffer.concat([V1_BYTES, Buffer.from([9, 9, 9])]))?.generation, 7);
});

test('CooperativeStickyAssignor userData is the generation alone', () => {
  assert.deepEqual(encodeCooperativeStickyUserData(10), Buffer.from('0000000a', 'hex'));
  assert.equal(decodeCooperativeStickyUserData(Buffer.from('0000000a', 'hex')), 10);
  assert.equal(decodeCooperativeStickyUserData(encodeCooperativeStickyUserData(-1)), -1);
  assert.equal(decodeCooperativeStickyUserData(null), null);
  assert.equal(decodeCooperativeStickyUserData(Buffer.from([0, 1])), null);
  // Like Java, only the first four bytes are read: librdkafka's layout yields its topic count.
  assert.equal(decodeCooperativeStickyUserData(V1_BYTES), 1);
});
