/**
 * What the consumers of one run handled: how often each record (partition, offset) was processed,
 * and when and by whom each partition made progress. Duplicates, losses, pauses per partition and
 * per member and the lag curve are all computed from it; it knows nothing about how the records
 * got there, so any consumer that reports batches can feed it.
 */

/** One handled batch: records `firstOffset`..`lastOffset` of `partition`, by `member`, at `atMs`. */
export interface HandledBatch {
  readonly member: string;
  readonly partition: number;
  readonly atMs: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
}

export class DeliveryLog {
  /** Per partition, per offset: times handled (saturating at 255). */
  private readonly counts: Uint8Array[] = [];
  readonly batches: HandledBatch[] = [];
  distinct = 0;
  deliveries = 0;
  private readonly waiters: Array<{ target: () => number; resolve: () => void }> = [];

  add(member: string, partition: number, atMs: number, firstOffset: number, lastOffset: number): void {
    this.batches.push({ member, partition, atMs, firstOffset, lastOffset });
    let c = this.counts[partition];
    if (c === undefined || c.length <= lastOffset) c = this.grow(partition, lastOffset + 1);
    for (let o = firstOffset; o <= lastOffset; o++) {
      if (c[o] === 0) this.distinct++;
      if (c[o]! < 255) c[o]!++;
    }
    this.deliveries += lastOffset - firstOffset + 1;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.distinct >= this.waiters[i]!.target()) this.waiters.splice(i, 1)[0]!.resolve();
    }
  }

  private grow(partition: number, size: number): Uint8Array {
    const old = this.counts[partition];
    const next = new Uint8Array(Math.max(size, (old?.length ?? 0) * 2, 1024));
    if (old !== undefined) next.set(old);
    this.counts[partition] = next;
    return next;
  }

  /** Records handled more than once (each extra handling counts). */
  get duplicates(): number {
    return this.deliveries - this.distinct;
  }

  /** Distinct records of `partition` below `endOffset` handled at least once. */
  handledBelow(partition: number, endOffset: number): number {
    const c = this.counts[partition];
    if (c === undefined) return 0;
    let n = 0;
    for (let o = 0; o < Math.min(endOffset, c.length); o++) if (c[o]! > 0) n++;
    return n;
  }

  /** Resolves true once `target()` distinct records were handled, false after `timeoutMs`. */
  waitForDistinct(target: () => number, timeoutMs: number): Promise<boolean> {
    if (this.distinct >= target()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(this.distinct >= target());
      }, timeoutMs);
      const w = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      this.waiters.push(w);
    });
  }

  /** When each batch of `partition` was handled, in order (any member). */
  timesOf(partition: number): number[] {
    return this.batches.filter((b) => b.partition === partition).map((b) => b.atMs).sort((a, b) => a - b);
  }

  /** Members that handled records of `partition` between `fromMs` and `toMs`. */
  membersOf(partition: number, fromMs: number, toMs: number): string[] {
    const out = new Set<string>();
    for (const b of this.batches) if (b.partition === partition && b.atMs >= fromMs && b.atMs <= toMs) out.add(b.member);
    return [...out];
  }

  /**
   * The longest time `partition` went without any record handled, within [fromMs, toMs]: the gap
   * from the last handling before (or `fromMs`) to the next one (or `toMs` when none came).
   */
  longestGapMs(partition: number, fromMs: number, toMs: number): number {
    return longestGap(this.timesOf(partition), fromMs, toMs);
  }

  /** The same for one member's handling (any partition). */
  memberLongestGapMs(member: string, fromMs: number, toMs: number): number {
    const times = this.batches.filter((b) => b.member === member).map((b) => b.atMs).sort((a, b) => a - b);
    return longestGap(times, fromMs, toMs);
  }
}

/** Longest stretch of [fromMs, toMs] with no time in `sorted`. */
export function longestGap(sorted: readonly number[], fromMs: number, toMs: number): number {
  let prev = fromMs;
  let longest = 0;
  for (const t of sorted) {
    if (t < fromMs) continue;
    if (t > toMs) break;
    longest = Math.max(longest, t - prev);
    prev = t;
  }
  return Math.max(longest, toMs - prev);
}
