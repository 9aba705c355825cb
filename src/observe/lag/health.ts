/**
 * Consumer health from a sliding window of lag samples, after Burrow's evaluation rules
 * (linkedin/Burrow, "Consumer Lag Evaluation Rules"). Pure: samples carry their own times, so the
 * same window always gives the same verdict.
 *
 * Burrow's window holds one entry per offset commit, read from __consumer_offsets. A tool that
 * only has the standard admin APIs cannot see commits, only the committed offset each time it
 * asks, so our window holds one entry per poll, and two rules are adapted (the README's CLI section explains
 * them to users):
 *  - STOP (Burrow's rule 3, "the time since the last commit exceeds the span the window covers")
 *    uses the time the committed offset last moved instead of the last commit: the partition has
 *    stopped when it has stood still for longer than it was seen moving in the window.
 *  - STALL (rule 4, "commits arrive but the offset does not change") cannot be told from STOP by
 *    commits, so it is told by ownership: an offset that stopped moving while a live member of
 *    the group still owns the partition is STALL (the consumer is there but makes no progress);
 *    with no owner it is STOP (the consumer is gone).
 */

export type PartitionStatus = 'OK' | 'WARN' | 'STOP' | 'STALL' | 'REWIND';
export type GroupStatus = 'OK' | 'WARN' | 'ERR';

/** One poll of one partition. */
export interface LagSample {
  atMs: number;
  /** Committed offset; null when the group has committed nothing for the partition. */
  offset: number | null;
  /** Log end minus committed offset; null with nothing committed. */
  lag: number | null;
  /** Whether a member of the group owned the partition at that time. */
  owned: boolean;
}

export interface PartitionHealth {
  /** null when there is nothing to judge (no committed offset). */
  status: PartitionStatus | null;
  /** Fraction of the window filled with samples (Burrow's `complete`). */
  complete: number;
}

/**
 * Judges one partition's window (oldest first, at most `windowSize` samples). The trend rules only
 * run on a full window: like Burrow, a partition whose window is still filling is OK unless its
 * lag says otherwise later.
 */
export function evaluatePartition(window: readonly LagSample[], windowSize: number): PartitionHealth {
  const samples = window.slice(-windowSize).filter((s) => s.offset !== null && s.lag !== null);
  const complete = Math.min(1, samples.length / windowSize);
  const last = samples.at(-1);
  if (last === undefined) return { status: null, complete: 0 };
  // Lag now zero, or zero at any point of the window (Burrow's rule 1): the consumer keeps up.
  if (samples.some((s) => s.lag === 0)) return { status: 'OK', complete };
  if (complete < 1 || samples.length < 2) return { status: 'OK', complete };
  // Rule 2: a committed offset went backwards.
  for (let i = 1; i < samples.length; i++) {
    if (samples[i]!.offset! < samples[i - 1]!.offset!) return { status: 'REWIND', complete };
  }
  // Rules 3 and 4: stood still for longer than it was seen moving.
  const first = samples[0]!;
  let lastMove = first;
  for (let i = 1; i < samples.length; i++) if (samples[i]!.offset !== samples[i - 1]!.offset) lastMove = samples[i]!;
  if (last.atMs - lastMove.atMs > lastMove.atMs - first.atMs) return { status: last.owned ? 'STALL' : 'STOP', complete };
  // Rule 5: the offset advances but the lag never goes down: the consumer is too slow.
  let neverDecreases = true;
  for (let i = 1; i < samples.length; i++) if (samples[i]!.lag! < samples[i - 1]!.lag!) neverDecreases = false;
  if (neverDecreases) return { status: 'WARN', complete };
  return { status: 'OK', complete };
}

/** Burrow's group roll-up: the worst partition, where STOP, STALL and REWIND count as ERR. */
export function groupStatus(statuses: ReadonlyArray<PartitionStatus | null>): GroupStatus {
  let worst: GroupStatus = 'OK';
  for (const s of statuses) {
    if (s === 'STOP' || s === 'STALL' || s === 'REWIND') return 'ERR';
    if (s === 'WARN') worst = 'WARN';
  }
  return worst;
}

/** Per-partition sample windows, trimmed to `windowSize`, keyed by `topic:partition`. */
export class SampleWindows {
  private readonly windows = new Map<string, LagSample[]>();

  constructor(readonly windowSize: number) {
    if (!Number.isInteger(windowSize) || windowSize < 1) throw new RangeError(`windowSize must be a positive integer, got ${windowSize}`);
  }

  add(key: string, sample: LagSample): void {
    let w = this.windows.get(key);
    if (w === undefined) this.windows.set(key, (w = []));
    w.push(sample);
    if (w.length > this.windowSize) w.splice(0, w.length - this.windowSize);
  }

  get(key: string): readonly LagSample[] {
    return this.windows.get(key) ?? [];
  }

  /** Drops partitions that were not in the latest snapshot (the group stopped committing for them). */
  retain(keys: ReadonlySet<string>): void {
    for (const k of this.windows.keys()) if (!keys.has(k)) this.windows.delete(k);
  }
}
