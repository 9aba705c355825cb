/**
 * The simulator's agenda: callbacks ordered by virtual time, ties broken by insertion order so a
 * run is a pure function of its seed.
 */
export class EventQueue {
  private heap: Array<{ atMs: number; seq: number; run: () => void; label: string }> = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  schedule(atMs: number, label: string, run: () => void): void {
    const entry = { atMs, seq: this.seq++, run, label };
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = entry;
  }

  peekMs(): number | null {
    return this.heap.length === 0 ? null : this.heap[0]!.atMs;
  }

  pop(): { atMs: number; run: () => void; label: string } | null {
    const h = this.heap;
    if (h.length === 0) return null;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        let candidate = last;
        if (l < h.length && before(h[l]!, candidate)) {
          smallest = l;
          candidate = h[l]!;
        }
        if (r < h.length && before(h[r]!, candidate)) smallest = r;
        if (smallest === i) break;
        h[i] = h[smallest]!;
        i = smallest;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: { atMs: number; seq: number }, b: { atMs: number; seq: number }): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
