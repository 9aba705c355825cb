/**
 * Large buffers handed out again once every holder has let go of them: the broker's Produce
 * frames, the producer's record batches.
 *
 * Why: a produce request that spans socket reads is assembled into a buffer of its size, and the
 * broker keeps views of it (the tail cache) until they are evicted. Allocating each of those
 * afresh means new pages from the kernel, and on a VM a page fault costs more than the copy that
 * touches it: profiles of the 1 KiB end-to-end benchmark showed the broker spending a fifth of its
 * time faulting in frame buffers and garbage collection starting over and over on their external
 * memory. Recycling them keeps the same pages warm.
 *
 * The rule that makes this safe: a buffer goes back to the free list only when its count of
 * holders drops to zero, and every holder that reads it later takes a hold while it already has
 * one (the frame's reader holds it while handling the request; the tail cache takes its own hold
 * when it stores a view; a fetch takes one when it reads a view from the cache). A view that
 * someone keeps without a hold is a bug; to make such a bug loud rather than silent, `poison`
 * fills every returned buffer with 0xa5, so a reader of stale bytes sees a failed CRC at once
 * (the test suite runs the broker that way). Holds are counted in a WeakMap: a buffer whose holds
 * are never all released is not recycled, and the garbage collector frees it as before.
 */
export interface BufferRecyclerOptions {
  /** Most bytes kept on the free lists; beyond it released buffers are left to the GC. */
  maxFreeBytes?: number;
  /**
   * Fill returned buffers with 0xa5: a use after release then fails loudly. Default: on when the
   * environment has SAMSA_POISON_RECYCLED_BUFFERS=1 (the test suite sets it).
   */
  poison?: boolean;
}

/** Smallest size class: below it a frame is cheap to allocate (and fits in one socket read). */
const MIN_CLASS_BYTES = 64 * 1024;
/** Largest size class: bigger frames are rare and allocated as before. */
const MAX_CLASS_BYTES = 16 * 1024 * 1024;
const POISON_BYTE = 0xa5;

export class BufferRecycler {
  private readonly holds = new WeakMap<ArrayBufferLike, number>();
  /** Free buffers by size class (index: log2 of the class size). */
  private readonly free: ArrayBuffer[][] = [];
  private freeBytes = 0;
  private readonly maxFreeBytes: number;
  private readonly poison: boolean;
  /** Buffers handed out, and of those how many came from a free list (for tests and benchmarks). */
  acquired = 0;
  reused = 0;

  constructor(options: BufferRecyclerOptions = {}) {
    this.maxFreeBytes = options.maxFreeBytes ?? 64 * 1024 * 1024;
    this.poison = options.poison ?? process.env.SAMSA_POISON_RECYCLED_BUFFERS === '1';
  }

  /**
   * A buffer of exactly `size` bytes (contents undefined) with one hold, or null when `size` is
   * outside the recycled range (the caller allocates as usual then).
   */
  acquire(size: number): Buffer | null {
    if (size < MIN_CLASS_BYTES / 2 || size > MAX_CLASS_BYTES) return null;
    const cls = Math.max(Math.ceil(Math.log2(size)), Math.log2(MIN_CLASS_BYTES));
    const list = this.free[cls];
    let ab = list !== undefined && list.length > 0 ? list.pop()! : null;
    if (ab !== null) {
      this.freeBytes -= ab.byteLength;
      this.reused++;
    } else {
      ab = new ArrayBuffer(2 ** cls);
    }
    this.acquired++;
    this.holds.set(ab, 1);
    return Buffer.from(ab, 0, size);
  }

  /** Another holder of the buffer behind `view` (nothing for a buffer this recycler did not hand out). */
  retain(view: Uint8Array): void {
    const n = this.holds.get(view.buffer);
    if (n !== undefined) this.holds.set(view.buffer, n + 1);
  }

  /** A holder is done with the buffer behind `view`; the last one sends it back to the free list. */
  release(view: Uint8Array): void {
    const ab = view.buffer;
    const n = this.holds.get(ab);
    if (n === undefined) return;
    if (n > 1) {
      this.holds.set(ab, n - 1);
      return;
    }
    this.holds.delete(ab);
    if (this.freeBytes + ab.byteLength > this.maxFreeBytes || !(ab instanceof ArrayBuffer)) return;
    if (this.poison) new Uint8Array(ab).fill(POISON_BYTE);
    const cls = Math.log2(ab.byteLength);
    (this.free[cls] ??= []).push(ab);
    this.freeBytes += ab.byteLength;
  }

  /** Whether `view` is backed by a buffer handed out and not yet released by every holder. */
  isHeld(view: Uint8Array): boolean {
    return this.holds.has(view.buffer);
  }

  get freeListBytes(): number {
    return this.freeBytes;
  }
}
