import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  isFlexible,
  responseHeaderHasTags,
} from './headers.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

function encoded(fn: (w: Writer) => void): string {
  const w = new Writer();
  fn(w);
  return w.toBuffer().toString('hex');
}

test('flexible versions come from each API\u2019s first flexible version', () => {
  assert.equal(isFlexible(3, 8), false); // Metadata flexible from 9
  assert.equal(isFlexible(3, 9), true);
  assert.equal(isFlexible(18, 2), false); // ApiVersions flexible from 3
  assert.equal(isFlexible(18, 3), true);
  assert.equal(isFlexible(18, 99), true, 'a future ApiVersions version is still flexible');
  assert.equal(isFlexible(999, 5), false, 'unknown keys are read with header v1');
});

test('request header v1 (non-flexible): key, version, correlation id, int16-length client id', () => {
  const hex = encoded((w) => encodeRequestHeader(w, { apiKey: 3, apiVersion: 4, correlationId: 0x01020304, clientId: 'cli' }));
  assert.equal(hex, '0003' + '0004' + '01020304' + '0003636c69');
  assert.deepEqual(decodeRequestHeader(new Reader(Buffer.from(hex, 'hex'))), { apiKey: 3, apiVersion: 4, correlationId: 0x01020304, clientId: 'cli' });
});

test('request header v2 (flexible) keeps the int16-length client id and adds a tag buffer', () => {
  const hex = encoded((w) => encodeRequestHeader(w, { apiKey: 3, apiVersion: 12, correlationId: 9, clientId: 'cli' }));
  assert.equal(hex, '0003' + '000c' + '00000009' + '0003636c69' + '00');
  const withTags = Buffer.from('0003000c000000090003636c69' + '01' + '00' + '02' + 'abcd' + '7f', 'hex');
  const r = new Reader(withTags);
  assert.deepEqual(decodeRequestHeader(r), { apiKey: 3, apiVersion: 12, correlationId: 9, clientId: 'cli' });
  assert.equal(r.int8(), 0x7f, 'tagged fields in the header are skipped');
});

test('a null client id is int16 -1 in both header versions', () => {
  assert.equal(encoded((w) => encodeRequestHeader(w, { apiKey: 12, apiVersion: 0, correlationId: 1, clientId: null })), '000c000000000001ffff');
  assert.equal(encoded((w) => encodeRequestHeader(w, { apiKey: 12, apiVersion: 4, correlationId: 1, clientId: null })), '000c000400000001ffff00');
  assert.equal(decodeRequestHeader(new Reader(Buffer.from('000c000400000001ffff00', 'hex'))).clientId, null);
});

test('ApiVersions requests of any version, even unknown ones, have readable headers', () => {
  const v3 = Buffer.from('0012000300000001000772646b61666b6100', 'hex');
  assert.deepEqual(decodeRequestHeader(new Reader(v3)), { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' });
  const v7 = Buffer.from('00120007000000020000' + '00', 'hex');
  const r = new Reader(v7);
  assert.deepEqual(decodeRequestHeader(r), { apiKey: 18, apiVersion: 7, correlationId: 2, clientId: '' });
  assert.equal(r.remaining, 0);
});

test('response headers: v0 for classic versions and for every ApiVersions response, v1 otherwise', () => {
  assert.equal(encoded((w) => encodeResponseHeader(w, 3, 8, 5)), '00000005');
  assert.equal(encoded((w) => encodeResponseHeader(w, 3, 9, 5)), '0000000500');
  assert.equal(encoded((w) => encodeResponseHeader(w, 18, 3, 5)), '00000005', 'ApiVersions v3 keeps header v0 (KIP-511)');
  assert.equal(encoded((w) => encodeResponseHeader(w, 18, 0, 5)), '00000005');
  assert.equal(responseHeaderHasTags(18, 4), false);
  assert.equal(responseHeaderHasTags(11, 6), true);
  const r = new Reader(Buffer.from('00000005' + '01' + '00' + '01' + 'aa' + '7f', 'hex'));
  assert.equal(decodeResponseHeader(r, 3, 9), 5);
  assert.equal(r.int8(), 0x7f);
  const v0 = new Reader(Buffer.from('00000006' + '7f', 'hex'));
  assert.equal(decodeResponseHeader(v0, 18, 3), 6);
  assert.equal(v0.int8(), 0x7f);
});
