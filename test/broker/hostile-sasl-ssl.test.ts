import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Prng } from '../../src/common/prng.js';
import { encodeRequestHeader } from '../../src/protocol/headers.js';
import { API_SPECS } from '../../src/protocol/messages/index.js';
import { Writer } from '../../src/protocol/writer.js';
import { createAdmin } from '../../src/client/index.js';
import { makeTestCertificates, RawConnection, startTestBroker, type TestBroker, type TestCertificates } from '../helpers/index.js';

const SASL_KEYS = new Set([17, 18, 36]);

/** A random frame: garbage, a valid header of any API with a random body, or a truncated or oversize size. */
function hostileFrame(prng: Prng): Buffer {
  const keys = Object.keys(API_SPECS).map(Number);
  const kind = prng.int(0, 3);
  const body = Buffer.from(Array.from({ length: prng.int(0, 300) }, () => prng.int(0, 255)));
  if (kind === 0) return body;
  const size = Buffer.alloc(4);
  if (kind === 1) {
    size.writeInt32BE(prng.pick([-1, 0x7fffffff, 524_289, 10_000_000]));
    return Buffer.concat([size, body]);
  }
  const w = new Writer({ sizePrefix: true, initialBytes: 64 });
  const apiKey = prng.pick(keys);
  encodeRequestHeader(w, { apiKey, apiVersion: prng.int(0, 12), correlationId: prng.int(0, 1000), clientId: 'fuzz' });
  w.raw(body);
  const frame = w.toBuffer();
  return kind === 2 ? frame : frame.subarray(0, prng.int(0, frame.length));
}

describe('broker: hostile input on an unauthenticated SASL_SSL listener', () => {
  let certs: TestCertificates;
  let broker: TestBroker;
  before(async () => {
    certs = await makeTestCertificates();
    broker = await startTestBroker({ listeners: 'SASL_SSL://127.0.0.1:0', tls: { keyFile: certs.serverKeyFile, certFile: certs.serverCertFile }, saslUsers: { alice: 'pw' } });
  });
  after(async () => {
    await broker.close();
    await certs.remove();
  });

  it('random and malformed frames are refused without any API other than the SASL ones answering, and the broker keeps serving', async (t) => {
    const prng = new Prng(0x5a51);
    const ca = readFileSync(certs.caFile);
    let answered = 0;
    for (let round = 0; round < 150; round++) {
      const c = await RawConnection.connectTls(broker.port, { ca });
      const frame = hostileFrame(prng);
      c.writeRaw(frame);
      // Whatever comes back may only answer ApiVersions or a SASL API. (An incomplete frame gets
      // no answer at all: after a short wait we move on.)
      for (;;) {
        const response = await c.nextFrame(200).catch(() => null);
        if (response === null) break;
        answered++;
        const apiKey = frame.length >= 6 ? frame.readInt16BE(4) : -1;
        assert.ok(SASL_KEYS.has(apiKey), `round ${round}: the broker answered api ${apiKey} before authentication`);
      }
      c.close();
    }
    assert.ok(!broker.logger.lines.some((l) => l.message === 'request handler failed'), 'no handler threw');
    const admin = createAdmin({ bootstrapServers: broker.bootstrap, ssl: { ca }, sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'pw' }, retries: 0 });
    assert.ok(Array.isArray(await admin.listTopics()), 'an authenticated client is still served');
    await admin.close();
    t.diagnostic(`${answered} answers to 150 hostile connections`);
  });
});
