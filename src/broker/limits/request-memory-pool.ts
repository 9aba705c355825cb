/** One connection waiting for memory to read the rest of a frame. */
export interface MemoryWaiter {
  /**
   * Called in turn when memory was freed. Returns true when the waiter is done waiting (it
   * reserved what it needed, or no longer needs anything), false when its frame still does not fit.
   */
  retryReserve(): boolean;
}

/**
 * The broker-wide bound on request bytes being received or handled (`queued.max.request.bytes`).
 * As in Kafka's memory pool, a connection reserves a frame's whole declared size when it starts
 * reading a frame that spans more than one read; when the reservation does not fit, the connection
 * stops reading (holding at most the one chunk it already has) and waits here, first come first
 * served, until reservations are released. A reserved frame can always be completed, so honest
 * senders never deadlock; a frame that arrives whole in one read needs no reservation, so small
 * requests keep flowing while large ones wait. `limitBytes` -1 means no bound.
 */
export class RequestMemoryPool {
  private used = 0;
  private readonly waiters = new Set<MemoryWaiter>();

  constructor(readonly limitBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  get waitingCount(): number {
    return this.waiters.size;
  }

  /** Reserves `bytes` if they fit under the limit (and nobody is already waiting ahead). */
  tryReserve(bytes: number): boolean {
    if (this.limitBytes >= 0 && (this.waiters.size > 0 || this.used + bytes > this.limitBytes)) return false;
    this.used += bytes;
    return true;
  }

  /** Reserves for a waiter being served from `release`: the queue-order check is skipped. */
  reserveForWaiter(bytes: number): boolean {
    if (this.limitBytes >= 0 && this.used + bytes > this.limitBytes) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    if (bytes <= 0) return;
    this.used -= bytes;
    if (this.used < 0) throw new Error(`request memory pool released more than it reserved (${this.used})`);
    this.serveWaiters();
  }

  wait(waiter: MemoryWaiter): void {
    this.waiters.add(waiter);
  }

  cancel(waiter: MemoryWaiter): void {
    if (this.waiters.delete(waiter)) this.serveWaiters();
  }

  /** Serves waiters in arrival order; stops at the first whose frame does not fit (no overtaking). */
  private serveWaiters(): void {
    for (const waiter of this.waiters) {
      if (!waiter.retryReserve()) return;
      this.waiters.delete(waiter);
    }
  }
}
