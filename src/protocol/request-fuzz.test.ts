import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_SPECS } from './messages/index.js';
import { MESSAGE_SCHEMAS } from './messages/schema.js';
import { decodeRequestHeader, encodeRequestHeader } from './headers.js';
import { type FieldSchema, inRange, type MessageSchema, parseVersionRange } from './schema-types.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';
import { ProtocolError } from './protocol-error.js';
import { Prng } from '../common/prng.js';

/**
 * Fuzzes the broker's request decode path (request header, then the API's request decoder) with
 * random and mutated frames. Whatever the bytes, decoding must either succeed or throw
 * ProtocolError/RangeError, and must never produce more than the frame holds: the decoded arrays,
 * strings and byte fields together cannot be longer than the frame, and every array count handed
 * out must fit in the bytes left.
 */

const SEED = 0xf022;
const FRAMES = 120_000;
const VALID_PER_VERSION = 3;

type SpecEntry = (typeof API_SPECS)[keyof typeof API_SPECS];
const SPECS = Object.values(API_SPECS) as SpecEntry[];

/** A random encoder input for one request version: fields the version lacks are left out. */
function randomStruct(prng: Prng, fields: FieldSchema[], version: number, flexible: boolean, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!inRange(parseVersionRange(f.versions), version)) continue;
    if (f.taggedVersions !== undefined && !(flexible && inRange(parseVersionRange(f.taggedVersions), version))) continue;
    if (inRange(parseVersionRange(f.nullableVersions), version) && prng.bool(0.15)) {
      out[f.name] = null;
      continue;
    }
    const elem = f.type.startsWith('[]') ? f.type.slice(2) : f.type;
    const one = () => (elem === 'struct' ? randomStruct(prng, f.fields ?? [], version, flexible, depth + 1) : randomScalar(prng, elem));
    out[f.name] = f.type.startsWith('[]') ? Array.from({ length: depth > 3 ? 0 : prng.int(0, 3) }, one) : one();
  }
  return out;
}

function randomScalar(prng: Prng, type: string): unknown {
  switch (type) {
    case 'bool':
      return prng.bool();
    case 'int8':
      return prng.int(-128, 127);
    case 'int16':
      return prng.int(-32768, 32767);
    case 'uint16':
      return prng.int(0, 65535);
    case 'int32':
      return prng.int(-2147483648, 2147483647);
    case 'uint32':
      return prng.int(0, 4294967295);
    case 'int64':
      return prng.int(-(2 ** 40), 2 ** 40);
    case 'float64':
      return prng.next() * 1000;
    case 'string':
      return 'sx'.repeat(prng.int(0, 6));
    case 'uuid':
      return Buffer.from(Array.from({ length: 16 }, () => prng.int(0, 255))).toString('base64url');
    case 'bytes':
    case 'records':
      return Buffer.alloc(prng.int(0, 40), prng.int(0, 255));
  }
  throw new Error(`no generator for ${type}`);
}

function validFrames(prng: Prng): Buffer[] {
  const frames: Buffer[] = [];
  for (const spec of SPECS) {
    const schema = (MESSAGE_SCHEMAS[String(spec.apiKey)] as { request: MessageSchema }).request;
    for (let version = spec.minVersion; version <= spec.maxVersion; version++) {
      const flexible = spec.flexibleFrom >= 0 && version >= spec.flexibleFrom;
      for (let i = 0; i < VALID_PER_VERSION; i++) {
        const w = new Writer();
        encodeRequestHeader(w, { apiKey: spec.apiKey, apiVersion: version, correlationId: prng.int(0, 1000), clientId: prng.bool(0.2) ? null : 'fuzz' });
        (spec.encodeRequest as (w: Writer, v: number, m: unknown) => void)(w, version, randomStruct(prng, schema.fields, version, flexible, 0));
        frames.push(w.toBuffer());
      }
    }
  }
  return frames;
}

const HOSTILE_INT32 = [0x7fffffff, -1, -2, -0x80000000, 0x00ffffff, 65536];
const HOSTILE_INT16 = [0x7fff, -1, -2, -0x8000];

function mutate(prng: Prng, valid: Buffer): Buffer {
  const frame = Buffer.from(valid);
  switch (prng.int(0, 5)) {
    case 0: {
      const flips = prng.int(1, 8);
      for (let i = 0; i < flips; i++) frame[prng.int(0, frame.length - 1)]! ^= 1 << prng.int(0, 7);
      return frame;
    }
    case 1:
      return frame.subarray(0, prng.int(0, frame.length - 1));
    case 2: {
      // A length or count field overwritten with a huge or negative value.
      if (frame.length >= 4) frame.writeInt32BE(prng.pick(HOSTILE_INT32), prng.int(0, frame.length - 4));
      return frame;
    }
    case 3: {
      if (frame.length >= 2) frame.writeInt16BE(prng.pick(HOSTILE_INT16), prng.int(0, frame.length - 2));
      return frame;
    }
    case 4: {
      // A varint-sized run of 0xff (a compact length of about 2^32) dropped in anywhere.
      const at = prng.int(0, frame.length);
      return Buffer.concat([frame.subarray(0, at), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), frame.subarray(at + prng.int(0, 5))]);
    }
    default: {
      const at = prng.int(0, frame.length);
      const noise = Buffer.from(Array.from({ length: prng.int(1, 16) }, () => prng.int(0, 255)));
      return Buffer.concat([frame.subarray(0, at), noise, frame.subarray(at)]);
    }
  }
}

function randomFrame(prng: Prng): Buffer {
  const body = Buffer.from(Array.from({ length: prng.int(0, 200) }, () => prng.int(0, 255)));
  if (prng.bool(0.3)) return body;
  const spec = prng.pick(SPECS);
  const head = Buffer.alloc(10);
  head.writeInt16BE(spec.apiKey, 0);
  head.writeInt16BE(prng.int(spec.minVersion, spec.maxVersion), 2);
  head.writeInt16BE(-1, 8);
  return Buffer.concat([head, body]);
}

test(`${FRAMES} random and mutated request frames decode or fail cleanly, never beyond the frame`, (t) => {
  const prng = new Prng(SEED);
  const corpus = validFrames(prng);
  // Count what the reader hands out: array elements and string/byte lengths decoded from the
  // wire (defaults of absent fields are not counted), and array counts above the bytes left.
  const original = { arrayLength: Reader.prototype.arrayLength, nullableString: Reader.prototype.nullableString, nullableBytes: Reader.prototype.nullableBytes };
  let decodedUnits = 0;
  let oversizeCounts = 0;
  Reader.prototype.arrayLength = function (this: Reader, compact: boolean): number {
    const n = original.arrayLength.call(this, compact);
    if (n > this.remaining) oversizeCounts++;
    if (n > 0) decodedUnits += n;
    return n;
  };
  Reader.prototype.nullableString = function (this: Reader, compact: boolean): string | null {
    const s = original.nullableString.call(this, compact);
    if (s !== null) decodedUnits += s.length;
    return s;
  };
  Reader.prototype.nullableBytes = function (this: Reader, compact: boolean): Buffer | null {
    const b = original.nullableBytes.call(this, compact);
    if (b !== null) decodedUnits += b.length;
    return b;
  };
  const outcomes = { decoded: 0, protocolError: 0, rangeError: 0, skipped: 0 };
  try {
    for (let i = 0; i < FRAMES; i++) {
      const frame = prng.bool(0.85) ? mutate(prng, prng.pick(corpus)) : randomFrame(prng);
      decodedUnits = 0;
      try {
        const r = new Reader(frame);
        const header = decodeRequestHeader(r);
        const spec = (API_SPECS as Record<number, SpecEntry | undefined>)[header.apiKey];
        if (spec === undefined || header.apiVersion < spec.minVersion || header.apiVersion > spec.maxVersion) {
          outcomes.skipped++; // the connection rejects these before decoding a body
          continue;
        }
        spec.decodeRequest(r, header.apiVersion);
        outcomes.decoded++;
        assert.ok(decodedUnits <= frame.length, `frame ${i} (${frame.toString('hex')}): ${decodedUnits} elements/bytes from ${frame.length} bytes`);
      } catch (err) {
        if (err instanceof ProtocolError) outcomes.protocolError++;
        else if (err instanceof RangeError) outcomes.rangeError++;
        else throw new Error(`frame ${i} (${frame.toString('hex')}): unexpected ${String(err)}`, { cause: err });
        // A failed decode may have sized arrays it never filled; each was still checked
        // against the bytes left (oversizeCounts), so nothing beyond the frame was allocated.
      }
    }
  } finally {
    Object.assign(Reader.prototype, original);
  }
  assert.equal(oversizeCounts, 0, 'array counts above the bytes left were handed out');
  t.diagnostic(`outcomes: ${JSON.stringify(outcomes)}`);
  // The mix must exercise both outcomes, or the mutations are not doing their job.
  assert.ok(outcomes.decoded > FRAMES / 20, JSON.stringify(outcomes));
  assert.ok(outcomes.protocolError > FRAMES / 4, JSON.stringify(outcomes));
});
