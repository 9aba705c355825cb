import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeResponseFrame, encodeRequestFrame } from './frames.js';
import { metadataAllTopicsEncoder, offsetFetchAllTopicsEncoder } from './null-arrays.js';
import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import { decodeRequestHeader, encodeResponseHeader } from '../../protocol/headers.js';
import { decodeMetadataRequest, decodeOffsetFetchRequest, encodeApiVersionsResponse, decodeApiVersionsRequest } from '../../protocol/messages/index.js';
import { ErrorCode } from '../../protocol/errors.js';

function body(parts: Buffer[]): Reader {
  const frame = Buffer.concat(parts);
  assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
  return new Reader(frame, 4);
}

test('ApiVersions v3 goes out with header v2 and the client software fields', () => {
  const r = body(encodeRequestFrame(18, 3, 7, 'app', { clientSoftwareName: 'samsa', clientSoftwareVersion: '0.1.0' }));
  assert.deepEqual(decodeRequestHeader(r), { apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'app' });
  const req = decodeApiVersionsRequest(r, 3);
  assert.equal(req.clientSoftwareName, 'samsa');
  assert.equal(r.remaining, 0);
});

test('UNSUPPORTED_VERSION answers to ApiVersions are read in the v0 layout', () => {
  const w = new Writer();
  encodeResponseHeader(w, 18, 3, 1);
  encodeApiVersionsResponse(w, 0, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 2 }] });
  const res = decodeResponseFrame(w.toBuffer(), 18, 3) as { errorCode: number; apiKeys: Array<{ maxVersion: number }> };
  assert.equal(res.errorCode, ErrorCode.UNSUPPORTED_VERSION);
  assert.equal(res.apiKeys[0]!.maxVersion, 2);
});

test('Metadata for all topics: null list from v1, empty list at v0', () => {
  for (const version of [0, 1, 4, 9, 12]) {
    const r = body(encodeRequestFrame(3, version, 1, 'c', {}, metadataAllTopicsEncoder(false)));
    decodeRequestHeader(r);
    const req = decodeMetadataRequest(r, version);
    assert.deepEqual(req.topics, version === 0 ? [] : null, `v${version}`);
    assert.equal(r.remaining, 0);
  }
});

test('OffsetFetch for every topic of a group: null topics, single group before v8, batched after', () => {
  for (const version of [2, 6, 7, 8, 9]) {
    const r = body(encodeRequestFrame(9, version, 1, 'c', {}, offsetFetchAllTopicsEncoder(['g'], false)));
    decodeRequestHeader(r);
    const req = decodeOffsetFetchRequest(r, version);
    if (version < 8) {
      assert.equal(req.groupId, 'g');
      assert.equal(req.topics, null);
    } else {
      assert.equal(req.groups[0]!.groupId, 'g');
      assert.equal(req.groups[0]!.topics, null);
    }
    assert.equal(r.remaining, 0, `v${version}`);
  }
});
