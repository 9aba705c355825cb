import { CompressionType } from '../record-batch-header.js';
import { ProtocolError } from '../protocol-error.js';

/**
 * The compression port. Each codec's library is loaded on first use (dynamic import), so a process
 * that never compresses or decompresses — the broker, which stores batches as they arrive — never
 * loads a native module or a wasm blob.
 */
export interface CompressionCodec {
  compress(data: Buffer): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}

export { MAX_DECOMPRESSED_BYTES } from './limits.js';

const loaded = new Map<CompressionType, Promise<CompressionCodec>>();

const NONE: CompressionCodec = {
  compress: async (data) => data,
  decompress: async (data) => data,
};

async function load(type: CompressionType): Promise<CompressionCodec> {
  switch (type) {
    case CompressionType.None:
      return NONE;
    case CompressionType.Gzip:
      return (await import('./gzip.js')).createGzipCodec();
    case CompressionType.Snappy:
      return (await import('./snappy.js')).createSnappyCodec();
    case CompressionType.Lz4:
      return (await import('./lz4.js')).createLz4Codec();
    case CompressionType.Zstd:
      return (await import('./zstd.js')).createZstdCodec();
    default:
      throw new ProtocolError(`unknown compression type ${type as number} (attributes bits 0-2)`);
  }
}

/** The codec for a batch's compression type, loaded once per process. */
export function getCodec(type: CompressionType): Promise<CompressionCodec> {
  let codec = loaded.get(type);
  if (codec === undefined) {
    codec = load(type);
    // A failed load (unknown type, library missing) is not cached, so the next call reports it again.
    codec.catch(() => loaded.delete(type));
    loaded.set(type, codec);
  }
  return codec;
}

export { CompressionType };
