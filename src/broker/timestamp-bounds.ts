import { ErrorCode } from '../protocol/errors.js';
import type { BatchHeader } from '../protocol/record-batch-header.js';

/** Kafka's "no limit" for the timestamp configs: Long.MAX_VALUE (as a JS number). */
const NO_LIMIT = 9_223_372_036_854_775_807;

/** How far a CreateTime timestamp may lie before and after the broker's clock. */
export interface TimestampBounds {
  beforeMaxMs: number;
  afterMaxMs: number;
}

function configured(overrides: Record<string, string>, name: string): number | null {
  const v = overrides[name];
  return v === undefined ? null : Number(v);
}

/**
 * A topic's bounds, resolved as Kafka 3.6+ does (KIP-937): `message.timestamp.before.max.ms` and
 * `message.timestamp.after.max.ms` when set to a limit, else the deprecated
 * `message.timestamp.difference.max.ms` (which bounded both sides), else no limit.
 */
export function timestampBounds(overrides: Record<string, string>): TimestampBounds {
  const difference = configured(overrides, 'message.timestamp.difference.max.ms') ?? NO_LIMIT;
  const pick = (name: string): number => {
    const v = configured(overrides, name);
    return v === null || v >= NO_LIMIT ? difference : v;
  };
  return { beforeMaxMs: pick('message.timestamp.before.max.ms'), afterMaxMs: pick('message.timestamp.after.max.ms') };
}

export interface TimestampRejection {
  errorCode: number;
  detail: string;
}

/**
 * Kafka's LogValidator checks every record's CreateTime against [now - before, now + after] and
 * answers INVALID_TIMESTAMP. The broker does not decode records, so this reads the batch header:
 * its max timestamp bounds every record from above, and its base timestamp is the first record's.
 * A later record stamped earlier than the first one (explicit timestamps going backwards inside
 * one batch) is not checked against `before` (docs/limitations.md).
 */
export function checkBatchTimestamps(header: BatchHeader, nowMs: number, bounds: TimestampBounds): TimestampRejection | null {
  if (bounds.beforeMaxMs >= NO_LIMIT && bounds.afterMaxMs >= NO_LIMIT) return null;
  const lowest = nowMs - bounds.beforeMaxMs;
  const highest = nowMs + bounds.afterMaxMs;
  const range = `the timestamp should be within [${lowest}, ${highest}] (message.timestamp.before.max.ms/after.max.ms)`;
  if (header.maxTimestamp >= 0 && header.maxTimestamp > highest) {
    return { errorCode: ErrorCode.INVALID_TIMESTAMP, detail: `timestamp ${header.maxTimestamp} is out of range: ${range}` };
  }
  if (header.baseTimestamp >= 0 && header.baseTimestamp < lowest) {
    return { errorCode: ErrorCode.INVALID_TIMESTAMP, detail: `timestamp ${header.baseTimestamp} is out of range: ${range}` };
  }
  return null;
}
