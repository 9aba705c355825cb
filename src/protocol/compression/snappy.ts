import type { CompressionCodec } from './index.js';
import { type CodecLimits, MAX_DECOMPRESSED_BYTES } from './limits.js';
import { isXerialFramed, snappyDeclaredLength, XERIAL_BLOCK_BYTES, xerialBlocks, xerialFrame } from './snappy-framing.js';
import { ProtocolError } from '../protocol-error.js';

/**
 * snappy. Compression writes the xerial framing (what the Java client writes, and what every
 * client reads); decompression accepts both that framing and a raw snappy block (what librdkafka
 * writes), told apart by the xerial magic.
 */
export async function createSnappyCodec(limits: CodecLimits = {}): Promise<CompressionCodec> {
  const maxBytes = limits.maxDecompressedBytes ?? MAX_DECOMPRESSED_BYTES;
  const snappy = await import('snappy');

  async function compress(data: Buffer): Promise<Buffer> {
    const pending: Promise<Buffer>[] = [];
    for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK_BYTES) {
      pending.push(snappy.compress(data.subarray(pos, Math.min(pos + XERIAL_BLOCK_BYTES, data.length))));
    }
    return xerialFrame(await Promise.all(pending));
  }

  async function decompressBlock(block: Buffer): Promise<Buffer> {
    try {
      return (await snappy.uncompress(block, { asBuffer: true })) as Buffer;
    } catch (err) {
      throw new ProtocolError(`snappy: cannot decompress a ${block.length}-byte block: ${(err as Error).message}`);
    }
  }

  async function decompress(data: Buffer): Promise<Buffer> {
    const blocks = isXerialFramed(data) ? xerialBlocks(data) : [data];
    let declared = 0;
    for (const block of blocks) declared += snappyDeclaredLength(block);
    if (declared > maxBytes) {
      throw new ProtocolError(`snappy: data declares ${declared} uncompressed bytes, above the ${maxBytes}-byte limit`);
    }
    if (blocks.length === 1) return decompressBlock(blocks[0]!);
    const parts = await Promise.all(blocks.map(decompressBlock));
    return Buffer.concat(parts, declared);
  }

  return { compress, decompress };
}
