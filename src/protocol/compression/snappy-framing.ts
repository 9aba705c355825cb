import { ProtocolError } from '../protocol-error.js';

/**
 * The xerial snappy-java stream framing that the Java client writes around snappy data:
 * an 8-byte magic (0x82 "SNAPPY" 0x00), int32 version, int32 compatible version, then blocks of
 * int32 length + one raw snappy block. librdkafka writes a raw snappy block with no framing, so a
 * reader must tell the two apart by the magic (Kafka clients all do).
 */
export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
export const XERIAL_HEADER_BYTES = 16;
/** snappy-java's default block size, so our framed output splits as the Java client's does. */
export const XERIAL_BLOCK_BYTES = 32 * 1024;
const XERIAL_VERSION = 1;
const XERIAL_COMPATIBLE_VERSION = 1;

export function isXerialFramed(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_BYTES && data.compare(XERIAL_MAGIC, 0, 8, 0, 8) === 0;
}

/** The raw snappy blocks inside a xerial stream, as views (no copy). */
export function xerialBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let pos = XERIAL_HEADER_BYTES;
  while (pos < data.length) {
    if (data.length - pos < 4) throw new ProtocolError(`snappy: truncated xerial block length at offset ${pos}`);
    const length = data.readInt32BE(pos);
    pos += 4;
    if (length < 0 || length > data.length - pos) {
      throw new ProtocolError(`snappy: xerial block of ${length} bytes at offset ${pos - 4} runs past the ${data.length}-byte stream`);
    }
    blocks.push(data.subarray(pos, pos + length));
    pos += length;
  }
  return blocks;
}

/** Frames raw snappy blocks the way snappy-java's output stream does. */
export function xerialFrame(blocks: readonly Buffer[]): Buffer {
  let size = XERIAL_HEADER_BYTES;
  for (const b of blocks) size += 4 + b.length;
  const out = Buffer.allocUnsafe(size);
  XERIAL_MAGIC.copy(out, 0);
  out.writeInt32BE(XERIAL_VERSION, 8);
  out.writeInt32BE(XERIAL_COMPATIBLE_VERSION, 12);
  let pos = XERIAL_HEADER_BYTES;
  for (const b of blocks) {
    out.writeInt32BE(b.length, pos);
    b.copy(out, pos + 4);
    pos += 4 + b.length;
  }
  return out;
}

/**
 * The uncompressed length a raw snappy block declares (its leading unsigned varint), read before
 * decompressing so a hostile block cannot make the library allocate gigabytes.
 */
export function snappyDeclaredLength(block: Buffer): number {
  let result = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const b = block[i]!;
    result += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return result;
  }
  throw new ProtocolError('snappy: block does not start with a valid length varint');
}
