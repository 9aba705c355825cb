/**
 * Java's hash codes and java.util.HashMap iteration order, reproduced so that the sticky assignors
 * break ties exactly as Kafka's Java leader does.
 *
 * Why this exists: Java's AbstractStickyAssignor walks `HashMap<String, Subscription>` (filled in
 * JoinGroup-response order by ConsumerCoordinator.onLeaderElected) and a few HashSet<TopicPartition>
 * whose first element it takes. Which member keeps its partitions when quotas are tight, and which
 * claim wins a generation tie, follow that iteration order, so a Samsa leader has to walk its
 * members in the same order to produce the same assignment.
 *
 * How HashMap orders its entries (OpenJDK 8 and later): a key lives in bucket
 * `spread(hashCode) & (capacity - 1)`, with `spread(h) = h ^ (h >>> 16)`; iteration goes bucket by
 * bucket, and within a bucket in insertion order (a resize splits each bucket into two while
 * keeping their relative order, and a new key is appended at the bucket's tail). So the order is
 * fully determined by the final capacity and the insertion order. The capacity starts at 16 for
 * `new HashMap<>()`, doubles when the size passes 3/4 of it, and also doubles when a bucket holds
 * more than 8 keys while the capacity is below 64 (HashMap.treeifyBin). A bucket of more than 8
 * keys at capacity 64 or more becomes a red-black tree whose iteration order this module does not
 * reproduce; that needs 9 keys in one bucket out of at least 64, which does not happen with
 * ordinary member ids (see docs/limitations.md).
 */

const MAX_LIST_BIN = 8; // HashMap.TREEIFY_THRESHOLD
const MIN_TREEIFY_CAPACITY = 64;
const DEFAULT_CAPACITY = 16;

/** java.lang.String#hashCode: over UTF-16 code units, wrapping at 32 bits. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** org.apache.kafka.common.TopicPartition#hashCode: 31 * (31 + partition) + topic.hashCode(). */
export function javaTopicPartitionHash(topic: string, partition: number): number {
  return (Math.imul(31, (31 + partition) | 0) + javaStringHash(topic)) | 0;
}

function spread(hash: number): number {
  return hash ^ (hash >>> 16);
}

function bucketOf(hash: number, capacity: number): number {
  return spread(hash) & (capacity - 1);
}

/**
 * Tracks the capacity of a HashMap as keys are added and removed (only the counts per bucket
 * matter for that, not the keys).
 */
class CapacityTracker {
  capacity = 0; // 0 until the first insertion allocates the table
  private threshold = 0;
  private readonly buckets = new Map<number, number>();
  private readonly liveHashes: number[] = [];

  constructor(private readonly initialCapacity = DEFAULT_CAPACITY) {}

  /** Records one more key with this hash (a key that was not present). */
  add(hash: number): void {
    if (this.capacity === 0) this.resize(this.initialCapacity);
    this.liveHashes.push(hash);
    const bucket = bucketOf(hash, this.capacity);
    const count = (this.buckets.get(bucket) ?? 0) + 1;
    this.buckets.set(bucket, count);
    if (count > MAX_LIST_BIN && this.capacity < MIN_TREEIFY_CAPACITY) {
      this.resize(this.capacity * 2);
    }
    if (this.liveHashes.length > this.threshold) this.resize(this.capacity * 2);
  }

  /** Records the removal of one key with this hash. Capacity never shrinks. */
  remove(hash: number): void {
    const i = this.liveHashes.indexOf(hash);
    if (i >= 0) this.liveHashes.splice(i, 1);
    const bucket = bucketOf(hash, this.capacity);
    const count = (this.buckets.get(bucket) ?? 1) - 1;
    if (count === 0) this.buckets.delete(bucket);
    else this.buckets.set(bucket, count);
  }

  private resize(capacity: number): void {
    this.capacity = capacity;
    this.threshold = Math.floor(capacity * 0.75);
    this.buckets.clear();
    for (const h of this.liveHashes) {
      const b = bucketOf(h, capacity);
      this.buckets.set(b, (this.buckets.get(b) ?? 0) + 1);
    }
  }
}

/**
 * The order in which `new HashMap<>()` iterates keys inserted in the given order (each key once,
 * no removals).
 */
export function javaHashMapOrder<K>(keysInInsertionOrder: readonly K[], hashOf: (key: K) => number): K[] {
  const tracker = new CapacityTracker();
  const hashes = keysInInsertionOrder.map(hashOf);
  for (const h of hashes) tracker.add(h);
  const capacity = Math.max(tracker.capacity, 1);
  const indexed = keysInInsertionOrder.map((key, i) => ({ key, i, bucket: bucketOf(hashes[i]!, capacity) }));
  indexed.sort((a, b) => a.bucket - b.bucket || a.i - b.i);
  return indexed.map((e) => e.key);
}

/**
 * A `new HashSet<>()` that only answers what Java code asks of it here: membership, size and
 * `iterator().next()` (the first element in Java's iteration order) after any sequence of adds and
 * removes.
 */
export class JavaHashSet<K> {
  private readonly tracker = new CapacityTracker();
  private readonly entries = new Map<K, { hash: number; seq: number }>();
  private nextSeq = 0;

  constructor(private readonly hashOf: (key: K) => number) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  add(key: K): boolean {
    if (this.entries.has(key)) return false;
    const hash = this.hashOf(key);
    this.entries.set(key, { hash, seq: this.nextSeq++ });
    this.tracker.add(hash);
    return true;
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    this.tracker.remove(entry.hash);
    return true;
  }

  /** The element Java's iterator returns first; undefined when empty. */
  first(): K | undefined {
    let best: K | undefined;
    let bestBucket = Infinity;
    let bestSeq = Infinity;
    for (const [key, { hash, seq }] of this.entries) {
      const bucket = bucketOf(hash, this.tracker.capacity);
      if (bucket < bestBucket || (bucket === bestBucket && seq < bestSeq)) {
        best = key;
        bestBucket = bucket;
        bestSeq = seq;
      }
    }
    return best;
  }
}
