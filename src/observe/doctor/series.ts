import type { DoctorInput, DoctorSample, PartitionRef, PartitionSample } from './types.js';

export const tpKey = (topic: string, partition: number): string => `${topic}/${partition}`;

export const byPartition = (a: PartitionRef, b: PartitionRef): number =>
  (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition);

/** A commit seen between two samples: the committed offset moved by `records` by `atMs`. */
export interface CommitStep {
  readonly atMs: number;
  readonly records: number;
}

/** One partition across the window. */
export interface PartitionSeries extends PartitionRef {
  /** The samples that saw the partition, oldest first. */
  readonly points: ReadonlyArray<{ readonly atMs: number; readonly p: PartitionSample }>;
  readonly first: PartitionSample;
  readonly last: PartitionSample;
  /** Records appended during the window. */
  readonly produced: number;
  /** How far the committed offset moved forward (0 when it had none at either end). */
  readonly consumed: number;
  readonly commitSteps: readonly CommitStep[];
  /** Lag at the last sample; null with nothing committed. */
  readonly lagEnd: number | null;
  readonly lagStart: number | null;
  /**
   * Production and consumption between the first and the last commit seen (null with fewer than
   * two): commits arrive in steps, so rates over the whole window would depend on where the
   * window cuts the commit cycle; between two commits they compare like with like.
   */
  readonly betweenCommits: { readonly produced: number; readonly consumed: number; readonly ms: number } | null;
}

export const lagOf = (p: PartitionSample): number | null =>
  (p.committedOffset === null ? null : Math.max(0, p.logEndOffset - p.committedOffset));

/** Every partition any sample saw, with its movement over the window. */
export function partitionSeries(samples: readonly DoctorSample[]): PartitionSeries[] {
  const points = new Map<string, Array<{ atMs: number; p: PartitionSample }>>();
  for (const s of samples) {
    for (const p of s.partitions) {
      const key = tpKey(p.topic, p.partition);
      let list = points.get(key);
      if (list === undefined) points.set(key, (list = []));
      list.push({ atMs: s.atMs, p });
    }
  }
  const out: PartitionSeries[] = [];
  for (const list of points.values()) {
    const first = list[0]!.p;
    const last = list[list.length - 1]!.p;
    const commitSteps: CommitStep[] = [];
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1]!.p.committedOffset;
      const now = list[i]!.p.committedOffset;
      if (before !== null && now !== null && now > before) commitSteps.push({ atMs: list[i]!.atMs, records: now - before });
    }
    out.push({
      topic: first.topic, partition: first.partition, points: list, first, last,
      produced: Math.max(0, last.logEndOffset - first.logEndOffset),
      consumed: commitSteps.reduce((sum, s) => sum + s.records, 0),
      commitSteps,
      lagStart: lagOf(first),
      lagEnd: lagOf(last),
      betweenCommits: betweenCommits(list),
    });
  }
  return out.sort(byPartition);
}

function betweenCommits(list: ReadonlyArray<{ atMs: number; p: PartitionSample }>): PartitionSeries['betweenCommits'] {
  const changed: number[] = [];
  for (let i = 1; i < list.length; i++) {
    const before = list[i - 1]!.p.committedOffset;
    const now = list[i]!.p.committedOffset;
    if (before !== null && now !== null && now > before) changed.push(i);
  }
  if (changed.length < 2) return null;
  const a = list[changed[0]!]!;
  const b = list[changed[changed.length - 1]!]!;
  return { produced: Math.max(0, b.p.logEndOffset - a.p.logEndOffset), consumed: b.p.committedOffset! - a.p.committedOffset!, ms: b.atMs - a.atMs };
}

/** Milliseconds between the first and the last sample. */
export function spanMs(input: DoctorInput): number {
  const s = input.samples;
  return s.length === 0 ? 0 : s[s.length - 1]!.atMs - s[0]!.atMs;
}

export const perSec = (records: number, ms: number): number | null => (ms <= 0 ? null : round2((records * 1000) / ms));

export const round2 = (n: number): number => Math.round(n * 100) / 100;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Whether group membership can be seen (DescribeGroups answered) in every sample. */
export const membersKnown = (input: DoctorInput): boolean => input.samples.every((s) => s.members !== null);

export const refOf = (p: PartitionRef): PartitionRef => ({ topic: p.topic, partition: p.partition });

/** `t/0, t/1, t/2 and 5 more` */
export function listPartitions(refs: readonly PartitionRef[], max = 4): string {
  const names = refs.slice(0, max).map((r) => tpKey(r.topic, r.partition));
  return refs.length > max ? `${names.join(', ')} and ${refs.length - max} more` : names.join(', ');
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** `1.2 s`, `340 ms`, `2.5 min`, `1.5 h` */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
