/**
 * Partitions whose fetches return no records (as if nothing were past the fetch offset) until
 * resumed. The high watermark stays true, so lag tools see a stalled partition, as they would
 * with a stuck leader.
 */
export class FetchPauses {
  private readonly paused = new Set<string>();
  private readonly onResume = new Set<() => void>();

  pause(topic: string, partition: number): void {
    this.paused.add(key(topic, partition));
  }

  /** Resumes one partition, or every paused one; parked fetches look again at once. */
  resume(topic?: string, partition?: number): void {
    if (topic === undefined) this.paused.clear();
    else if (partition === undefined) {
      for (const k of [...this.paused]) if (k.startsWith(`${topic}\u0000`)) this.paused.delete(k);
    } else this.paused.delete(key(topic, partition));
    for (const wake of [...this.onResume]) wake();
    this.onResume.clear();
  }

  isPaused(topic: string, partition: number): boolean {
    return this.paused.size > 0 && this.paused.has(key(topic, partition));
  }

  /** Calls `wake` once at the next resume; returns a cancel function. */
  onceResumed(wake: () => void): () => void {
    this.onResume.add(wake);
    return () => this.onResume.delete(wake);
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
