/**
 * Named deadlines (`session:<group>:<member>`, `join:<group>`, ...) ordered by time. Setting a name
 * again moves its deadline; entries are removed lazily from the heap, so set and delete are
 * O(log n) and `nextDeadlineMs` is O(1) amortised. Pure: it never reads a clock.
 */
export class DeadlineQueue {
  private readonly deadlines = new Map<string, number>();
  /** Min-heap of [deadlineMs, key]; may hold stale entries that no longer match `deadlines`. */
  private heap: Array<[number, string]> = [];

  get size(): number {
    return this.deadlines.size;
  }

  set(key: string, deadlineMs: number): void {
    this.deadlines.set(key, deadlineMs);
    this.push([deadlineMs, key]);
  }

  delete(key: string): boolean {
    return this.deadlines.delete(key);
  }

  has(key: string): boolean {
    return this.deadlines.has(key);
  }

  get(key: string): number | undefined {
    return this.deadlines.get(key);
  }

  /** The earliest live deadline, or null when nothing is scheduled. */
  nextDeadlineMs(): number | null {
    this.dropStale();
    return this.heap.length === 0 ? null : this.heap[0]![0];
  }

  /** Removes and returns, earliest first, every key whose deadline is at or before `nowMs`. */
  popExpired(nowMs: number): string[] {
    const expired: string[] = [];
    for (;;) {
      this.dropStale();
      const top = this.heap[0];
      if (top === undefined || top[0] > nowMs) break;
      this.pop();
      this.deadlines.delete(top[1]);
      expired.push(top[1]);
    }
    return expired;
  }

  keys(): IterableIterator<string> {
    return this.deadlines.keys();
  }

  private dropStale(): void {
    while (this.heap.length > 0) {
      const [deadline, key] = this.heap[0]!;
      if (this.deadlines.get(key) === deadline) return;
      this.pop();
    }
  }

  private push(entry: [number, string]): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]![0] <= entry[0]) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
    // Stale entries pile up when keys are re-set often; rebuild when they dominate.
    if (heap.length > 64 && heap.length > 4 * this.deadlines.size) this.rebuild();
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      let value = last[0];
      if (l < heap.length && heap[l]![0] < value) {
        smallest = l;
        value = heap[l]![0];
      }
      if (r < heap.length && heap[r]![0] < value) smallest = r;
      if (smallest === i) break;
      heap[i] = heap[smallest]!;
      i = smallest;
    }
    heap[i] = last;
  }

  private rebuild(): void {
    const entries = [...this.deadlines].map(([k, d]) => [d, k] as [number, string]);
    entries.sort((a, b) => a[0] - b[0]);
    this.heap = entries;
  }
}
