import { ErrorCode, errorName, isRetriable } from '../protocol/errors.js';

/** Where a failure happened: the API, the broker, and the narrowest resource the error names. */
export interface KafkaErrorContext {
  /** API name, e.g. `Produce`, `FindCoordinator`. */
  api?: string;
  /** The broker's node id, or `host:port` when the node id is not known (bootstrap). */
  broker?: number | string;
  topic?: string;
  partition?: number;
  groupId?: string;
  /** The broker's own error message, when the response carries one. */
  detail?: string | null;
  cause?: unknown;
}

/**
 * The one error class the client surfaces. `code` is Kafka's error code (see ErrorCode), `name`
 * its Kafka name (`NOT_LEADER_OR_FOLLOWER`), `retriable` whether Kafka classes it as retriable.
 * Failures that are not broker answers use Kafka's own codes for them, as the Java client does:
 * a lost or refused connection is NETWORK_EXCEPTION (13), a request that got no answer in time is
 * REQUEST_TIMED_OUT (7), a version neither side supports is UNSUPPORTED_VERSION (35).
 */
export class KafkaError extends Error {
  readonly code: number;
  readonly retriable: boolean;
  readonly api: string | undefined;
  readonly broker: number | string | undefined;
  readonly topic: string | undefined;
  readonly partition: number | undefined;
  readonly groupId: string | undefined;

  constructor(code: number, context: KafkaErrorContext = {}, message?: string) {
    super(message ?? describe(code, context), context.cause === undefined ? undefined : { cause: context.cause });
    this.name = errorName(code);
    this.code = code;
    this.retriable = isRetriable(code);
    this.api = context.api;
    this.broker = context.broker;
    this.topic = context.topic;
    this.partition = context.partition;
    this.groupId = context.groupId;
  }
}

function describe(code: number, c: KafkaErrorContext): string {
  const where: string[] = [];
  if (c.api !== undefined) where.push(c.api);
  if (c.broker !== undefined) where.push(`broker ${c.broker}`);
  if (c.groupId !== undefined) where.push(`group ${c.groupId}`);
  if (c.topic !== undefined) where.push(c.partition === undefined ? `topic ${c.topic}` : `${c.topic}/${c.partition}`);
  const detail = c.detail ? `: ${c.detail}` : '';
  return `${errorName(code)} (${code})${where.length > 0 ? ' in ' + where.join(', ') : ''}${detail}`;
}

/** Throws a KafkaError for a non-zero code; returns quietly for NONE. */
export function throwIfError(code: number, context: KafkaErrorContext): void {
  if (code !== ErrorCode.NONE) throw new KafkaError(code, context);
}

/** A lost, refused or reset connection (retriable). */
export function networkError(broker: number | string, reason: string, cause?: unknown, api?: string): KafkaError {
  return new KafkaError(ErrorCode.NETWORK_EXCEPTION, { broker, api, cause }, `NETWORK_EXCEPTION (13) with broker ${broker}${api ? ` during ${api}` : ''}: ${reason}`);
}

/** Invalid client options: thrown at construction, never retried. */
export class KafkaConfigError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'KafkaConfigError';
  }
}
