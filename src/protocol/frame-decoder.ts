import { ProtocolError } from './protocol-error.js';

/** A frame's declared size, refused when negative or above `maxFrameBytes`. */
export function checkedFrameSize(size: number, maxFrameBytes: number): number {
  if (size < 0) throw new ProtocolError(`negative frame size ${size}`);
  if (size > maxFrameBytes) throw new ProtocolError(`frame of ${size} bytes exceeds the ${maxFrameBytes}-byte limit`);
  return size;
}

/** Reads that are not the rest of a known frame land in a scratch buffer of this size, as Node's own reads. */
const SCRATCH_BYTES = 64 * 1024;

/**
 * One scratch buffer for every decoder of the process, so a broker with thousands of connections
 * does not hold 64 KiB for each. Safe because a read and its callback run back to back on the one
 * JavaScript thread, and `onRead` copies whatever it keeps of the scratch before it returns.
 */
let sharedScratch: Buffer | null = null;

/**
 * Splits a byte stream into Kafka frames (int32 size + payload). A size below zero or above
 * `maxFrameBytes` is rejected as soon as its four bytes arrive. Whole frames inside one chunk are
 * handed out as views of that chunk (no copy); a frame that spans chunks is copied into one buffer
 * of its declared size as its bytes arrive, so each chunk can be freed at once and completing the
 * frame costs no second copy. That buffer is allocated when the frame's second chunk arrives (the
 * first is held as it came), so a caller that stops reading after the first chunk until it has
 * room for the frame (queued.max.request.bytes) allocates nothing for it meanwhile.
 * Every frame handed out is its own buffer or a view into a chunk that is never reused.
 *
 * Bytes come in one of two ways: chunks from Node's reads (`push`), each a new allocation, or
 * reads into buffers the decoder chooses (`nextReadBuffer` and `onRead`, for Node's `onread`):
 * the rest of a frame larger than one read then goes straight into the frame's own buffer, and
 * everything else into one shared scratch buffer that small frames are copied out of. The second
 * way allocates nothing per read: on a VM each fresh 64 KiB read buffer cost page faults, and V8
 * counts array buffers allocated since the last full collection against the old generation's
 * limit, so a process with a small heap reading hundreds of MB/s ran a full collection every
 * 15 MB read.
 */
export class FrameDecoder {
  /** Up to three bytes of a size field not yet complete. */
  private head: Buffer = Buffer.alloc(0);
  /** The declared size of the frame being received (-1: none), its first bytes as they came, and its buffer once allocated. */
  private frameSize = -1;
  private firstBytes: Buffer | null = null;
  private frame: Buffer | null = null;
  private filled = 0;
  /** The part of `frame` handed out as the next read's buffer. */
  private readTarget: Buffer | null = null;

  /**
   * @param allocate where a frame that spans chunks is assembled: given its size and its first
   *   bytes (at least one), a buffer of exactly that size; by default a new one. The broker hands
   *   out recycled buffers for Produce requests this way (see BufferRecycler).
   */
  constructor(
    private maxFrameBytes: number,
    private readonly allocate: (size: number, firstBytes: Buffer) => Buffer = (size) => Buffer.allocUnsafe(size),
  ) {}

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.frameSize >= 0 ? 4 + this.filled : this.head.length;
  }

  /**
   * The declared payload size of the frame being received, once its four size bytes are in; -1
   * when no frame is started or its size is not yet known. Lets the caller reserve memory for the
   * whole frame before reading more of it.
   */
  get partialFrameBytes(): number {
    return this.frameSize;
  }

  /**
   * Changes the largest frame accepted from now on (a SASL listener raises it once the peer has
   * authenticated). A frame whose size is already known was checked against the old limit.
   */
  setMaxFrameBytes(maxFrameBytes: number): void {
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Where the socket should read next when the caller chooses its read buffers (Node's `onread`):
   * the rest of the frame being received once its buffer exists, so its bytes land in place with
   * no copy; otherwise a scratch buffer shared by every read, whose bytes `onRead` copies out.
   */
  nextReadBuffer(): Buffer {
    if (this.frame !== null && this.filled < this.frame.length) {
      this.readTarget = this.frame.subarray(this.filled);
      return this.readTarget;
    }
    this.readTarget = null;
    return (sharedScratch ??= Buffer.allocUnsafeSlow(SCRATCH_BYTES));
  }

  /** `nread` bytes were read into `buf`, the last `nextReadBuffer()`; returns the frames completed. */
  onRead(nread: number, buf: Buffer): Buffer[] {
    if (buf !== this.readTarget || this.frame === null) return this.push(buf.subarray(0, nread), true);
    this.readTarget = null;
    this.filled += nread;
    return this.filled < this.frameSize ? [] : [this.takeFrame()];
  }

  /**
   * Gives the frame being received its buffer now rather than when its next bytes arrive, so
   * that they are read straight into it (see `nextReadBuffer`). The caller does this once it has
   * room for the frame (queued.max.request.bytes).
   */
  allocatePartialFrame(): void {
    if (this.frameSize < 0 || this.frame !== null || this.firstBytes === null) return;
    this.frame = this.allocate(this.frameSize, this.firstBytes);
    this.firstBytes.copy(this.frame, 0);
    this.firstBytes = null;
  }

  /**
   * Feeds a chunk; returns the frame payloads (without size prefix) it completes. A `transient`
   * chunk is overwritten once this returns (a scratch buffer): whatever is kept of it is copied.
   */
  push(chunk: Buffer, transient = false): Buffer[] {
    const frames: Buffer[] = [];
    let pos = 0;
    if (this.head.length > 0) {
      const take = Math.min(4 - this.head.length, chunk.length);
      this.head = Buffer.concat([this.head, chunk.subarray(0, take)]);
      pos = take;
      if (this.head.length < 4) return frames;
      this.startFrame(this.checkedSize(this.head.readInt32BE(0)));
      this.head = Buffer.alloc(0);
    }
    if (this.frameSize >= 0) {
      pos = this.fill(chunk, pos);
      if (this.filled < this.frameSize) return frames;
      frames.push(this.takeFrame());
    }
    while (chunk.length - pos >= 4) {
      const size = this.checkedSize(chunk.readInt32BE(pos));
      if (chunk.length - pos - 4 >= size) {
        const frame = chunk.subarray(pos + 4, pos + 4 + size);
        frames.push(transient ? Buffer.from(frame) : frame);
        pos += 4 + size;
        continue;
      }
      this.startFrame(size);
      this.firstBytes = transient ? Buffer.from(chunk.subarray(pos + 4)) : chunk.subarray(pos + 4);
      this.filled = this.firstBytes.length;
      return frames;
    }
    if (pos < chunk.length) this.head = Buffer.from(chunk.subarray(pos));
    return frames;
  }

  private startFrame(size: number): void {
    this.frameSize = size;
    this.frame = null;
    this.firstBytes = null;
    this.filled = 0;
  }

  /** The frame just completed; no frame is in progress after it. */
  private takeFrame(): Buffer {
    const frame = this.frame!;
    this.frameSize = -1;
    this.frame = null;
    this.filled = 0;
    return frame;
  }

  /** Copies from `chunk` at `pos` into the frame being received; returns the new position. */
  private fill(chunk: Buffer, pos: number): number {
    this.allocatePartialFrame();
    // A frame whose size came in across chunks has no first bytes: these are its first.
    this.frame ??= this.allocate(this.frameSize, chunk.subarray(pos));
    const frame = this.frame;
    const n = Math.min(chunk.length - pos, frame.length - this.filled);
    chunk.copy(frame, this.filled, pos, pos + n);
    this.filled += n;
    return pos + n;
  }

  private checkedSize(size: number): number {
    return checkedFrameSize(size, this.maxFrameBytes);
  }
}
