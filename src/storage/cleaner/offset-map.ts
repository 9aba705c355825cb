import { hashKey } from './key-hash.js';

/** Bytes one entry takes: a 16-byte key hash and an 8-byte offset, as in Kafka's map (MD5 + long). */
export const OFFSET_MAP_ENTRY_BYTES = 24;
/** Kafka's `log.cleaner.io.buffer.load.factor`: the map is full at this share of its slots. */
export const OFFSET_MAP_LOAD_FACTOR = 0.9;

/**
 * The cleaner's key → latest offset map over the dirty part of a log, in memory fixed up front
 * (Kafka's SkimpyOffsetMap sized by `log.cleaner.dedupe.buffer.size`): keys are stored as 128-bit
 * hashes, never as bytes, so a map of N slots costs 24·N bytes however long the keys are. Open
 * addressing with double hashing over a prime number of slots; the map counts as full at the load
 * factor, where the cleaner stops reading the dirty section and cleans what it has mapped.
 */
export class OffsetMap {
  readonly slots: number;
  /** Distinct keys the map takes before it is full. */
  readonly capacity: number;
  /** Distinct keys held. */
  size = 0;
  /** The highest offset the map covers: records above it are not deduplicated by this pass. */
  latestOffset = -1;
  private readonly hashes: Int32Array;
  /** offset + 1 per slot; 0 marks an empty slot. */
  private readonly offsets: Float64Array;
  private readonly scratch = new Int32Array(4);

  /** A map using at most `memoryBytes`. */
  constructor(memoryBytes: number, loadFactor = OFFSET_MAP_LOAD_FACTOR) {
    this.slots = largestPrimeAtMost(Math.max(2, Math.floor(memoryBytes / OFFSET_MAP_ENTRY_BYTES)));
    this.capacity = Math.max(1, Math.floor(this.slots * loadFactor));
    this.hashes = new Int32Array(this.slots * 4);
    this.offsets = new Float64Array(this.slots);
  }

  /** Memory a map needs to hold `keys` distinct keys (at most `limitBytes`). */
  static bytesFor(keys: number, limitBytes: number, loadFactor = OFFSET_MAP_LOAD_FACTOR): number {
    // A little over the bare need: the slot count is rounded down to a prime.
    return Math.min(limitBytes, Math.ceil(((keys + 1) / loadFactor) * 1.01 + 64) * OFFSET_MAP_ENTRY_BYTES);
  }

  get isFull(): boolean {
    return this.size >= this.capacity;
  }

  /** Share of the map's capacity in use (Kafka's "buffer utilization"). */
  get utilization(): number {
    return this.size / this.capacity;
  }

  /** Records `offset` as the latest for the key `buf[start, end)`; the caller checks `isFull` first. */
  put(buf: Uint8Array, start: number, end: number, offset: number): void {
    const slot = this.find(buf, start, end);
    if (this.offsets[slot] === 0) {
      const h = this.scratch;
      const at = slot * 4;
      this.hashes[at] = h[0]!;
      this.hashes[at + 1] = h[1]!;
      this.hashes[at + 2] = h[2]!;
      this.hashes[at + 3] = h[3]!;
      this.size++;
    }
    this.offsets[slot] = offset + 1;
    this.latestOffset = offset;
  }

  /** The latest offset recorded for the key, or -1. */
  get(buf: Uint8Array, start: number, end: number): number {
    return this.offsets[this.find(buf, start, end)]! - 1;
  }

  /** The slot holding the key's hash, or the empty slot where it would go. */
  private find(buf: Uint8Array, start: number, end: number): number {
    const h = this.scratch;
    hashKey(buf, start, end, h);
    const slots = this.slots;
    let slot = (h[0]! >>> 0) % slots;
    const step = 1 + ((h[1]! >>> 0) % (slots - 1));
    const hashes = this.hashes;
    for (let probes = 0; probes < slots; probes++) {
      if (this.offsets[slot] === 0) return slot;
      const at = slot * 4;
      if (hashes[at] === h[0] && hashes[at + 1] === h[1] && hashes[at + 2] === h[2] && hashes[at + 3] === h[3]) return slot;
      slot += step;
      if (slot >= slots) slot -= slots;
    }
    throw new Error('offset map has no free slot');
  }
}

/** The largest prime <= n (n >= 2): with a prime table size, double hashing visits every slot. */
export function largestPrimeAtMost(n: number): number {
  for (let candidate = Math.floor(n); candidate > 2; candidate--) {
    if (candidate % 2 === 0) continue;
    let prime = true;
    for (let d = 3; d * d <= candidate; d += 2) {
      if (candidate % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) return candidate;
  }
  return 2;
}
