import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { Logger } from '../common/logger.js';
import { silentLogger } from '../common/logger.js';
import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { KafkaConfigError } from './errors.js';

/** What ApiVersions v3+ announces (KIP-511); must match `[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?`. */
export const CLIENT_SOFTWARE_NAME = 'samsa';
export const CLIENT_SOFTWARE_VERSION = '0.1.0';

/**
 * Options shared by every client family (producer, consumer, admin): how to reach the cluster and
 * how hard to try. Names follow Kafka's configs in camelCase (`request.timeout.ms` ->
 * `requestTimeoutMs`).
 */
export interface ClientOptions {
  /** `host:port` pairs (or one comma-separated string) used only to discover the cluster. */
  bootstrapServers: string | string[];
  clientId?: string;
  /** How long to wait for any response before failing the request and closing the connection. */
  requestTimeoutMs?: number;
  /** `socket.connection.setup.timeout.ms`: TCP (and TLS) connect plus the ApiVersions handshake. */
  connectionTimeoutMs?: number;
  /** Cached metadata older than this is refreshed on its next use. */
  metadataMaxAgeMs?: number;
  /** How many times a retriable failure is retried before it is surfaced. */
  retries?: number;
  /** First retry delay; doubles per attempt up to `retryBackoffMaxMs` (KIP-580), jittered ±20%. */
  retryBackoffMs?: number;
  retryBackoffMaxMs?: number;
  /** First reconnect delay to a broker that failed; doubles up to `reconnectBackoffMaxMs`, jittered. */
  reconnectBackoffMs?: number;
  reconnectBackoffMaxMs?: number;
  /** Largest response frame accepted; a bigger size field closes the connection. */
  maxResponseBytes?: number;
  /** TLS: `true` for defaults, or node:tls options. Off by default. */
  ssl?: boolean | TlsConnectionOptions;
  /**
   * SASL authentication (over TLS when `ssl` is set too, i.e. SASL_SSL): `{ mechanism: 'plain' |
   * 'scram-sha-256' | 'scram-sha-512', username, password }` (kafkajs' shape; case does not matter).
   * Re-authenticates before the session lifetime the broker grants runs out (KIP-368).
   */
  sasl?: { mechanism: string; username: string; password: string };
  /**
   * Highest version to use per API key, below what would be negotiated: a way around a broker
   * that advertises a version it does not implement correctly (see docs/limitations.md).
   */
  maxApiVersions?: Partial<Record<number, number>>;
  logger?: Logger;
  /** Injected time source (tests); defaults to the system clock. */
  clock?: Clock;
  /** Injected randomness in [0, 1) for jitter (tests); defaults to Math.random. */
  random?: () => number;
}

export interface SaslOptions {
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
}

function resolveSasl(sasl: ClientOptions['sasl']): SaslOptions | null {
  if (sasl === undefined) return null;
  if (sasl === null || typeof sasl !== 'object') throw new KafkaConfigError('sasl must be { mechanism, username, password }');
  const mechanism = String(sasl.mechanism).toUpperCase();
  if (mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512') {
    throw new KafkaConfigError(`sasl.mechanism must be plain, scram-sha-256 or scram-sha-512, got ${JSON.stringify(sasl.mechanism)}`);
  }
  if (typeof sasl.username !== 'string' || sasl.username === '' || typeof sasl.password !== 'string') throw new KafkaConfigError('sasl needs a username and a password');
  return { mechanism, username: sasl.username, password: sasl.password };
}

export interface BrokerAddress {
  host: string;
  port: number;
}

export interface ResolvedClientOptions {
  bootstrapServers: BrokerAddress[];
  clientId: string;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  metadataMaxAgeMs: number;
  retries: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  reconnectBackoffMs: number;
  reconnectBackoffMaxMs: number;
  maxResponseBytes: number;
  ssl: TlsConnectionOptions | null;
  sasl: SaslOptions | null;
  maxApiVersions: Partial<Record<number, number>>;
  logger: Logger;
  clock: Clock;
  random: () => number;
}

/** Defaults, in one place (Kafka's, except where a comment says otherwise). */
export const CLIENT_DEFAULTS = {
  clientId: 'samsa',
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 10_000,
  metadataMaxAgeMs: 300_000,
  // Kafka's clients retry until delivery.timeout.ms / default.api.timeout.ms; a count is easier to
  // reason about and to bound in tests.
  retries: 5,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1_000,
  reconnectBackoffMs: 50,
  reconnectBackoffMaxMs: 1_000,
  maxResponseBytes: 128 * 1024 * 1024,
} as const;

export function parseBrokerAddress(s: string): BrokerAddress {
  const text = s.trim();
  // [ipv6]:port, host:port
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (m === null) throw new KafkaConfigError(`bootstrapServers: "${s}" is not host:port`);
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new KafkaConfigError(`bootstrapServers: port of "${s}" must be 1..65535`);
  }
  return { host: m[1]!, port };
}

/** Checks an optional integer option; returns the default when it is absent. */
export function intOption(name: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in ${min}..${max}`;
    throw new KafkaConfigError(`${name} must be ${range}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function oneOfOption<T extends string | number>(name: string, value: unknown, fallback: T, allowed: readonly T[]): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new KafkaConfigError(`${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

export function boolOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new KafkaConfigError(`${name} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** Rejects option names nobody reads, so a typo (`requestTimeout`) is not silently ignored. */
export function rejectUnknownOptions(family: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new KafkaConfigError(`${family}: unknown option "${key}"`);
  }
}

export const CLIENT_OPTION_NAMES = [
  'bootstrapServers', 'clientId', 'requestTimeoutMs', 'connectionTimeoutMs', 'metadataMaxAgeMs', 'retries',
  'retryBackoffMs', 'retryBackoffMaxMs', 'reconnectBackoffMs', 'reconnectBackoffMaxMs', 'maxResponseBytes', 'ssl', 'sasl',
  'maxApiVersions', 'logger', 'clock', 'random',
] as const;

export function resolveClientOptions(o: ClientOptions): ResolvedClientOptions {
  if (o === null || typeof o !== 'object') throw new KafkaConfigError('client options must be an object');
  const list = typeof o.bootstrapServers === 'string' ? o.bootstrapServers.split(',') : o.bootstrapServers;
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== 'string' || s.trim() === '')) {
    throw new KafkaConfigError('bootstrapServers must be a non-empty list of "host:port" strings');
  }
  const clientId = o.clientId ?? CLIENT_DEFAULTS.clientId;
  if (typeof clientId !== 'string') throw new KafkaConfigError('clientId must be a string');
  const d = CLIENT_DEFAULTS;
  const r: ResolvedClientOptions = {
    bootstrapServers: list.map(parseBrokerAddress),
    clientId,
    requestTimeoutMs: intOption('requestTimeoutMs', o.requestTimeoutMs, d.requestTimeoutMs, 1),
    connectionTimeoutMs: intOption('connectionTimeoutMs', o.connectionTimeoutMs, d.connectionTimeoutMs, 1),
    metadataMaxAgeMs: intOption('metadataMaxAgeMs', o.metadataMaxAgeMs, d.metadataMaxAgeMs, 0),
    retries: intOption('retries', o.retries, d.retries, 0),
    retryBackoffMs: intOption('retryBackoffMs', o.retryBackoffMs, d.retryBackoffMs, 0),
    retryBackoffMaxMs: intOption('retryBackoffMaxMs', o.retryBackoffMaxMs, d.retryBackoffMaxMs, 0),
    reconnectBackoffMs: intOption('reconnectBackoffMs', o.reconnectBackoffMs, d.reconnectBackoffMs, 0),
    reconnectBackoffMaxMs: intOption('reconnectBackoffMaxMs', o.reconnectBackoffMaxMs, d.reconnectBackoffMaxMs, 0),
    maxResponseBytes: intOption('maxResponseBytes', o.maxResponseBytes, d.maxResponseBytes, 1024),
    ssl: o.ssl === undefined || o.ssl === false ? null : o.ssl === true ? {} : o.ssl,
    sasl: resolveSasl(o.sasl),
    maxApiVersions: checkVersionCaps(o.maxApiVersions),
    logger: o.logger ?? silentLogger,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
  };
  if (r.retryBackoffMaxMs < r.retryBackoffMs) {
    throw new KafkaConfigError(`retryBackoffMaxMs (${r.retryBackoffMaxMs}) must be >= retryBackoffMs (${r.retryBackoffMs})`);
  }
  if (r.reconnectBackoffMaxMs < r.reconnectBackoffMs) {
    throw new KafkaConfigError(`reconnectBackoffMaxMs (${r.reconnectBackoffMaxMs}) must be >= reconnectBackoffMs (${r.reconnectBackoffMs})`);
  }
  return r;
}

function checkVersionCaps(caps: unknown): Partial<Record<number, number>> {
  if (caps === undefined) return {};
  if (caps === null || typeof caps !== 'object') throw new KafkaConfigError('maxApiVersions must be an object { apiKey: version }');
  for (const [key, v] of Object.entries(caps)) {
    if (!/^\d+$/.test(key) || typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new KafkaConfigError(`maxApiVersions: ${key} -> ${JSON.stringify(v)} is not apiKey -> non-negative version`);
    }
  }
  return caps as Partial<Record<number, number>>;
}
