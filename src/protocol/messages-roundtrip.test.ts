import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { API_SPECS } from './messages/index.js';
import { MESSAGE_SCHEMAS } from './messages/schema.js';
import {
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
  ConsumerProtocolSubscriptionVersions,
} from './messages/consumer-protocol-subscription.js';
import {
  decodeConsumerProtocolAssignment,
  encodeConsumerProtocolAssignment,
  ConsumerProtocolAssignmentVersions,
} from './messages/consumer-protocol-assignment.js';
import { type FieldSchema, inRange, type MessageSchema, parseVersionRange } from './schema-types.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';
import { ZERO_UUID, EMPTY_BYTES } from './codec-helpers.js';

/**
 * Property test: for every API, both directions and every valid version, values generated from the
 * schema tree (MESSAGE_SCHEMAS) survive encode -> decode unchanged. Fields a version does not
 * carry hold the decoder's default; null appears only where the field is nullable in that version.
 */

const RUNS_PER_VERSION = 25;
const SEED = 0x5a45a;

const int = (min: number, max: number) => fc.integer({ min, max });
const SCALAR_ARBS: Record<string, fc.Arbitrary<unknown>> = {
  bool: fc.boolean(),
  int8: int(-128, 127),
  int16: int(-32768, 32767),
  uint16: int(0, 65535),
  int32: int(-2147483648, 2147483647),
  uint32: int(0, 4294967295),
  int64: fc.maxSafeInteger(),
  float64: fc.double(),
  string: fc.string({ unit: 'grapheme', maxLength: 12 }),
  uuid: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64url')),
  bytes: fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b)),
  records: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
};

function elementType(f: FieldSchema): string {
  return f.type.startsWith('[]') ? f.type.slice(2) : f.type;
}

/** The value the generated decoder yields for a field that is not on the wire. */
function defaultOf(f: FieldSchema): unknown {
  const d = f.default;
  if (d === 'null') return null;
  if (f.type.startsWith('[]')) return [];
  switch (f.type) {
    case 'bool':
      return d === 'true';
    case 'string':
      return d ?? '';
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
      return EMPTY_BYTES;
    case 'records':
      return null;
    case 'struct':
      return structDefault(f.fields ?? []);
    default:
      return d === undefined ? 0 : Number(d);
  }
}

function structDefault(fields: FieldSchema[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, defaultOf(f)]));
}

function onWire(f: FieldSchema, version: number, flexible: boolean): boolean {
  if (!inRange(parseVersionRange(f.versions), version)) return false;
  if (f.taggedVersions === undefined) return true;
  return flexible && inRange(parseVersionRange(f.taggedVersions), version);
}

function fieldArb(f: FieldSchema, version: number, flexible: boolean): fc.Arbitrary<unknown> {
  if (!onWire(f, version, flexible)) return fc.constant(defaultOf(f));
  const elem = elementType(f);
  const one = elem === 'struct' ? structArb(f.fields ?? [], version, flexible) : SCALAR_ARBS[elem];
  if (one === undefined) throw new Error(`no arbitrary for type ${f.type}`);
  const arb = f.type.startsWith('[]') ? fc.array(one, { maxLength: 3 }) : one;
  const nullable = inRange(parseVersionRange(f.nullableVersions), version) || f.type === 'records';
  return nullable ? fc.option(arb, { nil: null, freq: 4 }) : arb;
}

function structArb(fields: FieldSchema[], version: number, flexible: boolean): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) model[f.name] = fieldArb(f, version, flexible);
  return fc.record(model, { noNullPrototype: true });
}

type Encode = (w: Writer, version: number, m: never) => void;
type Decode = (r: Reader, version: number) => unknown;

function checkRoundTrip(label: string, schema: MessageSchema, min: number, max: number, encode: Encode, decode: Decode): number {
  const flexRange = parseVersionRange(schema.flexibleVersions);
  let checked = 0;
  for (let version = min; version <= max; version++) {
    const flexible = inRange(flexRange, version);
    const arb = structArb(schema.fields, version, flexible);
    fc.assert(
      fc.property(arb, (value) => {
        const w = new Writer({ initialBytes: 16 });
        encode(w, version, value as never);
        const buf = w.toBuffer();
        const r = new Reader(buf);
        const decoded = decode(r, version);
        assert.deepStrictEqual(decoded, value, `${label} v${version}`);
        assert.equal(r.remaining, 0, `${label} v${version}: bytes left after decoding`);
      }),
      { numRuns: RUNS_PER_VERSION, seed: SEED + version },
    );
    checked++;
  }
  return checked;
}

test('every API request and response round-trips in every valid version', () => {
  let combinations = 0;
  for (const [key, spec] of Object.entries(API_SPECS)) {
    const schemas = MESSAGE_SCHEMAS[key] as { request: MessageSchema; response: MessageSchema };
    combinations += checkRoundTrip(`${spec.name}Request`, schemas.request, spec.minVersion, spec.maxVersion, spec.encodeRequest as Encode, spec.decodeRequest);
    combinations += checkRoundTrip(`${spec.name}Response`, schemas.response, spec.minVersion, spec.maxVersion, spec.encodeResponse as Encode, spec.decodeResponse);
  }
  assert.ok(combinations >= 300, `only ${combinations} API versions checked`);
});

test('the consumer protocol structures round-trip in every version', () => {
  const sub = MESSAGE_SCHEMAS.ConsumerProtocolSubscription as MessageSchema;
  const asg = MESSAGE_SCHEMAS.ConsumerProtocolAssignment as MessageSchema;
  const { min: smin, max: smax } = ConsumerProtocolSubscriptionVersions;
  const { min: amin, max: amax } = ConsumerProtocolAssignmentVersions;
  checkRoundTrip('ConsumerProtocolSubscription', sub, smin, smax, encodeConsumerProtocolSubscription as Encode, decodeConsumerProtocolSubscription);
  checkRoundTrip('ConsumerProtocolAssignment', asg, amin, amax, encodeConsumerProtocolAssignment as Encode, decodeConsumerProtocolAssignment);
});

test('regression: an explicit null in a nullable field reaches the wire instead of its default', async () => {
  const { encodeMetadataRequest, decodeMetadataRequest, encodeFetchResponse, decodeFetchResponse } = await import('./messages/index.js');
  // Metadata v1+: null topics means "all topics", [] means none; they must not be confused.
  const w = new Writer();
  encodeMetadataRequest(w, 4, { topics: null });
  assert.equal(decodeMetadataRequest(new Reader(w.toBuffer()), 4).topics, null);
  const w2 = new Writer();
  encodeFetchResponse(w2, 4, { responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 0, abortedTransactions: null, records: null }] }] });
  assert.equal(decodeFetchResponse(new Reader(w2.toBuffer()), 4).responses[0]!.partitions[0]!.abortedTransactions, null);
});
