import type { CompressionCodec } from './index.js';
import { type CodecLimits, MAX_DECOMPRESSED_BYTES } from './limits.js';
import { ProtocolError } from '../protocol-error.js';

const ZSTD_MAGIC = 0xfd2fb528;
/** Level 3 is zstd's default and what the Java client uses unless compression.zstd.level says otherwise. */
const ZSTD_LEVEL = 3;
/** First output guess when a frame does not declare its size. */
const MIN_GUESS_BYTES = 64 * 1024;

/**
 * The content size a zstd frame header declares, or null when it does not declare one. Streaming
 * compressors (the Java client's zstd-jni stream, librdkafka) usually omit it, so the output size
 * must then be found by trying.
 * Frame header: magic (4, LE), descriptor (1), window descriptor (1, absent in single-segment
 * frames), dictionary id (0/1/2/4), content size (0/1/2/4/8; the 2-byte form is offset by 256).
 */
export function zstdDeclaredSize(data: Buffer): number | null {
  if (data.length < 5 || data.readUInt32LE(0) !== ZSTD_MAGIC) {
    throw new ProtocolError('zstd: data does not start with a zstd frame');
  }
  const descriptor = data[4]!;
  const sizeFlag = descriptor >>> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 0x03]!;
  const sizeBytes = sizeFlag === 0 ? (singleSegment ? 1 : 0) : [0, 2, 4, 8][sizeFlag]!;
  if (sizeBytes === 0) return null;
  const at = 5 + (singleSegment ? 0 : 1) + dictionaryIdBytes;
  if (data.length < at + sizeBytes) throw new ProtocolError('zstd: truncated frame header');
  switch (sizeBytes) {
    case 1:
      return data[at]!;
    case 2:
      return data.readUInt16LE(at) + 256;
    case 4:
      return data.readUInt32LE(at);
    default:
      return data.readUInt32LE(at + 4) * 4294967296 + data.readUInt32LE(at);
  }
}

type ZstdLibrary = typeof import('@bokuweb/zstd-wasm');
let zstdLibrary: Promise<ZstdLibrary> | undefined;

/** The wasm module may be initialised only once per process, however many codecs are made. */
function loadZstd(): Promise<ZstdLibrary> {
  zstdLibrary ??= import('@bokuweb/zstd-wasm').then(async (lib) => {
    await lib.init();
    return lib;
  });
  zstdLibrary.catch(() => (zstdLibrary = undefined));
  return zstdLibrary;
}

/**
 * zstd through a wasm build of the reference library, initialised once. Legal only with Produce v7+
 * and Fetch v10+ (the caller checks versions).
 */
export async function createZstdCodec(limits: CodecLimits = {}): Promise<CompressionCodec> {
  const maxBytes = limits.maxDecompressedBytes ?? MAX_DECOMPRESSED_BYTES;
  const zstd = await loadZstd();

  function decompressInto(data: Buffer, capacity: number): Buffer {
    const out = zstd.decompress(data, { defaultHeapSize: capacity });
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  }

  return {
    async compress(data) {
      const out = zstd.compress(data, ZSTD_LEVEL);
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    },
    async decompress(data) {
      const declared = zstdDeclaredSize(data);
      if (declared !== null && declared > maxBytes) {
        throw new ProtocolError(`zstd: frame declares ${declared} bytes, above the ${maxBytes}-byte limit`);
      }
      // Unknown size: try a buffer a few times the input, growing 4x while the library reports
      // that the output did not fit, up to the limit.
      let capacity = declared ?? Math.min(maxBytes, Math.max(MIN_GUESS_BYTES, data.length * 8));
      for (;;) {
        try {
          return decompressInto(data, capacity);
        } catch (err) {
          if (declared !== null || capacity >= maxBytes || !isOutputTooSmall(err)) {
            throw new ProtocolError(`zstd: cannot decompress ${data.length} bytes: ${(err as Error).message}`);
          }
          capacity = Math.min(maxBytes, capacity * 4);
        }
      }
    },
  };
}

/** ZSTD_error_dstSize_tooSmall is error 70; the library reports it as "... code -70". */
function isOutputTooSmall(err: unknown): boolean {
  return err instanceof Error && /code -70\b/.test(err.message);
}
