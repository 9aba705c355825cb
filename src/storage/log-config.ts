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
}

/** Kafka's default `segment.ms` (7 days). */
export const DEFAULT_SEGMENT_MS = 604_800_000;

interface NumericConfig {
  key: keyof LogConfig;
  min: number;
}

/** Topic configs the store itself interprets; everything else is kept verbatim for Describe. */
const NUMERIC_TOPIC_CONFIGS: Record<string, NumericConfig> = {
  'segment.bytes': { key: 'segmentBytes', min: 14 },
  'segment.ms': { key: 'segmentMs', min: 1 },
  'retention.ms': { key: 'retentionMs', min: -1 },
  'retention.bytes': { key: 'retentionBytes', min: -1 },
};

/** Throws INVALID_CONFIG for a value of a config the store interprets that Kafka would refuse. */
export function validateTopicConfigs(configs: Record<string, string | null>): void {
  for (const [name, value] of Object.entries(configs)) {
    const spec = NUMERIC_TOPIC_CONFIGS[name];
    if (spec === undefined || value === null) continue;
    const n = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(n) || n < spec.min) {
      throw new StorageError(ErrorCode.INVALID_CONFIG, `invalid value '${value}' for ${name}: must be an integer >= ${spec.min}`);
    }
  }
}

export function resolveLogConfig(defaults: LogConfig, configs: Record<string, string>): LogConfig {
  const resolved = { ...defaults };
  for (const [name, spec] of Object.entries(NUMERIC_TOPIC_CONFIGS)) {
    const value = configs[name];
    if (value !== undefined) resolved[spec.key] = Number(value);
  }
  return resolved;
}
