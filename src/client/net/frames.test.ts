import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeResponseFrame, encodeRequestFrame } from './frames.js';
import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import { decodeRequestHeader, encodeResponseHeader } from '../../protocol/headers.js';
import { encodeApiVersionsResponse, decodeApiVersionsRequest } from '../../protocol/messages/index.js';
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
