import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeApiVersionsResponse } from '../../src/protocol/messages/index.js';
import { Reader } from '../../src/protocol/reader.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { RawConnection, startTestBroker, type TestBroker } from '../helpers/index.js';

/** A request frame: int32 size, then header and body bytes as given. */
function frame(...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Request header v1: apiKey, apiVersion, correlationId, clientId 'x'. */
function header(apiKey: number, apiVersion: number, correlationId = 7): Buffer {
  const b = Buffer.alloc(11);
  b.writeInt16BE(apiKey, 0);
  b.writeInt16BE(apiVersion, 2);
  b.writeInt32BE(correlationId, 4);
  b.writeInt16BE(1, 8);
  b.write('x', 10);
  return b;
}

const int32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};

describe('broker: hostile and malformed input', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
  });
  after(() => broker.close());

  /** After each bad connection the broker must still serve a fresh one. */
  async function assertStillServing(): Promise<void> {
    const c = await RawConnection.connect(broker.port);
    const res = await c.request(18, 2, {});
    assert.equal(res.errorCode, ErrorCode.NONE);
    assert.ok(res.apiKeys.length > 5);
    c.close();
  }

  async function assertClosedWithLog(bytes: Buffer, reasonPattern: RegExp): Promise<void> {
    const c = await RawConnection.connect(broker.port);
    const linesBefore = broker.logger.lines.length;
    c.writeRaw(bytes);
    assert.equal(await c.nextFrame(3000), null, 'the broker should close the connection without answering');
    await c.closed;
    const line = broker.logger.lines.slice(linesBefore).find((l) => l.message === 'closing connection');
    assert.ok(line, 'a log line explains the close');
    assert.match(String(line.fields?.reason), reasonPattern);
    await assertStillServing();
  }

  it('closes on a frame too short to hold a request header', async () => {
    await assertClosedWithLog(frame(Buffer.from([0, 3, 0])), /unreadable request header/);
  });

  it('closes on a frame whose declared size exceeds the request limit, before buffering it', async () => {
    await assertClosedWithLog(int32(broker.config.maxRequestBytes + 1), /malformed frame/);
  });

  it('closes on a string length larger than the frame', async () => {
    // Metadata v1: topics array of 1, topic name claiming 1000 bytes with 3 present.
    const body = Buffer.concat([int32(1), Buffer.from([0x03, 0xe8]), Buffer.from('abc')]);
    await assertClosedWithLog(frame(header(3, 1), body), /malformed Metadata v1 request/);
  });

  it('closes on a negative array length', async () => {
    // CreateTopics v2: topics array of -5.
    await assertClosedWithLog(frame(header(19, 2), int32(-5), int32(1000), Buffer.from([0])), /negative array length/);
  });

  it('closes on an array count larger than the bytes left', async () => {
    await assertClosedWithLog(frame(header(3, 1), int32(1_000_000)), /malformed Metadata/);
  });

  it('closes on an unknown API key', async () => {
    await assertClosedWithLog(frame(header(9999, 0)), /unknown api key 9999/);
  });

  it('closes on an unsupported version of a known API', async () => {
    await assertClosedWithLog(frame(header(3, 13), Buffer.from([0, 0])), /unsupported version 13 of api 3/);
    await assertClosedWithLog(frame(header(1, 3)), /unsupported version 3 of api 1/);
  });

  it('answers ApiVersions v5 with error 35 in the v0 layout, advertising its own range', async () => {
    const c = await RawConnection.connect(broker.port);
    c.writeRaw(frame(header(18, 5, 42), Buffer.from([0, 0])));
    const f = await c.nextFrame();
    assert.ok(f);
    const r = new Reader(f);
    assert.equal(r.int32(), 42, 'correlation id in a v0 response header');
    const res = decodeApiVersionsResponse(r, 0);
    assert.equal(res.errorCode, ErrorCode.UNSUPPORTED_VERSION);
    assert.deepEqual(res.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
    assert.equal(r.remaining, 0);
    // The connection stays usable: the client retries with a version we speak.
    const ok = await c.request(18, 3, { clientSoftwareName: 'raw-test', clientSoftwareVersion: '1.0' });
    assert.equal(ok.errorCode, ErrorCode.NONE);
    c.close();
  });

  it('answers a batch with a wrong CRC with CORRUPT_MESSAGE and appends nothing', async () => {
    const c = await RawConnection.connect(broker.port);
    await c.request(19, 5, { topics: [{ name: 'crc', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 });
    const batch = await encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('hello'), timestamp: 1 }] });
    const good = Buffer.from(batch);
    batch[batch.length - 3]! ^= 0xff;
    const res = await c.request(0, 7, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'crc', partitionData: [{ index: 0, records: batch }] }] });
    assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.equal(broker.context.store.partition('crc', 0)!.logEndOffset, 0, 'nothing appended');
    assert.ok(broker.logger.lines.some((l) => l.message === 'request rejected' && l.fields?.error === 'CORRUPT_MESSAGE'));
    // Same connection, a good batch: offset 0.
    const ok = await c.request(0, 7, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'crc', partitionData: [{ index: 0, records: good }] }] });
    assert.equal(ok.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    assert.equal(ok.responses[0]!.partitionResponses[0]!.baseOffset, 0);
    assert.equal(broker.context.store.partition('crc', 0)!.logEndOffset, 1);
    c.close();
    await assertStillServing();
  });

  it('keeps serving after a client disconnects mid-frame', async () => {
    const c = await RawConnection.connect(broker.port);
    c.writeRaw(int32(100));
    c.writeRaw(Buffer.alloc(10));
    c.close();
    await c.closed;
    await assertStillServing();
  });
});
