import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol.js';
import { ProtocolError } from './protocol-error.js';

type Part = ['i16' | 'i32', number] | ['str', string | null] | ['raw', number[]];

/** Builds classic-encoded bytes from a list of parts, so fixtures read like the wire layout. */
function bytes(...parts: Part[]): Buffer {
  const out: Buffer[] = [];
  for (const part of parts) {
    if (part[0] === 'i16') {
      const b = Buffer.alloc(2);
      b.writeInt16BE(part[1]);
      out.push(b);
    } else if (part[0] === 'i32') {
      const b = Buffer.alloc(4);
      b.writeInt32BE(part[1]);
      out.push(b);
    } else if (part[0] === 'str') {
      const s = part[1];
      if (s === null) out.push(Buffer.from([0xff, 0xff]));
      else out.push(Buffer.from([0, Buffer.byteLength(s)]), Buffer.from(s));
    } else out.push(Buffer.from(part[1] as number[]));
  }
  return Buffer.concat(out);
}

// kafkajs 2.2.4 and kafka-python 2.0.2: version 0, topics, userData (kafkajs sends empty bytes).
const SUBSCRIPTION_V0_KAFKAJS = bytes(['i16', 0], ['i32', 2], ['str', 'orders'], ['str', 'payments'], ['i32', 0]);
const SUBSCRIPTION_V0_NULL_USERDATA = bytes(['i16', 0], ['i32', 1], ['str', 'orders'], ['i32', -1]);
// librdkafka 2.0.2: version 1, empty userData bytes, then ownedPartitions.
const SUBSCRIPTION_V1_LIBRDKAFKA = bytes(
  ['i16', 1],
  ['i32', 1], ['str', 'orders'],
  ['i32', 0],
  ['i32', 1], ['str', 'orders'], ['i32', 2], ['i32', 0], ['i32', 3],
);
// Java 3.x cooperative-sticky: version 3 with userData (the generation), ownedPartitions, generation, rack.
const SUBSCRIPTION_V3_JAVA = bytes(
  ['i16', 3],
  ['i32', 1], ['str', 'orders'],
  ['i32', 4], ['raw', [0, 0, 0, 7]],
  ['i32', 1], ['str', 'orders'], ['i32', 1], ['i32', 2],
  ['i32', 7],
  ['str', 'rack-a'],
);

test('subscription v0 as kafkajs and kafka-python send it', () => {
  const sub = decodeSubscription(SUBSCRIPTION_V0_KAFKAJS);
  assert.equal(sub.version, 0);
  assert.deepEqual(sub.topics, ['orders', 'payments']);
  assert.deepEqual(sub.userData, Buffer.alloc(0));
  assert.deepEqual(sub.ownedPartitions, []);
  assert.equal(sub.generationId, -1);
  assert.equal(sub.rackId, null);
  assert.equal(decodeSubscription(SUBSCRIPTION_V0_NULL_USERDATA).userData, null);
});

test('subscription v1 as librdkafka sends it: empty userData and ownedPartitions', () => {
  const sub = decodeSubscription(SUBSCRIPTION_V1_LIBRDKAFKA);
  assert.equal(sub.version, 1);
  assert.deepEqual(sub.topics, ['orders']);
  assert.deepEqual(sub.userData, Buffer.alloc(0));
  assert.deepEqual(sub.ownedPartitions, [{ topic: 'orders', partitions: [0, 3] }]);
  assert.equal(sub.generationId, -1);
});

test('subscription v3 as the Java client sends it', () => {
  const sub = decodeSubscription(SUBSCRIPTION_V3_JAVA);
  assert.equal(sub.version, 3);
  assert.deepEqual(sub.userData, Buffer.from([0, 0, 0, 7]));
  assert.deepEqual(sub.ownedPartitions, [{ topic: 'orders', partitions: [2] }]);
  assert.equal(sub.generationId, 7);
  assert.equal(sub.rackId, 'rack-a');
});

test('encodeSubscription writes exactly the fixture bytes for each version', () => {
  assert.deepEqual(encodeSubscription({ topics: ['orders', 'payments'], userData: Buffer.alloc(0) }, 0), SUBSCRIPTION_V0_KAFKAJS);
  assert.deepEqual(encodeSubscription({ topics: ['orders'] }, 0), SUBSCRIPTION_V0_NULL_USERDATA);
  assert.deepEqual(
    encodeSubscription({ topics: ['orders'], userData: Buffer.alloc(0), ownedPartitions: [{ topic: 'orders', partitions: [0, 3] }] }, 1),
    SUBSCRIPTION_V1_LIBRDKAFKA,
  );
  assert.deepEqual(
    encodeSubscription(
      { topics: ['orders'], userData: Buffer.from([0, 0, 0, 7]), ownedPartitions: [{ topic: 'orders', partitions: [2] }], generationId: 7, rackId: 'rack-a' },
      3,
    ),
    SUBSCRIPTION_V3_JAVA,
  );
});

test('a newer subscription version is read with the newest schema, trailing bytes ignored', () => {
  const v9 = Buffer.concat([SUBSCRIPTION_V3_JAVA, Buffer.from([1, 2, 3, 4, 5])]);
  v9.writeInt16BE(9, 0);
  const sub = decodeSubscription(v9);
  assert.equal(sub.version, 9);
  assert.equal(sub.rackId, 'rack-a');
  assert.equal(sub.generationId, 7);
});

const ASSIGNMENT_V0 = bytes(['i16', 0], ['i32', 1], ['str', 'orders'], ['i32', 2], ['i32', 0], ['i32', 1], ['i32', -1]);
const ASSIGNMENT_V1_EMPTY_USERDATA = bytes(['i16', 1], ['i32', 2], ['str', 'a'], ['i32', 1], ['i32', 4], ['str', 'b'], ['i32', 0], ['i32', 0]);
const ASSIGNMENT_V3_USERDATA = bytes(['i16', 3], ['i32', 0], ['i32', 2], ['raw', [9, 9]]);

test('assignments v0, v1 and v3 decode, with null, empty and present userData', () => {
  assert.deepEqual(decodeAssignment(ASSIGNMENT_V0), { version: 0, assignedPartitions: [{ topic: 'orders', partitions: [0, 1] }], userData: null });
  assert.deepEqual(decodeAssignment(ASSIGNMENT_V1_EMPTY_USERDATA), {
    version: 1,
    assignedPartitions: [{ topic: 'a', partitions: [4] }, { topic: 'b', partitions: [] }],
    userData: Buffer.alloc(0),
  });
  assert.deepEqual(decodeAssignment(ASSIGNMENT_V3_USERDATA), { version: 3, assignedPartitions: [], userData: Buffer.from([9, 9]) });
});

test('encodeAssignment writes exactly the fixture bytes', () => {
  assert.deepEqual(encodeAssignment({ assignedPartitions: [{ topic: 'orders', partitions: [0, 1] }] }, 0), ASSIGNMENT_V0);
  assert.deepEqual(
    encodeAssignment({ assignedPartitions: [{ topic: 'a', partitions: [4] }, { topic: 'b', partitions: [] }], userData: Buffer.alloc(0) }, 1),
    ASSIGNMENT_V1_EMPTY_USERDATA,
  );
  assert.deepEqual(encodeAssignment({ assignedPartitions: [], userData: Buffer.from([9, 9]) }, 3), ASSIGNMENT_V3_USERDATA);
});

test('an empty (0-byte) assignment means no partitions', () => {
  assert.deepEqual(decodeAssignment(Buffer.alloc(0)), { version: 0, assignedPartitions: [], userData: null });
});

test('a newer assignment version is read with the newest schema, trailing bytes ignored', () => {
  const v5 = Buffer.concat([ASSIGNMENT_V0, Buffer.from([0xde, 0xad])]);
  v5.writeInt16BE(5, 0);
  const a = decodeAssignment(v5);
  assert.equal(a.version, 5);
  assert.deepEqual(a.assignedPartitions, [{ topic: 'orders', partitions: [0, 1] }]);
});

test('round trips in every version keep the fields that version has', () => {
  const full = {
    topics: ['t1', 't2'],
    userData: Buffer.from('ud'),
    ownedPartitions: [{ topic: 't1', partitions: [0, 5] }],
    generationId: 12,
    rackId: 'r1',
  };
  for (let version = 0; version <= 3; version++) {
    const sub = decodeSubscription(encodeSubscription(full, version));
    assert.equal(sub.version, version);
    assert.deepEqual(sub.ownedPartitions, version >= 1 ? full.ownedPartitions : []);
    assert.equal(sub.generationId, version >= 2 ? 12 : -1);
    assert.equal(sub.rackId, version >= 3 ? 'r1' : null);
    const a = decodeAssignment(encodeAssignment({ assignedPartitions: full.ownedPartitions, userData: full.userData }, version));
    assert.deepEqual(a, { version, assignedPartitions: full.ownedPartitions, userData: full.userData });
  }
});

test('corrupt or truncated bytes are ProtocolErrors; bad encode versions are RangeErrors', () => {
  assert.throws(() => decodeSubscription(Buffer.from([0xff, 0xff, 0, 0, 0, 0])), /negative version -1/);
  assert.throws(() => decodeSubscription(SUBSCRIPTION_V3_JAVA.subarray(0, SUBSCRIPTION_V3_JAVA.length - 2)), ProtocolError);
  assert.throws(() => decodeSubscription(Buffer.from([0])), ProtocolError);
  assert.throws(() => decodeAssignment(bytes(['i16', 0], ['i32', 1_000_000])), /array length 1000000 exceeds/);
  assert.throws(() => decodeAssignment(ASSIGNMENT_V0.subarray(0, 9)), ProtocolError);
  assert.throws(() => encodeSubscription({ topics: [] }, 4), RangeError);
  assert.throws(() => encodeAssignment({ assignedPartitions: [] }, -1), RangeError);
});

test('decoded userData is a view into the input bytes', () => {
  const buf = Buffer.from(ASSIGNMENT_V3_USERDATA);
  const a = decodeAssignment(buf);
  assert.equal(a.userData!.buffer, buf.buffer);
});
