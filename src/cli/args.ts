import { InvalidArgumentError } from 'commander';

/** Command-line value parsers. Each throws InvalidArgumentError, which Commander prints with the usage. */

export interface TopicScope {
  topic: string;
  /** Undefined: every partition. */
  partitions?: number[];
}

/** `orders` or `orders:0,1,2` (kafka-consumer-groups' --topic form). */
export function parseTopicScope(value: string): TopicScope {
  const colon = value.lastIndexOf(':');
  if (colon < 0) {
    if (value.trim() === '') throw new InvalidArgumentError('a topic name is needed.');
    return { topic: value };
  }
  const topic = value.slice(0, colon);
  if (topic === '') throw new InvalidArgumentError(`"${value}" has no topic name before ":".`);
  const partitions = value.slice(colon + 1).split(',').map((p) => {
    const n = Number(p.trim());
    if (p.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`"${p}" in "${value}" is not a partition number.`);
    return n;
  });
  return { topic, partitions: [...new Set(partitions)].sort((a, b) => a - b) };
}

/** Commander's collector for repeatable options. */
export function collect<T>(parse: (value: string) => T): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => [...(previous ?? []), parse(value)];
}

/** `key=value` (the value may contain "="). */
export function parseKeyValue(value: string): [string, string] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`"${value}" is not key=value.`);
  return [value.slice(0, eq), value.slice(eq + 1)];
}

/** A signed integer (for --shift-by, which may be negative). */
export function parseSignedInteger(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is not an integer.`);
  return n;
}

const DURATION = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+(?:[.,]\d{1,9})?)S)?)?$/i;

/**
 * An ISO-8601 duration as Java's Duration.parse reads it (what kafka-consumer-groups
 * --by-duration takes): `PnDTnHnMn.nS`, e.g. `PT30M`, `P1DT2H`, `PT0.5S`. Returns milliseconds.
 */
export function parseIsoDuration(value: string): number {
  const m = DURATION.exec(value.trim());
  if (m === null || value.trim().toUpperCase().endsWith('T') || !/\d/.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not an ISO-8601 duration like PT30M, P1DT2H or PT0.5S.`);
  }
  const sign = m[1] === '-' ? -1 : 1;
  const days = Number(m[2] ?? 0);
  const hours = Number(m[3] ?? 0);
  const minutes = Number(m[4] ?? 0);
  const seconds = Number((m[5] ?? '0').replace(',', '.'));
  const ms = sign * Math.round(((days * 24 + hours) * 60 + minutes) * 60_000 + seconds * 1000);
  if (ms < 0) throw new InvalidArgumentError(`"${value}" is negative; --by-duration looks back from now.`);
  return ms;
}

/**
 * An ISO-8601 date-time: `2024-05-01T10:00:00`, `...T10:00:00.000`, with `Z` or `+02:00`.
 * Without a zone it is local time, as in kafka-consumer-groups --to-datetime. Returns ms since epoch.
 */
export function parseDateTime(value: string): number {
  const text = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(text)) {
    throw new InvalidArgumentError(`"${value}" is not a date-time like 2024-05-01T10:00:00.000 (optionally with Z or +02:00).`);
  }
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`"${value}" is not a valid date-time.`);
  return ms;
}

/** Kafka's classic and KIP-848 group state names, matched without regard to case. */
export const GROUP_STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty', 'Assigning', 'Reconciling'] as const;

/** `stable,empty` -> ['Stable', 'Empty']. */
export function parseGroupStates(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    const found = GROUP_STATES.find((g) => g.toLowerCase() === s.toLowerCase());
    if (found === undefined) throw new InvalidArgumentError(`"${s}" is not a group state (one of ${GROUP_STATES.join(', ')}).`);
    return found;
  });
}

export interface OffsetsFileRow {
  topic: string;
  partition: number;
  offset: number;
  /** Present in the four-column form (group,topic,partition,offset). */
  group?: string;
}

/**
 * The CSV kafka-consumer-groups --export writes and --from-file reads: `topic,partition,offset`
 * per line, or `group,topic,partition,offset` when several groups were exported. Blank lines and
 * lines starting with # are skipped.
 */
export function parseOffsetsCsv(text: string): OffsetsFileRow[] {
  const rows: OffsetsFileRow[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== 3 && cells.length !== 4) throw new Error(`line ${i + 1}: expected topic,partition,offset (or group,topic,partition,offset), got "${line}"`);
    const [partition, offset] = cells.slice(-2).map(Number) as [number, number];
    if (!Number.isInteger(partition) || partition < 0) throw new Error(`line ${i + 1}: "${cells.at(-2)}" is not a partition number`);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`line ${i + 1}: "${cells.at(-1)}" is not an offset`);
    const topic = cells.at(-3)!;
    if (topic === '') throw new Error(`line ${i + 1}: empty topic name`);
    rows.push(cells.length === 4 ? { group: cells[0]!, topic, partition, offset } : { topic, partition, offset });
  });
  return rows;
}
