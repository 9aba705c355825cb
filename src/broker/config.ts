import type { Logger } from '../common/logger.js';
import { parsePerIpOverrides } from './limits/connection-limits.js';
import { SUPPORTED_SASL_MECHANISMS } from './security/sasl-session.js';
import { isSasl, isTls, parseListeners, parseSecurityProtocolMap, resolveAdvertised, type AdvertisedEndpoint, type ListenerSpec } from './security/listeners.js';

/** What `startBroker` and `samsa start` accept. Every option has Kafka's default unless noted. */
export interface BrokerOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 9092. */
  port?: number;
  /** The broker's node id (`node.id`). Default 1. */
  nodeId?: number;
  /** Host name clients are told to connect to. Default: `host` (or 127.0.0.1 when listening on 0.0.0.0). */
  advertisedHost?: string;
  /**
   * `listeners`: `NAME://host:port,...`, each with its security protocol (PLAINTEXT, SSL,
   * SASL_PLAINTEXT, SASL_SSL, or a name from `listenerSecurityProtocolMap`). Default: one PLAINTEXT
   * listener on `host`:`port`. Cannot be combined with `host`/`port`.
   */
  listeners?: string;
  /** `advertised.listeners`: what each named listener tells clients to connect to. Default: its own host (127.0.0.1 for a wildcard, or `advertisedHost`) and bound port. */
  advertisedListeners?: string;
  /** `listener.security.protocol.map`: `NAME:PROTOCOL,...` for listeners with custom names. */
  listenerSecurityProtocolMap?: string;
  /** TLS for SSL and SASL_SSL listeners: PEM files, re-read by `broker.reloadTls()` (`samsa start` does so on SIGHUP). */
  tls?: TlsFileOptions;
  /** `sasl.enabled.mechanisms` of SASL listeners, comma separated. Default PLAIN,SCRAM-SHA-256,SCRAM-SHA-512. */
  saslEnabledMechanisms?: string;
  /** `connections.max.reauth.ms` (KIP-368): SASL sessions last this long unless the client re-authenticates. Default 0 (forever). */
  connectionsMaxReauthMs?: number;
  /**
   * Users (name → password) added in memory at start-up, for embedded brokers and tests; their
   * SCRAM credentials are derived at once and the passwords dropped. Durable users come from the
   * data directory (`samsa users add`).
   */
  saslUsers?: Record<string, string>;
  /**
   * Enforce ACLs: Kafka's `authorizer.class.name` set to its standard ACL authorizer. Every request
   * is then checked against the ACLs (CreateAcls / `samsa acls add`), which live in the data
   * directory. Default false: everything is allowed and ACL APIs answer SECURITY_DISABLED.
   */
  authorizer?: boolean;
  /** `super.users`: principals allowed everything, e.g. `User:admin;User:ops` (or a list). Needs `authorizer`. */
  superUsers?: string | string[];
  /** `allow.everyone.if.no.acl.found`: a resource no ACL names is open to all. Default false. Needs `authorizer`. */
  allowEveryoneIfNoAclFound?: boolean;
  /** Where partition logs and group state live. Default ./samsa-data. Ignored with `memory`. */
  dataDir?: string;
  /** Keep everything in memory (nothing survives a restart). Default false. */
  memory?: boolean;
  /** `auto.create.topics.enable`. Default true. */
  autoCreateTopics?: boolean;
  /** `num.partitions`, for auto-created topics and CreateTopics with -1. Default 1. */
  numPartitions?: number;
  /** `log.retention.ms`. Default 604800000 (7 days); -1 keeps data forever. */
  logRetentionMs?: number;
  /** `log.retention.bytes` per partition. Default -1 (no limit). */
  logRetentionBytes?: number;
  /** `log.segment.bytes`. Default 1073741824 (1 GiB). */
  logSegmentBytes?: number;
  /** `log.retention.check.interval.ms`: how often retention runs. Default 300000 (5 minutes). */
  logRetentionCheckIntervalMs?: number;
  /**
   * When acknowledged data reaches the disk. 'acks-all' (default): an acks=-1 Produce is answered
   * after an fdatasync shared with every request that arrived meanwhile (group commit), and
   * everything else is synced every `flushIntervalMs`. 'interval': only the periodic sync.
   */
  flushPolicy?: 'acks-all' | 'interval';
  /** Period of the background sync. Default 1000 ms. */
  flushIntervalMs?: number;
  /** `message.max.bytes`: the largest record batch accepted. Default 1048588. */
  messageMaxBytes?: number;
  /** `socket.request.max.bytes`: the largest request frame. Default 104857600 (100 MiB). */
  maxRequestBytes?: number;
  /**
   * `queued.max.request.bytes`: request bytes being received or handled, across all connections.
   * When reached, connections that are receiving a large request stop being read until memory
   * frees (backpressure); requests that arrive whole keep flowing. -1: no bound. Default 209715200
   * (200 MiB; Kafka's default is unbounded). Must be at least `maxRequestBytes`.
   */
  queuedMaxRequestBytes?: number;
  /** `max.connections`: open connections across all listeners; one more is closed at once. Default 2147483647. */
  maxConnections?: number;
  /** `max.connections.per.ip`. Default 2147483647. */
  maxConnectionsPerIp?: number;
  /** `max.connections.per.ip.overrides`: `address:limit,...` (e.g. `127.0.0.1:200`). Default none. */
  maxConnectionsPerIpOverrides?: string;
  /** `connections.max.idle.ms`: a connection with no traffic and no request pending for this long is closed. Default 600000; -1 never. */
  connectionsMaxIdleMs?: number;
  /** Requests a connection may have waiting for their responses before we stop reading it. Default 100. */
  maxInFlightRequestsPerConnection?: number;
  /** `group.initial.rebalance.delay.ms`. Default 3000. */
  groupInitialRebalanceDelayMs?: number;
  /** `group.min.session.timeout.ms`. Default 6000. */
  groupMinSessionTimeoutMs?: number;
  /** `group.max.session.timeout.ms`. Default 1800000. */
  groupMaxSessionTimeoutMs?: number;
  /** `group.max.size`. Default 2147483647. */
  groupMaxSize?: number;
  /** `offsets.retention.minutes`. Default 10080 (7 days). */
  offsetsRetentionMinutes?: number;
  /** Check every segment of every partition at start-up, closed ones too (CRC of every batch). Default false. */
  verifyOnStart?: boolean;
  /**
   * Repair partitions found damaged at start-up (keep the valid batches, move the damaged bytes
   * aside, keep the log end) instead of leaving them offline. Default false.
   */
  repair?: boolean;
  /** `log.cleaner.enable`: compact `cleanup.policy=compact` topics in the background. Default true. */
  logCleanerEnable?: boolean;
  /** `log.cleaner.dedupe.buffer.size`: memory of the cleaner's key → offset map. Default 134217728 (128 MiB). */
  logCleanerDedupeBufferSize?: number;
  /** `log.cleaner.io.max.bytes.per.second`: the cleaner's read + write rate limit. Default: none (Infinity). */
  logCleanerIoMaxBytesPerSecond?: number;
  /** `log.cleaner.backoff.ms`: the cleaner's pause when no log needs cleaning. Default 15000. */
  logCleanerBackoffMs?: number;
  /** `log.cleaner.delete.retention.ms`: default topic `delete.retention.ms`. Default 86400000 (1 day). */
  logCleanerDeleteRetentionMs?: number;
  /** `log.cleaner.min.compaction.lag.ms`: default topic `min.compaction.lag.ms`. Default 0. */
  logCleanerMinCompactionLagMs?: number;
  /** `log.cleaner.max.compaction.lag.ms`: default topic `max.compaction.lag.ms`. Default: none (Infinity). */
  logCleanerMaxCompactionLagMs?: number;
  /** `log.cleaner.min.cleanable.ratio`: default topic `min.cleanable.dirty.ratio`. Default 0.5. */
  logCleanerMinCleanableRatio?: number;
  /** `transaction.max.timeout.ms`: the longest transaction timeout a producer may ask for. Default 900000. */
  transactionMaxTimeoutMs?: number;
  /** `transactional.id.expiration.ms`: an idle transactional id is forgotten after this. Default 604800000 (7 days). */
  transactionalIdExpirationMs?: number;
  /** `producer.id.expiration.ms`: a partition forgets a producer idle this long (no open transaction). Default 86400000 (1 day). */
  producerIdExpirationMs?: number;
  /** `producer.id.expiration.check.interval.ms`. Default 600000 (10 minutes). */
  producerIdExpirationCheckIntervalMs?: number;
  /** `group.consumer.session.timeout.ms` (KIP-848 consumer groups). Default 45000. */
  groupConsumerSessionTimeoutMs?: number;
  /** `group.consumer.min.session.timeout.ms`. Default 45000. */
  groupConsumerMinSessionTimeoutMs?: number;
  /** `group.consumer.max.session.timeout.ms`. Default 60000. */
  groupConsumerMaxSessionTimeoutMs?: number;
  /** `group.consumer.heartbeat.interval.ms`. Default 5000. */
  groupConsumerHeartbeatIntervalMs?: number;
  /** `group.consumer.min.heartbeat.interval.ms`. Default 5000. */
  groupConsumerMinHeartbeatIntervalMs?: number;
  /** `group.consumer.max.heartbeat.interval.ms`. Default 15000. */
  groupConsumerMaxHeartbeatIntervalMs?: number;
  /** `group.consumer.max.size`. Default 2147483647. */
  groupConsumerMaxSize?: number;
  /** `group.consumer.assignors`: server-side assignors, the first the default. Default ['uniform', 'range']. */
  groupConsumerAssignors?: string[];
  /** `group.consumer.migration.policy`: disabled, upgrade, downgrade or bidirectional (default). */
  groupConsumerMigrationPolicy?: 'disabled' | 'upgrade' | 'downgrade' | 'bidirectional';
  /** Where log lines go. Default: stderr at info level. */
  logger?: Logger;
}

/** PEM files of a TLS listener (Kafka's ssl.keystore.* / ssl.truststore.* with type PEM). */
export interface TlsFileOptions {
  /** Private key (`ssl.keystore.location` key part). */
  keyFile: string;
  /** Certificate chain. */
  certFile: string;
  /** Password of an encrypted key (`ssl.key.password`). */
  keyPassword?: string;
  /** CA certificates that client certificates must chain to (`ssl.truststore.location`). */
  caFile?: string;
  /** `ssl.client.auth`: 'none' (default), 'requested' or 'required'. The principal is then the certificate's subject. */
  clientAuth?: 'none' | 'requested' | 'required';
}

type ResolvedSeparately = 'logger' | 'advertisedHost' | 'dataDir' | 'listeners' | 'advertisedListeners' | 'listenerSecurityProtocolMap' | 'tls' | 'saslEnabledMechanisms' | 'saslUsers' | 'superUsers';

export type BrokerConfig = Required<Omit<BrokerOptions, ResolvedSeparately>> & {
  advertisedHost: string;
  /** Every listener to bind; the first one's host and port are also `host` and `port`. */
  listeners: readonly ListenerSpec[];
  /** What each listener (by name) advertises; port 0 means its bound port. */
  advertised: ReadonlyMap<string, AdvertisedEndpoint>;
  tls: TlsFileOptions | null;
  saslEnabledMechanisms: readonly string[];
  saslUsers: Readonly<Record<string, string>>;
  superUsers: readonly string[];
  /** null when running in memory. */
  dataDir: string | null;
  clusterId: string;
};

/** Where a broker keeps its data unless told otherwise (`--data-dir`). */
export const DEFAULT_DATA_DIR = './samsa-data';

export const BROKER_DEFAULTS = {
  host: '127.0.0.1',
  port: 9092,
  nodeId: 1,
  memory: false,
  autoCreateTopics: true,
  numPartitions: 1,
  logRetentionMs: 604_800_000,
  logRetentionBytes: -1,
  logSegmentBytes: 1_073_741_824,
  logRetentionCheckIntervalMs: 300_000,
  flushPolicy: 'acks-all',
  flushIntervalMs: 1000,
  messageMaxBytes: 1_048_588,
  maxRequestBytes: 104_857_600,
  maxInFlightRequestsPerConnection: 100,
  queuedMaxRequestBytes: 209_715_200,
  maxConnections: 2_147_483_647,
  maxConnectionsPerIp: 2_147_483_647,
  maxConnectionsPerIpOverrides: '',
  connectionsMaxIdleMs: 600_000,
  connectionsMaxReauthMs: 0,
  groupInitialRebalanceDelayMs: 3000,
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupMaxSize: 2_147_483_647,
  offsetsRetentionMinutes: 10_080,
  verifyOnStart: false,
  repair: false,
  logCleanerEnable: true,
  logCleanerDedupeBufferSize: 134_217_728,
  logCleanerIoMaxBytesPerSecond: Infinity,
  logCleanerBackoffMs: 15_000,
  logCleanerDeleteRetentionMs: 86_400_000,
  logCleanerMinCompactionLagMs: 0,
  logCleanerMaxCompactionLagMs: Infinity,
  logCleanerMinCleanableRatio: 0.5,
  transactionMaxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 604_800_000,
  producerIdExpirationMs: 86_400_000,
  producerIdExpirationCheckIntervalMs: 600_000,
  groupConsumerSessionTimeoutMs: 45_000,
  groupConsumerMinSessionTimeoutMs: 45_000,
  groupConsumerMaxSessionTimeoutMs: 60_000,
  groupConsumerHeartbeatIntervalMs: 5000,
  groupConsumerMinHeartbeatIntervalMs: 5000,
  groupConsumerMaxHeartbeatIntervalMs: 15_000,
  groupConsumerMaxSize: 2_147_483_647,
  groupConsumerAssignors: ['uniform', 'range'] as string[],
  groupConsumerMigrationPolicy: 'bidirectional',
  authorizer: false,
  allowEveryoneIfNoAclFound: false,
} as const satisfies Partial<BrokerOptions>;

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(`invalid broker option: ${message}`);
}

const isInt = (v: number): boolean => Number.isInteger(v);

/** Fills defaults and validates, with a message naming the option at fault. */
export function resolveBrokerConfig(options: BrokerOptions = {}): BrokerConfig {
  const o = { ...BROKER_DEFAULTS, ...stripUndefined(options) };
  check(isInt(o.port) && o.port >= 0 && o.port <= 65535, `port must be 0-65535, got ${o.port}`);
  check(isInt(o.nodeId) && o.nodeId >= 0, `nodeId must be a non-negative integer, got ${o.nodeId}`);
  check(isInt(o.numPartitions) && o.numPartitions >= 1, `numPartitions must be >= 1, got ${o.numPartitions}`);
  check(o.logRetentionMs === -1 || o.logRetentionMs > 0, `logRetentionMs must be -1 or positive, got ${o.logRetentionMs}`);
  check(o.logRetentionBytes === -1 || o.logRetentionBytes > 0, `logRetentionBytes must be -1 or positive, got ${o.logRetentionBytes}`);
  check(isInt(o.logSegmentBytes) && o.logSegmentBytes >= 1024, `logSegmentBytes must be >= 1024, got ${o.logSegmentBytes}`);
  check(o.logRetentionCheckIntervalMs > 0, `logRetentionCheckIntervalMs must be positive, got ${o.logRetentionCheckIntervalMs}`);
  check(o.flushPolicy === 'acks-all' || o.flushPolicy === 'interval', `flushPolicy must be 'acks-all' or 'interval', got ${o.flushPolicy}`);
  check(o.flushIntervalMs > 0, `flushIntervalMs must be positive, got ${o.flushIntervalMs}`);
  check(o.messageMaxBytes > 0, `messageMaxBytes must be positive`);
  check(o.maxRequestBytes >= 1024, `maxRequestBytes must be >= 1024`);
  check(o.maxInFlightRequestsPerConnection >= 1, `maxInFlightRequestsPerConnection must be >= 1`);
  check(
    o.queuedMaxRequestBytes === -1 || o.queuedMaxRequestBytes >= o.maxRequestBytes,
    `queuedMaxRequestBytes must be -1 or at least maxRequestBytes (${o.maxRequestBytes}), got ${o.queuedMaxRequestBytes}`,
  );
  check(isInt(o.maxConnections) && o.maxConnections >= 1, `maxConnections must be >= 1, got ${o.maxConnections}`);
  check(isInt(o.maxConnectionsPerIp) && o.maxConnectionsPerIp >= 1, `maxConnectionsPerIp must be >= 1, got ${o.maxConnectionsPerIp}`);
  try {
    parsePerIpOverrides(o.maxConnectionsPerIpOverrides);
  } catch (err) {
    check(false, `maxConnectionsPerIpOverrides: ${(err as Error).message}`);
  }
  check(o.connectionsMaxIdleMs === -1 || o.connectionsMaxIdleMs > 0, `connectionsMaxIdleMs must be -1 or positive, got ${o.connectionsMaxIdleMs}`);
  check(o.groupInitialRebalanceDelayMs >= 0, `groupInitialRebalanceDelayMs must be >= 0`);
  check(o.groupMinSessionTimeoutMs >= 0, `groupMinSessionTimeoutMs must be >= 0`);
  check(o.groupMaxSessionTimeoutMs >= o.groupMinSessionTimeoutMs, `groupMaxSessionTimeoutMs must be >= groupMinSessionTimeoutMs`);
  check(o.groupMaxSize >= 1, `groupMaxSize must be >= 1`);
  check(o.offsetsRetentionMinutes >= 1, `offsetsRetentionMinutes must be >= 1`);
  check(isInt(o.logCleanerDedupeBufferSize) && o.logCleanerDedupeBufferSize >= 1024, `logCleanerDedupeBufferSize must be an integer >= 1024, got ${o.logCleanerDedupeBufferSize}`);
  check(o.logCleanerIoMaxBytesPerSecond > 0, `logCleanerIoMaxBytesPerSecond must be positive, got ${o.logCleanerIoMaxBytesPerSecond}`);
  check(o.logCleanerBackoffMs > 0, `logCleanerBackoffMs must be positive, got ${o.logCleanerBackoffMs}`);
  check(o.logCleanerDeleteRetentionMs >= 0, `logCleanerDeleteRetentionMs must be >= 0, got ${o.logCleanerDeleteRetentionMs}`);
  check(o.logCleanerMinCompactionLagMs >= 0, `logCleanerMinCompactionLagMs must be >= 0, got ${o.logCleanerMinCompactionLagMs}`);
  check(o.logCleanerMaxCompactionLagMs >= 1, `logCleanerMaxCompactionLagMs must be >= 1, got ${o.logCleanerMaxCompactionLagMs}`);
  check(o.logCleanerMinCleanableRatio >= 0 && o.logCleanerMinCleanableRatio <= 1, `logCleanerMinCleanableRatio must be in [0, 1], got ${o.logCleanerMinCleanableRatio}`);
  check(isInt(o.transactionMaxTimeoutMs) && o.transactionMaxTimeoutMs >= 1, `transactionMaxTimeoutMs must be a positive integer`);
  check(isInt(o.transactionalIdExpirationMs) && o.transactionalIdExpirationMs >= 1, `transactionalIdExpirationMs must be a positive integer`);
  check(isInt(o.producerIdExpirationMs) && o.producerIdExpirationMs >= 1, `producerIdExpirationMs must be a positive integer`);
  check(o.producerIdExpirationCheckIntervalMs > 0, `producerIdExpirationCheckIntervalMs must be positive`);
  checkConsumerGroupOptions(o);
  const listeners = resolveListeners(options);
  const first = listeners[0]!;
  let advertised: Map<string, AdvertisedEndpoint>;
  try {
    advertised = resolveAdvertised(listeners, options.advertisedListeners, options.advertisedHost);
  } catch (err) {
    throw new RangeError(`invalid broker option: ${(err as Error).message}`);
  }
  const tls = options.tls ?? null;
  check(tls !== null || !listeners.some((l) => isTls(l.securityProtocol)), 'an SSL or SASL_SSL listener needs tls (key and certificate files)');
  if (tls !== null) {
    check(tls.clientAuth === undefined || ['none', 'requested', 'required'].includes(tls.clientAuth), `tls.clientAuth must be none, requested or required, got ${tls.clientAuth}`);
    check(tls.clientAuth === undefined || tls.clientAuth === 'none' || tls.caFile !== undefined, 'tls.clientAuth needs tls.caFile (the CA client certificates chain to)');
  }
  check(o.connectionsMaxReauthMs >= 0, `connectionsMaxReauthMs must be >= 0, got ${o.connectionsMaxReauthMs}`);
  const saslEnabledMechanisms = (options.saslEnabledMechanisms ?? SUPPORTED_SASL_MECHANISMS.join(',')).split(',').map((m) => m.trim().toUpperCase()).filter((m) => m !== '');
  for (const m of saslEnabledMechanisms) check((SUPPORTED_SASL_MECHANISMS as readonly string[]).includes(m), `saslEnabledMechanisms: ${m} is not one of ${SUPPORTED_SASL_MECHANISMS.join(', ')}`);
  check(saslEnabledMechanisms.length > 0 || !listeners.some((l) => isSasl(l.securityProtocol)), 'a SASL listener needs at least one SASL mechanism');
  const superUsers = parseSuperUsers(options.superUsers);
  check(o.authorizer || (superUsers.length === 0 && !o.allowEveryoneIfNoAclFound), 'superUsers and allowEveryoneIfNoAclFound need authorizer: true');
  const { logger: _logger, advertisedHost: _a, dataDir: _d, listeners: _l, advertisedListeners: _al, listenerSecurityProtocolMap: _m, tls: _t, saslEnabledMechanisms: _sm, saslUsers: _su, superUsers: _sup, ...rest } = o as typeof o & Pick<BrokerOptions, ResolvedSeparately>;
  return {
    ...rest,
    host: first.host,
    port: first.port,
    advertisedHost: advertised.get(first.name)!.host,
    listeners,
    advertised,
    tls,
    saslEnabledMechanisms,
    saslUsers: options.saslUsers ?? {},
    superUsers,
    dataDir: o.memory ? null : (options.dataDir ?? DEFAULT_DATA_DIR),
    clusterId: 'samsa-cluster',
  };
}

type ConsumerGroupOption = Extract<keyof BrokerOptions, `groupConsumer${string}`>;

/** The group.consumer.* relations Kafka's GroupCoordinatorConfig enforces, named as our options. */
function checkConsumerGroupOptions(o: Required<Pick<BrokerOptions, ConsumerGroupOption>>): void {
  const ints = [
    'groupConsumerSessionTimeoutMs',
    'groupConsumerMinSessionTimeoutMs',
    'groupConsumerMaxSessionTimeoutMs',
    'groupConsumerHeartbeatIntervalMs',
    'groupConsumerMinHeartbeatIntervalMs',
    'groupConsumerMaxHeartbeatIntervalMs',
    'groupConsumerMaxSize',
  ] as const;
  for (const k of ints) check(isInt(o[k]) && o[k] >= 1, `${k} must be an integer >= 1, got ${o[k]}`);
  check(o.groupConsumerMaxSessionTimeoutMs >= o.groupConsumerMinSessionTimeoutMs, 'groupConsumerMaxSessionTimeoutMs must be >= groupConsumerMinSessionTimeoutMs');
  check(o.groupConsumerSessionTimeoutMs >= o.groupConsumerMinSessionTimeoutMs && o.groupConsumerSessionTimeoutMs <= o.groupConsumerMaxSessionTimeoutMs, 'groupConsumerSessionTimeoutMs must be within [groupConsumerMinSessionTimeoutMs, groupConsumerMaxSessionTimeoutMs]');
  check(o.groupConsumerMaxHeartbeatIntervalMs >= o.groupConsumerMinHeartbeatIntervalMs, 'groupConsumerMaxHeartbeatIntervalMs must be >= groupConsumerMinHeartbeatIntervalMs');
  check(o.groupConsumerHeartbeatIntervalMs >= o.groupConsumerMinHeartbeatIntervalMs && o.groupConsumerHeartbeatIntervalMs <= o.groupConsumerMaxHeartbeatIntervalMs, 'groupConsumerHeartbeatIntervalMs must be within [groupConsumerMinHeartbeatIntervalMs, groupConsumerMaxHeartbeatIntervalMs]');
  check(o.groupConsumerHeartbeatIntervalMs < o.groupConsumerSessionTimeoutMs, 'groupConsumerHeartbeatIntervalMs must be < groupConsumerSessionTimeoutMs');
  const known = ['uniform', 'range'];
  check(o.groupConsumerAssignors.length > 0 && o.groupConsumerAssignors.every((a) => known.includes(a)) && new Set(o.groupConsumerAssignors).size === o.groupConsumerAssignors.length, `groupConsumerAssignors must list some of ${known.join(', ')} once each, got ${o.groupConsumerAssignors.join(',')}`);
  check(['disabled', 'upgrade', 'downgrade', 'bidirectional'].includes(o.groupConsumerMigrationPolicy), `groupConsumerMigrationPolicy must be disabled, upgrade, downgrade or bidirectional, got ${o.groupConsumerMigrationPolicy}`);
}

function resolveListeners(options: BrokerOptions): ListenerSpec[] {
  if (options.listeners === undefined) {
    const host = options.host ?? BROKER_DEFAULTS.host;
    return [{ name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host, port: options.port ?? BROKER_DEFAULTS.port }];
  }
  check(options.host === undefined && options.port === undefined, 'listeners replaces host and port: give one or the other');
  try {
    return parseListeners(options.listeners, parseSecurityProtocolMap(options.listenerSecurityProtocolMap ?? ''));
  } catch (err) {
    throw new RangeError(`invalid broker option: ${(err as Error).message}`);
  }
}

/** Kafka's `super.users` form: `User:a;User:b` (each a Type:name principal). */
function parseSuperUsers(value: string | string[] | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : value.split(';');
  const users = list.map((u) => u.trim()).filter((u) => u !== '');
  for (const u of users) check(/^[A-Za-z]+:.+$/.test(u), `superUsers: "${u}" is not a principal (Type:name, e.g. User:admin)`);
  return users;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
