import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder } from './frame-decoder.js';
import { ProtocolError } from './protocol-error.js';
import { Prng } from '../common/prng.js';

function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

const payloads = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('third frame, a bit longer'), Buffer.alloc(70_000, 9)];
const stream = Buffer.concat(payloads.map(frame));

test('several frames in one chunk come out whole, in order, without copying', () => {
  const d = new FrameDecoder(1 << 20);
  const frames = d.push(stream);
  assert.deepEqual(frames, payloads);
  assert.equal(frames[0]!.buffer, stream.buffer, 'views into the chunk');
  assert.equal(d.pendingBytes, 0);
});

test('frames split across chunks at every byte, including inside the size field', () => {
  const d = new FrameDecoder(1 << 20);
  const out: Buffer[] = [];
  const small = Buffer.concat(payloads.slice(0, 3).map(frame));
  for (let i = 0; i < small.length; i++) out.push(...d.push(small.subarray(i, i + 1)));
  assert.deepEqual(out, payloads.slice(0, 3));
  assert.equal(d.pendingBytes, 0);
});

test('random chunkings of a stream yield the same frames, which stay valid after later pushes', () => {
  const prng = new Prng(7);
  for (let round = 0; round < 50; round++) {
    const d = new FrameDecoder(1 << 20);
    const out: Buffer[] = [];
    for (let pos = 0; pos < stream.length; ) {
      const n = prng.int(1, 20_000);
      // Copies, as a socket would hand out fresh buffers.
      out.push(...d.push(Buffer.from(stream.subarray(pos, pos + n))));
      pos += n;
    }
    assert.deepEqual(out, payloads, `round ${round}`);
  }
});

test('a partial frame is held until the rest arrives', () => {
  const d = new FrameDecoder(100);
  const f = frame(Buffer.from('payload'));
  assert.deepEqual(d.push(f.subarray(0, 6)), []);
  assert.equal(d.pendingBytes, 6);
  assert.deepEqual(d.push(Buffer.concat([f.subarray(6), f.subarray(0, 2)])), [Buffer.from('payload')]);
  assert.equal(d.pendingBytes, 2);
});

test('negative and oversize sizes are rejected as soon as the size arrives, before any allocation', () => {
  const negative = Buffer.from([0xff, 0xff, 0xff, 0xfe]);
  assert.throws(() => new FrameDecoder(100).push(negative), (e: unknown) => e instanceof ProtocolError && /negative frame size -2/.test(e.message));
  const oversize = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
  assert.throws(() => new FrameDecoder(100).push(oversize), /frame of 2147483647 bytes exceeds the 100-byte limit/);
  // The same when the size comes in pieces after an earlier frame.
  const d = new FrameDecoder(100);
  assert.deepEqual(d.push(Buffer.concat([frame(Buffer.from('ok')), Buffer.from([0x00, 0x00])])), [Buffer.from('ok')]);
  assert.throws(() => d.push(Buffer.from([0x00, 0x65])), /frame of 101 bytes exceeds the 100-byte limit/);
  // A frame of exactly the limit is fine.
  assert.deepEqual(new FrameDecoder(3).push(frame(Buffer.from('abc'))), [Buffer.from('abc')]);
});

test('the size of a partial frame is known once its four size bytes are in, and the limit can be raised', () => {
  const d = new FrameDecoder(10);
  const f = frame(Buffer.alloc(20, 1));
  assert.equal(d.partialFrameBytes, -1);
  assert.throws(() => new FrameDecoder(10).push(f.subarray(0, 4)), /exceeds the 10-byte limit/);
  d.setMaxFrameBytes(100);
  assert.deepEqual(d.push(f.subarray(0, 3)), []);
  assert.equal(d.partialFrameBytes, -1);
  assert.deepEqual(d.push(f.subarray(3, 9)), []);
  assert.equal(d.partialFrameBytes, 20);
  assert.deepEqual(d.push(f.subarray(9)), [Buffer.alloc(20, 1)]);
  assert.equal(d.partialFrameBytes, -1);
});

describe('FrameDecoder: where spanning frames are assembled', () => {
  it('asks the allocator for a frame spanning chunks, with its first bytes, and uses what it gives', () => {
    const asked: Array<{ size: number; first: number[] }> = [];
    const arena = Buffer.alloc(64);
    const d = new FrameDecoder(1024, (size, first) => {
      asked.push({ size, first: [...first] });
      return arena.subarray(0, size);
    });
    const payload = Buffer.from([0, 0, 9, 8, 7, 6, 5, 4, 3, 2]);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, payload.length]), payload]);
    assert.deepEqual(d.push(frame.subarray(0, 6)), []);
    const out = d.push(frame.subarray(6));
    assert.equal(out.length, 1);
    assert.deepEqual(out[0], payload);
    assert.equal(out[0]!.buffer, arena.buffer);
    assert.deepEqual(asked, [{ size: 10, first: [0, 0] }]);
  });

  it('gives the allocator the first payload bytes when the size field itself was split', () => {
    const firsts: number[][] = [];
    const d = new FrameDecoder(1024, (size, first) => {
      firsts.push([...first]);
      return Buffer.alloc(size);
    });
    const payload = Buffer.from([0, 1, 2, 3, 4, 5]);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, payload.length]), payload]);
    d.push(frame.subarray(0, 2));
    d.push(frame.subarray(2, 7));
    const out = d.push(frame.subarray(7));
    assert.deepEqual(out, [payload]);
    assert.deepEqual(firsts, [[0, 1, 2]]);
  });
});
