import { ProtocolError } from './protocol-error.js';

/**
 * Splits a byte stream into Kafka frames (int32 size + payload). Chunks are buffered only until a
 * frame is complete; a size below zero or above `maxFrameBytes` is rejected as soon as its four
 * bytes arrive, before anything is allocated for it. Every frame handed out is its own buffer (or a
 * view into a chunk that is never reused), so views into it stay valid.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Feeds a chunk; returns the frame payloads (without size prefix) it completes. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    if (this.buffered === 0) {
      // Fast path: whole frames inside one chunk need no copying.
      let pos = 0;
      while (chunk.length - pos >= 4) {
        const size = this.checkedSize(chunk.readInt32BE(pos));
        if (chunk.length - pos - 4 < size) break;
        frames.push(chunk.subarray(pos + 4, pos + 4 + size));
        pos += 4 + size;
      }
      if (pos < chunk.length) {
        this.chunks.push(chunk.subarray(pos));
        this.buffered = chunk.length - pos;
      }
      return frames;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const size = this.checkedSize(this.peekSize());
      if (this.buffered < 4 + size) break;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      frames.push(all.subarray(4, 4 + size));
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      if (this.buffered > 0 && frames.length > 0) {
        // Let the loop continue with the remainder (it may hold more frames).
        continue;
      }
    }
    return frames;
  }

  private peekSize(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 64)).subarray(0, 4);
    return head.readInt32BE(0);
  }

  private checkedSize(size: number): number {
    if (size < 0) throw new ProtocolError(`negative frame size ${size}`);
    if (size > this.maxFrameBytes) {
      throw new ProtocolError(`frame of ${size} bytes exceeds the ${this.maxFrameBytes}-byte limit`);
    }
    return size;
  }
}
