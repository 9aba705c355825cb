import type { CompressionCodec } from './index.js';
import { type CodecLimits, MAX_DECOMPRESSED_BYTES } from './limits.js';
import { ProtocolError } from '../protocol-error.js';

const LZ4_FRAME_MAGIC = 0x184d2204;
const FLG_CONTENT_SIZE = 0x08;

/**
 * The content size an LZ4 frame declares (FLG bit 3, then 8 bytes little-endian after BD), or
 * null when it declares none (the Java client and librdkafka write none).
 */
export function lz4DeclaredSize(data: Buffer): number | null {
  if (data.length < 7 || data.readUInt32LE(0) !== LZ4_FRAME_MAGIC) {
    throw new ProtocolError('lz4: data does not start with an LZ4 frame');
  }
  if ((data[4]! & FLG_CONTENT_SIZE) === 0) return null;
  if (data.length < 14) throw new ProtocolError('lz4: truncated frame header');
  return data.readUInt32LE(10) * 4294967296 + data.readUInt32LE(6);
}

/**
 * LZ4 in the LZ4 *frame* format (the only one RecordBatch v2 uses; the broken header checksum of
 * the magic-0 era does not apply). The library writes 64 KiB independent blocks without content
 * size or checksums, the same frame options the Java client writes.
 */
export async function createLz4Codec(limits: CodecLimits = {}): Promise<CompressionCodec> {
  const maxBytes = limits.maxDecompressedBytes ?? MAX_DECOMPRESSED_BYTES;
  const lz4 = await import('lz4-napi');
  return {
    compress: (data) => lz4.compressFrame(data),
    async decompress(data) {
      const declared = lz4DeclaredSize(data);
      if (declared !== null && declared > maxBytes) {
        throw new ProtocolError(`lz4: frame declares ${declared} bytes, above the ${maxBytes}-byte limit`);
      }
      let out: Buffer;
      try {
        out = await lz4.decompressFrame(data);
      } catch (err) {
        throw new ProtocolError(`lz4: cannot decompress ${data.length} bytes: ${(err as Error).message}`);
      }
      // Without a declared size the library grows its output as it decodes (at most ~255x the
      // input, LZ4's best ratio); the limit is then enforced on the result.
      if (out.length > maxBytes) throw new ProtocolError(`lz4: frame expands to ${out.length} bytes, above the ${maxBytes}-byte limit`);
      return out;
    },
  };
}
