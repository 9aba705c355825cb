import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FrameDecoder } from './frame-decoder.js';
import { ProtocolError } from './protocol-error.js';

/**
 * Plays a socket: each read fills at most `limit` bytes of the buffer the decoder asks for. The
 * caller's room for a partial frame comes after the read (`allocateAfter`) or never.
 */
function readAll(reader: FrameDecoder, stream: Buffer, limits: number[], allocateAfter = true): Buffer[] {
  const frames: Buffer[] = [];
  let pos = 0;
  for (let i = 0; pos < stream.length; i++) {
    const target = reader.nextReadBuffer();
    const n = Math.min(target.length, stream.length - pos, limits[i % limits.length]!);
    stream.copy(target, 0, pos, pos + n);
    pos += n;
    for (const f of reader.onRead(n, target)) frames.push(Buffer.from(f), f);
    if (allocateAfter) reader.allocatePartialFrame();
  }
  return frames;
}

function framed(payloads: Buffer[]): Buffer {
  return Buffer.concat(payloads.flatMap((p) => [Buffer.from([p.length >>> 24, (p.length >>> 16) & 255, (p.length >>> 8) & 255, p.length & 255]), p]));
}

describe('FrameDecoder reading into buffers it chooses', () => {
  it('hands out every frame whole and in order, however the reads split them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 200_000 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 10 }),
        fc.boolean(),
        (payloads, limits, allocateAfter) => {
          const reader = new FrameDecoder(1 << 20);
          const out = readAll(reader, framed(payloads.map((p) => Buffer.from(p))), limits, allocateAfter);
          // Each frame twice: a copy taken when handed out, then the frame itself after the rest was
          // read, which proves later reads did not write into frames already handed out.
          const copies = out.filter((_, i) => i % 2 === 0);
          const later = out.filter((_, i) => i % 2 === 1);
          assert.deepEqual(copies.map((b) => [...b]), payloads.map((p) => [...p]));
          assert.deepEqual(later.map((b) => [...b]), payloads.map((p) => [...p]));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads the rest of a large frame straight into that frame', () => {
    const allocated: number[] = [];
    const reader = new FrameDecoder(1 << 20, (size) => {
      allocated.push(size);
      return Buffer.allocUnsafe(size);
    });
    const payload = Buffer.alloc(300_000, 7);
    const stream = framed([payload]);
    const first = reader.nextReadBuffer();
    stream.copy(first, 0, 0, first.length);
    assert.deepEqual(reader.onRead(first.length, first), []);
    assert.deepEqual(allocated, [], 'no buffer until the caller has room for the frame');
    reader.allocatePartialFrame();
    assert.deepEqual(allocated, [300_000]);
    const rest = reader.nextReadBuffer();
    assert.equal(rest.length, stream.length - first.length, 'exactly what the frame still lacks');
    stream.copy(rest, 0, first.length);
    const [frame] = reader.onRead(rest.length, rest);
    assert.equal(frame!.buffer, rest.buffer);
    assert.deepEqual(frame, payload);
  });

  it('refuses negative and oversized frame sizes', () => {
    const reader = new FrameDecoder(100);
    const target = reader.nextReadBuffer();
    target.writeInt32BE(101, 0);
    assert.throws(() => reader.onRead(4, target), ProtocolError);
    const other = new FrameDecoder(100);
    const t = other.nextReadBuffer();
    t.writeInt32BE(-1, 0);
    assert.throws(() => other.onRead(4, t), ProtocolError);
  });
});
