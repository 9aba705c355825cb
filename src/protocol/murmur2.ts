/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`): seed 0x9747b28c, m = 0x5bd1e995, r = 24,
 * 4-byte little-endian blocks, wrapping 32-bit arithmetic. Returns the signed 32-bit hash.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const blocks = length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const o = i * 4;
    let k = data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = blocks * 4;
  // The Java code's fall-through switch over the 1-3 trailing bytes, unrolled.
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition the Java producer picks for a keyed record: `toPositive(murmur2(key)) % n`, where
 * toPositive masks the sign bit (it is not Math.abs).
 */
export function murmur2Partition(key: Uint8Array, numPartitions: number): number {
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}
