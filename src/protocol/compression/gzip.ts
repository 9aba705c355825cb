import { gunzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { CompressionCodec } from './index.js';
import { type CodecLimits, MAX_DECOMPRESSED_BYTES } from './limits.js';
import { ProtocolError } from '../protocol-error.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** gzip: a plain gzip stream (several concatenated members are accepted, as zlib does). */
export function createGzipCodec(limits: CodecLimits = {}): CompressionCodec {
  const maxOutputLength = limits.maxDecompressedBytes ?? MAX_DECOMPRESSED_BYTES;
  return {
    compress: (data) => gzipAsync(data),
    async decompress(data) {
      try {
        return await gunzipAsync(data, { maxOutputLength });
      } catch (err) {
        throw new ProtocolError(`gzip: cannot decompress ${data.length} bytes: ${(err as Error).message}`);
      }
    },
  };
}
