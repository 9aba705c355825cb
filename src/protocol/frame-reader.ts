import { checkedFrameSize } from './frame-decoder.js';

/** Reads that are not the rest of a known frame land here; 64 KiB as Node's own reads. */
const SCRATCH_BYTES = 64 * 1024;

/**
 * Splits a socket's bytes into Kafka frames (int32 size + payload) while choosing where the
 * socket reads into (Node's `onread` option): the rest of a frame larger than one read goes
 * straight into that frame's own buffer, and everything else into one reused scratch buffer from
 * which small frames are copied out.
 *
 * Why: with Node's default reads every 64 KiB chunk is a new allocation the kernel then faults in,
 * and a frame spanning chunks is copied once more into a second new buffer. A Fetch response of a
 * few hundred KiB cost two page faults per 4 KiB that way; read in place it costs one, and no copy.
 * Every frame handed out is its own buffer, never written again (consumers keep record values as
 * views of it).
 */
export class FrameReader {
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /** Up to three bytes of a size field not yet complete. */
  private head: number[] = [];
  /** The frame being received and how much of it is in. */
  private frame: Buffer | null = null;
  private filled = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Where the next read goes: the rest of the frame in progress, else the scratch buffer. */
  nextBuffer(): Buffer {
    return this.frame !== null ? this.frame.subarray(this.filled) : this.scratch;
  }

  /** `nread` bytes were read into `buf` (the last `nextBuffer()`); returns the frames completed. */
  onRead(nread: number, buf: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    if (this.frame !== null && buf.buffer === this.frame.buffer) {
      this.filled += nread;
      if (this.filled === this.frame.length) {
        frames.push(this.frame);
        this.frame = null;
        this.filled = 0;
      }
      return frames;
    }
    this.parse(buf.subarray(0, nread), frames);
    return frames;
  }

  private parse(chunk: Buffer, frames: Buffer[]): void {
    let pos = 0;
    while (pos < chunk.length) {
      let size: number;
      if (this.head.length > 0 || chunk.length - pos < 4) {
        while (this.head.length < 4 && pos < chunk.length) this.head.push(chunk[pos++]!);
        if (this.head.length < 4) return;
        const h = this.head;
        size = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) | 0;
        this.head = [];
      } else {
        size = chunk.readInt32BE(pos);
        pos += 4;
      }
      checkedFrameSize(size, this.maxFrameBytes);
      const available = chunk.length - pos;
      if (available >= size) {
        // Copied out: the scratch buffer takes the next read.
        frames.push(Buffer.from(chunk.subarray(pos, pos + size)));
        pos += size;
        continue;
      }
      this.frame = Buffer.allocUnsafe(size);
      chunk.copy(this.frame, 0, pos);
      this.filled = available;
      return;
    }
  }

}
