/**
 * Most bytes one compressed batch may expand to. Compressed data is hostile input like any other:
 * a few kilobytes of gzip or zstd can claim gigabytes. Every codec checks the size it is about to
 * produce against this limit before allocating it. 256 MiB is far above any batch a Kafka producer
 * writes (batch.size defaults to 16 KiB, message.max.bytes to ~1 MiB before compression).
 */
export const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

export interface CodecLimits {
  /** Default MAX_DECOMPRESSED_BYTES. */
  maxDecompressedBytes?: number;
}
