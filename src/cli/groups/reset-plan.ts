/**
 * Where `groups reset-offsets` moves each partition: a pure function of the partition's
 * committed offset, log start and end (and, for time-based resets, the offset ListOffsets found
 * for the timestamp), following kafka-consumer-groups' rules: targets outside
 * [log start, log end] are clamped to the nearest end, a timestamp after the last record goes to
 * the log end, and --shift-by needs a committed offset to shift from.
 */

export type ResetSpec =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'current' }
  | { kind: 'offset'; offset: number }
  | { kind: 'shift'; by: number }
  /** --to-datetime and --by-duration; the offsets for the timestamp come in as `offsetForTimestamp`. */
  | { kind: 'timestamp'; timestampMs: number }
  /** --from-file: per `topic:partition`. */
  | { kind: 'file'; offsets: ReadonlyMap<string, number> };

export interface PartitionPosition {
  topic: string;
  partition: number;
  /** null when the group has committed nothing for the partition. */
  committed: number | null;
  logStartOffset: number;
  logEndOffset: number;
  /** For a timestamp reset: the first offset at or after the timestamp, or null if none (-1). */
  offsetForTimestamp?: number | null;
}

export interface PlannedReset {
  topic: string;
  partition: number;
  currentOffset: number | null;
  newOffset: number;
  /** Set when the wanted offset was outside the log and was moved to its nearest end. */
  clampedFrom?: number;
}

export interface ResetPlan {
  partitions: PlannedReset[];
  /** Partitions that cannot be planned (say why); nothing is changed when there are any. */
  errors: string[];
}

export const partitionKey = (topic: string, partition: number): string => `${topic}:${partition}`;

export function planReset(positions: readonly PartitionPosition[], spec: ResetSpec): ResetPlan {
  const partitions: PlannedReset[] = [];
  const errors: string[] = [];
  for (const p of positions) {
    const wanted = wantedOffset(p, spec);
    if (typeof wanted === 'string') {
      errors.push(`${p.topic}/${p.partition}: ${wanted}`);
      continue;
    }
    const newOffset = Math.min(Math.max(wanted, p.logStartOffset), p.logEndOffset);
    const planned: PlannedReset = { topic: p.topic, partition: p.partition, currentOffset: p.committed, newOffset };
    if (newOffset !== wanted) planned.clampedFrom = wanted;
    partitions.push(planned);
  }
  partitions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  return { partitions, errors };
}

/** The offset the spec asks for (before clamping), or why there is none. */
function wantedOffset(p: PartitionPosition, spec: ResetSpec): number | string {
  switch (spec.kind) {
    case 'earliest':
      return p.logStartOffset;
    case 'latest':
      return p.logEndOffset;
    case 'current':
      // Nothing committed: kafka-consumer-groups uses the log end.
      return p.committed ?? p.logEndOffset;
    case 'offset':
      return spec.offset;
    case 'shift':
      if (p.committed === null) return 'no committed offset to shift from';
      return p.committed + spec.by;
    case 'timestamp':
      if (p.offsetForTimestamp === undefined) return 'no offset was looked up for the timestamp';
      // No record at or after the timestamp: the log end.
      return p.offsetForTimestamp === null || p.offsetForTimestamp < 0 ? p.logEndOffset : p.offsetForTimestamp;
    case 'file': {
      const o = spec.offsets.get(partitionKey(p.topic, p.partition));
      return o === undefined ? 'not in the file' : o;
    }
  }
}

/** The CSV kafka-consumer-groups --export writes: `topic,partition,offset` per line. */
export function exportCsv(plan: readonly PlannedReset[]): string {
  return plan.map((p) => `${p.topic},${p.partition},${p.newOffset}\n`).join('');
}
