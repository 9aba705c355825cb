import { ProtocolError } from './protocol-error.js';

const TWO_POW_32 = 4294967296;

/**
 * A bounds-checked cursor over one frame. Every read checks that its bytes lie inside
 * `[pos, end)`; every length read from the wire is checked against the bytes that remain before
 * anything is allocated, so hostile input can never make us allocate more than the frame holds.
 *
 * `bytes()` and `records()` return views into the frame (no copy): callers that keep them beyond
 * the life of the request must copy.
 */
export class Reader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    pos = 0,
    end = buf.length,
  ) {
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new ProtocolError(`truncated: need ${n} bytes at offset ${this.pos}, have ${this.end - this.pos}`);
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  uint8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** int64 as a JS number: exact for |v| < 2^53, which covers offsets, timestamps and ids. */
  int64(): number {
    this.need(8);
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return hi * TWO_POW_32 + lo;
  }

  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A UUID, rendered the way Kafka prints one: 22 characters of URL-safe base64. */
  uuid(): string {
    this.need(16);
    const s = this.buf.toString('base64url', this.pos, this.pos + 16);
    this.pos += 16;
    return s;
  }

  /** Unsigned 32-bit varint (at most 5 bytes). */
  uvarint(): number {
    const buf = this.buf;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw new ProtocolError(`truncated varint at offset ${this.pos}`);
      const b = buf[this.pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) throw new ProtocolError('unsigned varint exceeds 32 bits');
        return result;
      }
      shift += 7;
    }
    throw new ProtocolError('unsigned varint longer than 5 bytes');
  }

  /** Zig-zag signed 32-bit varint. */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Zig-zag signed 64-bit varint (at most 10 bytes), exact for |v| < 2^53. */
  varlong(): number {
    const buf = this.buf;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtocolError(`truncated varlong at offset ${this.pos}`);
      const b = buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      mul *= 128;
    }
    throw new ProtocolError('varlong longer than 10 bytes');
  }

  /** Length prefix of a string: int16 (classic) or uvarint N+1 (compact). -1 means null. */
  private stringLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int16();
    if (n < -1) throw new ProtocolError(`negative string length ${n}`);
    return n;
  }

  nullableString(compact: boolean): string | null {
    const n = this.stringLength(compact);
    if (n === -1) return null;
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  string(compact: boolean): string {
    const s = this.nullableString(compact);
    if (s === null) throw new ProtocolError('null string where none is allowed');
    return s;
  }

  private bytesLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < -1) throw new ProtocolError(`negative bytes length ${n}`);
    return n;
  }

  nullableBytes(compact: boolean): Buffer | null {
    const n = this.bytesLength(compact);
    if (n === -1) return null;
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  bytes(compact: boolean): Buffer {
    const b = this.nullableBytes(compact);
    if (b === null) throw new ProtocolError('null bytes where none are allowed');
    return b;
  }

  /** Raw bytes without a length prefix. */
  raw(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /**
   * Array element count, -1 for null. A count larger than the bytes left cannot be honest (every
   * element takes at least one byte on the wire), so it is rejected before anything is allocated.
   */
  arrayLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < -1) throw new ProtocolError(`negative array length ${n}`);
    if (n > this.end - this.pos) {
      throw new ProtocolError(`array length ${n} exceeds the ${this.end - this.pos} bytes left`);
    }
    return n;
  }

  /** Skips a tagged-field buffer (KIP-482), returning nothing. */
  skipTags(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      const size = this.uvarint();
      this.need(size);
      this.pos += size;
    }
  }
}
