const TWO_POW_32 = 4294967296;

/** Byte arrays at least this large are referenced, not copied, into the output. */
const REFERENCE_THRESHOLD_BYTES = 4096;

/**
 * A growable output buffer. Small fields are written into one scratch buffer; large byte fields
 * (record batches above all) are kept as references, so a Fetch response or a Produce request
 * carrying megabytes of records is assembled without copying them. `finish()` returns the parts,
 * ready for `socket.write` one by one (or `Buffer.concat` when one buffer is needed).
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;
  /** Start of the part of `buf` not yet moved into `parts`. */
  private partStart = 0;
  private readonly parts: Buffer[] = [];
  private sizeOfParts = 0;
  private readonly sizePrefix: boolean;

  /** With `sizePrefix`, the first 4 bytes are reserved for the frame size, filled by `finish()`. */
  constructor(options: { initialBytes?: number; sizePrefix?: boolean } = {}) {
    // Never empty: doubling a zero-byte buffer would never grow (initialBytes: 0 used to hang),
    // and the size prefix must fit in the first part.
    this.buf = Buffer.allocUnsafe(Math.max(options.initialBytes ?? 256, 8));
    this.sizePrefix = options.sizePrefix ?? false;
    if (this.sizePrefix) this.pos = 4;
  }

  /** Bytes written so far (including a reserved size prefix). */
  get length(): number {
    return this.sizeOfParts + (this.pos - this.partStart);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    // Keep the finished parts where they are; move only the open part into a bigger buffer.
    const open = this.pos - this.partStart;
    let size = this.buf.length * 2;
    while (size < open + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    // Bytes before partStart already live in `parts` as views of the old buffer.
    this.buf.copy(next, 0, this.partStart, this.pos);
    this.buf = next;
    this.pos = open;
    this.partStart = 0;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  uint8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: number): this {
    this.ensure(8);
    const hi = Math.floor(v / TWO_POW_32);
    const lo = v - hi * TWO_POW_32;
    this.buf.writeInt32BE(hi | 0, this.pos);
    this.buf.writeUInt32BE(lo >>> 0, this.pos + 4);
    this.pos += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** A UUID in Kafka's printed form (22 characters of URL-safe base64). */
  uuid(v: string): this {
    this.ensure(16);
    const written = this.buf.write(v, this.pos, 16, 'base64url');
    if (written !== 16) this.buf.fill(0, this.pos + written, this.pos + 16);
    this.pos += 16;
    return this;
  }

  uvarint(v: number): this {
    this.ensure(5);
    const buf = this.buf;
    let n = v >>> 0;
    while (n >= 0x80) {
      buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[this.pos++] = n;
    return this;
  }

  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** Zig-zag varlong; exact for |v| < 2^52. */
  varlong(v: number): this {
    this.ensure(10);
    let u = v >= 0 ? v * 2 : -v * 2 - 1;
    const buf = this.buf;
    while (u >= 0x80) {
      buf[this.pos++] = (u % 128) | 0x80;
      u = Math.floor(u / 128);
    }
    buf[this.pos++] = u;
    return this;
  }

  nullableString(v: string | null, compact: boolean): this {
    if (v === null) return compact ? this.uvarint(0) : this.int16(-1);
    const n = Buffer.byteLength(v, 'utf8');
    if (compact) this.uvarint(n + 1);
    else this.int16(n);
    this.ensure(n);
    this.buf.write(v, this.pos, n, 'utf8');
    this.pos += n;
    return this;
  }

  string(v: string, compact: boolean): this {
    return this.nullableString(v, compact);
  }

  nullableBytes(v: Uint8Array | null, compact: boolean): this {
    if (v === null) return compact ? this.uvarint(0) : this.int32(-1);
    if (compact) this.uvarint(v.length + 1);
    else this.int32(v.length);
    return this.raw(v);
  }

  bytes(v: Uint8Array, compact: boolean): this {
    return this.nullableBytes(v, compact);
  }

  /** A RECORDS field: one buffer or several (a log read may span segments), written back to back. */
  records(v: Uint8Array | readonly Uint8Array[] | null, compact: boolean): this {
    if (v === null) return compact ? this.uvarint(0) : this.int32(-1);
    if (v instanceof Uint8Array) return this.nullableBytes(v, compact);
    let n = 0;
    for (const part of v) n += part.length;
    if (compact) this.uvarint(n + 1);
    else this.int32(n);
    for (const part of v) this.raw(part);
    return this;
  }

  arrayLength(n: number, compact: boolean): this {
    return compact ? this.uvarint(n + 1) : this.int32(n);
  }

  /** An empty tagged-field buffer. */
  emptyTags(): this {
    return this.uint8(0);
  }

  /** Appends bytes as they are: copied when small, referenced when large. */
  raw(v: Uint8Array): this {
    if (v.length >= REFERENCE_THRESHOLD_BYTES) {
      this.flushOpenPart();
      this.parts.push(Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.length));
      this.sizeOfParts += v.length;
      return this;
    }
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  private flushOpenPart(): void {
    if (this.pos > this.partStart) {
      this.parts.push(this.buf.subarray(this.partStart, this.pos));
      this.sizeOfParts += this.pos - this.partStart;
      this.partStart = this.pos;
    }
  }

  /**
   * The output as parts. With a size prefix, the first part starts with the int32 size of
   * everything after it. The writer must not be used afterwards.
   */
  finish(): Buffer[] {
    this.flushOpenPart();
    if (this.sizePrefix) {
      const first = this.parts[0]!;
      first.writeInt32BE(this.sizeOfParts - 4, 0);
    }
    return this.parts;
  }

  /** The output as one buffer (copies only when it is made of several parts). */
  toBuffer(): Buffer {
    const parts = this.finish();
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.sizeOfParts);
  }
}
