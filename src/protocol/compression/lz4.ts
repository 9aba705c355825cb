import type { CompressionCodec } from './index.js';
import { ProtocolError } from '../protocol-error.js';

/**
 * LZ4 in the LZ4 *frame* format (the only one RecordBatch v2 uses; the broken header checksum of
 * the magic-0 era does not apply). The library writes 64 KiB independent blocks without content
 * size or checksums, the same frame options the Java client writes. Output per block is bounded by
 * the frame's block size, so decompression cannot be made to allocate ahead of real data.
 */
export async function createLz4Codec(): Promise<CompressionCodec> {
  const lz4 = await import('lz4-napi');
  return {
    compress: (data) => lz4.compressFrame(data),
    async decompress(data) {
      try {
        return await lz4.decompressFrame(data);
      } catch (err) {
        throw new ProtocolError(`lz4: cannot decompress ${data.length} bytes: ${(err as Error).message}`);
      }
    },
  };
}
