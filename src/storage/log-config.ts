import { ErrorCode } from '../protocol/errors.js';
import { StorageError } from './types.js';

/** The settings a partition log obeys: store defaults overridden by topic configs. */
export interface LogConfig {
  /** `segment.bytes`: roll the active segment before it would grow past this. */
  segmentBytes: number;
  /** `segment.ms`: roll an active segment whose first batch is older than this. */
  segmentMs: number;
  /** `retention.ms`: -1 keeps data forever. */
  retentionMs: number;
  /** `retention.bytes` per partition: -1 means no limit. */
  retentionBytes: number;
  /** `cleanup.policy` holds `compact`: the log cleaner keeps the latest record of each key. */
  compact?: boolean;
  /** `cleanup.policy` holds `delete` (the default): retention by time and size applies. */
  delete?: boolean;
  /** `delete.retention.ms`: how long a tombstone outlives the cleaning that first kept it. */
  deleteRetentionMs?: number;
  /** `min.compaction.lag.ms`: records younger than this are not compacted. */
  minCompactionLagMs?: number;
  /** `max.compaction.lag.ms`: records older than this are compacted whatever the dirty ratio (Infinity: no limit). */
  maxCompactionLagMs?: number;
  /** `min.cleanable.dirty.ratio`: the share of uncompacted bytes that makes a log worth cleaning. */
  minCleanableDirtyRatio?: number;
}

/** Kafka's default `segment.ms` (7 days). */
export const DEFAULT_SEGMENT_MS = 604_800_000;

/** Kafka's defaults for the compaction settings (`log.cleaner.*` broker configs). */
export const COMPACTION_DEFAULTS = {
  compact: false,
  delete: true,
  deleteRetentionMs: 86_400_000,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Infinity,
  minCleanableDirtyRatio: 0.5,
} as const satisfies Partial<LogConfig>;

/** Java's Long.MAX_VALUE as written in configs: "no limit" for the compaction lags. */
export const LONG_MAX_TEXT = '9223372036854775807';

type NumericKey = 'segmentBytes' | 'segmentMs' | 'retentionMs' | 'retentionBytes' | 'deleteRetentionMs' | 'minCompactionLagMs' | 'maxCompactionLagMs';

interface NumericConfig {
  key: NumericKey;
  min: number;
  /** Integers too large for a double (Java's Long.MAX_VALUE) read as Infinity. */
  unbounded?: boolean;
}

/** Topic configs the store itself interprets; everything else is kept verbatim for Describe. */
const NUMERIC_TOPIC_CONFIGS: Record<string, NumericConfig> = {
  'segment.bytes': { key: 'segmentBytes', min: 14 },
  'segment.ms': { key: 'segmentMs', min: 1 },
  'retention.ms': { key: 'retentionMs', min: -1 },
  'retention.bytes': { key: 'retentionBytes', min: -1 },
  'delete.retention.ms': { key: 'deleteRetentionMs', min: 0, unbounded: true },
  'min.compaction.lag.ms': { key: 'minCompactionLagMs', min: 0, unbounded: true },
  'max.compaction.lag.ms': { key: 'maxCompactionLagMs', min: 1, unbounded: true },
};

function parseInteger(value: string, spec: NumericConfig): number | null {
  if (!/^\s*-?\d+\s*$/.test(value)) return null;
  const n = Number(value);
  if (Number.isSafeInteger(n)) return n >= spec.min ? n : null;
  return spec.unbounded === true && n > 0 ? Infinity : null;
}

/** The policies in a `cleanup.policy` value, or null when it names something else. */
export function parseCleanupPolicy(value: string): { compact: boolean; delete: boolean } | null {
  const parts = value.split(',').map((p) => p.trim());
  if (!parts.every((p) => p === 'compact' || p === 'delete')) return null;
  return { compact: parts.includes('compact'), delete: parts.includes('delete') };
}

function parseRatio(value: string): number | null {
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 1 ? n : null;
}

/** Throws INVALID_CONFIG for a value of a config the store interprets that Kafka would refuse. */
export function validateTopicConfigs(configs: Record<string, string | null>): void {
  const refuse = (name: string, value: string, rule: string) => {
    throw new StorageError(ErrorCode.INVALID_CONFIG, `invalid value '${value}' for ${name}: ${rule}`);
  };
  for (const [name, value] of Object.entries(configs)) {
    if (value === null) continue;
    const spec = NUMERIC_TOPIC_CONFIGS[name];
    if (spec !== undefined && parseInteger(value, spec) === null) refuse(name, value, `must be an integer >= ${spec.min}`);
    if (name === 'cleanup.policy' && parseCleanupPolicy(value) === null) refuse(name, value, "must be 'delete', 'compact' or both");
    if (name === 'min.cleanable.dirty.ratio' && parseRatio(value) === null) refuse(name, value, 'must be a number in [0, 1]');
  }
}

export function resolveLogConfig(defaults: LogConfig, configs: Record<string, string>): LogConfig {
  const resolved: LogConfig = { ...COMPACTION_DEFAULTS, ...defaults };
  for (const [name, spec] of Object.entries(NUMERIC_TOPIC_CONFIGS)) {
    const value = configs[name];
    const n = value === undefined ? null : parseInteger(value, spec);
    if (n !== null) resolved[spec.key] = n;
  }
  const policy = configs['cleanup.policy'] === undefined ? null : parseCleanupPolicy(configs['cleanup.policy']);
  if (policy !== null) Object.assign(resolved, policy);
  const ratio = configs['min.cleanable.dirty.ratio'] === undefined ? null : parseRatio(configs['min.cleanable.dirty.ratio']);
  if (ratio !== null) resolved.minCleanableDirtyRatio = ratio;
  // Kafka rolls a compacted log's active segment by max.compaction.lag.ms too, so that no record
  // stays uncleanable in the active segment for longer than the lag (LogConfig.maxSegmentMs).
  if (resolved.compact === true && resolved.maxCompactionLagMs! < resolved.segmentMs) resolved.segmentMs = resolved.maxCompactionLagMs!;
  return resolved;
}
