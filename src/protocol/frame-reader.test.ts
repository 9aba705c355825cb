import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FrameReader } from './frame-reader.js';
import { ProtocolError } from './protocol-error.js';

/** Plays a socket: each read fills at most `limit` bytes of the buffer the reader asks for. */
function readAll(reader: FrameReader, stream: Buffer, limits: number[]): Buffer[] {
  const frames: Buffer[] = [];
  let pos = 0;
  for (let i = 0; pos < stream.length; i++) {
    const target = reader.nextBuffer();
    const n = Math.min(target.length, stream.length - pos, limits[i % limits.length]!);
    stream.copy(target, 0, pos, pos + n);
    pos += n;
    for (const f of reader.onRead(n, target)) frames.push(Buffer.from(f), f);
  }
  return frames;
}

function framed(payloads: Buffer[]): Buffer {
  return Buffer.concat(payloads.flatMap((p) => [Buffer.from([p.length >>> 24, (p.length >>> 16) & 255, (p.length >>> 8) & 255, p.length & 255]), p]));
}

describe('FrameReader', () => {
  it('hands out every frame whole and in order, however the reads split them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 200_000 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 10 }),
        (payloads, limits) => {
          const reader = new FrameReader(1 << 20);
          const out = readAll(reader, framed(payloads.map((p) => Buffer.from(p))), limits);
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
    const reader = new FrameReader(1 << 20);
    const payload = Buffer.alloc(300_000, 7);
    const stream = framed([payload]);
    const first = reader.nextBuffer();
    stream.copy(first, 0, 0, first.length);
    assert.deepEqual(reader.onRead(first.length, first), []);
    const rest = reader.nextBuffer();
    assert.equal(rest.length, stream.length - first.length, 'exactly what the frame still lacks');
    stream.copy(rest, 0, first.length);
    const [frame] = reader.onRead(rest.length, rest);
    assert.equal(frame!.buffer, rest.buffer);
    assert.deepEqual(frame, payload);
  });

  it('refuses negative and oversized frame sizes', () => {
    const reader = new FrameReader(100);
    const target = reader.nextBuffer();
    target.writeInt32BE(101, 0);
    assert.throws(() => reader.onRead(4, target), ProtocolError);
    const other = new FrameReader(100);
    const t = other.nextBuffer();
    t.writeInt32BE(-1, 0);
    assert.throws(() => other.onRead(4, t), ProtocolError);
  });
});
