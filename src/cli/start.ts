import { InvalidArgumentError, type Command } from 'commander';
import { createStderrLogger, type LogLevel } from '../common/logger.js';
import { resolveBrokerConfig, startBroker, type BrokerOptions } from '../broker/index.js';
import { httpPortArg } from './http-port-arg.js';

function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(n)) throw new InvalidArgumentError('must be an integer.');
    if (n < min) throw new InvalidArgumentError(`must be at least ${min}.`);
    return n;
  };
}

function decimal(min: number, max = Infinity): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number.');
    if (n < min || n > max) throw new InvalidArgumentError(max === Infinity ? `must be at least ${min}.` : `must be between ${min} and ${max}.`);
    return n;
  };
}

function oneOf<T extends string>(...allowed: T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${allowed.join(', ')}.`);
    return value as T;
  };
}

interface StartFlags {
  host?: string;
  port?: number;
  dataDir?: string;
  memory?: boolean;
  nodeId?: number;
  advertisedHost?: string;
  autoCreateTopics?: boolean;
  numPartitions?: number;
  logRetentionMs?: number;
  logRetentionBytes?: number;
  logSegmentBytes?: number;
  flushPolicy?: 'acks-all' | 'interval';
  flushIntervalMs?: number;
  messageMaxBytes?: number;
  groupInitialRebalanceDelayMs?: number;
  groupMinSessionTimeoutMs?: number;
  groupMaxSessionTimeoutMs?: number;
  groupMaxSize?: number;
  offsetsRetentionMinutes?: number;
  verifyOnStart?: boolean;
  repair?: boolean;
  logCleanerEnable?: boolean;
  logCleanerDedupeBufferSize?: number;
  logCleanerIoMaxBytesPerSecond?: number;
  logCleanerBackoffMs?: number;
  logCleanerDeleteRetentionMs?: number;
  logCleanerMinCompactionLagMs?: number;
  logCleanerMaxCompactionLagMs?: number;
  logCleanerMinCleanableRatio?: number;
  transactionMaxTimeoutMs?: number;
  transactionalIdExpirationMs?: number;
  producerIdExpirationMs?: number;
  groupConsumerSessionTimeoutMs?: number;
  groupConsumerMinSessionTimeoutMs?: number;
  groupConsumerMaxSessionTimeoutMs?: number;
  groupConsumerHeartbeatIntervalMs?: number;
  groupConsumerMinHeartbeatIntervalMs?: number;
  groupConsumerMaxHeartbeatIntervalMs?: number;
  groupConsumerMaxSize?: number;
  groupConsumerAssignors?: string[];
  groupConsumerMigrationPolicy?: 'disabled' | 'upgrade' | 'downgrade' | 'bidirectional';
  socketRequestMaxBytes?: number;
  queuedMaxRequestBytes?: number;
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  maxConnectionsPerIpOverrides?: string;
  connectionsMaxIdleMs?: number;
  listeners?: string;
  advertisedListeners?: string;
  listenerSecurityProtocolMap?: string;
  sslKeyFile?: string;
  sslCertFile?: string;
  sslCaFile?: string;
  sslKeyPassword?: string;
  sslClientAuth?: 'none' | 'requested' | 'required';
  saslEnabledMechanisms?: string;
  connectionsMaxReauthMs?: number;
  authorizer?: boolean;
  superUsers?: string;
  allowEveryoneIfNoAclFound?: boolean;
  logLevel: LogLevel;
  httpPort?: number;
  httpHost?: string;
}

/** `samsa start`: runs a broker in the foreground until SIGINT or SIGTERM. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run a Kafka-compatible broker in the foreground (stop it with Ctrl-C)')
    .option('--host <host>', 'interface to listen on (default: 127.0.0.1)')
    .option('--port <port>', 'TCP port, 0 for any free one (default: 9092)', integer(0))
    .option('--data-dir <dir>', 'where partition logs and group state live (default: ./samsa-data)')
    .option('--memory', 'keep everything in memory; nothing survives a restart')
    .option('--node-id <id>', 'this broker\'s node id (default: 1)', integer(0))
    .option('--advertised-host <host>', 'host name clients are told to connect to (default: --host)')
    .option('--auto-create-topics', 'create unknown topics on first use (default)')
    .option('--no-auto-create-topics', 'answer UNKNOWN_TOPIC_OR_PARTITION for unknown topics')
    .option('--num-partitions <n>', 'partitions of auto-created topics (default: 1)', integer(1))
    .option('--log-retention-ms <ms>', 'default retention.ms, -1 to keep forever (default: 604800000)', integer(-1))
    .option('--log-retention-bytes <bytes>', 'default retention.bytes per partition, -1 for no limit (default: -1)', integer(-1))
    .option('--log-segment-bytes <bytes>', 'default segment.bytes (default: 1073741824)', integer(1024))
    .option('--flush-policy <policy>', "'acks-all': fdatasync before answering acks=-1 produces; 'interval': only every --flush-interval-ms (default: acks-all)", oneOf('acks-all', 'interval'))
    .option('--flush-interval-ms <ms>', 'period of the background fdatasync (default: 1000)', integer(1))
    .option('--message-max-bytes <bytes>', 'largest record batch accepted (default: 1048588)', integer(1))
    .option('--group-initial-rebalance-delay-ms <ms>', 'delay of a new group\'s first rebalance (default: 3000)', integer(0))
    .option('--group-min-session-timeout-ms <ms>', 'smallest session timeout a member may ask for (default: 6000)', integer(0))
    .option('--group-max-session-timeout-ms <ms>', 'largest session timeout a member may ask for (default: 1800000)', integer(0))
    .option('--group-max-size <n>', 'most members in one group (default: 2147483647)', integer(1))
    .option('--offsets-retention-minutes <min>', 'how long an empty group\'s offsets are kept (default: 10080)', integer(1))
    .option('--verify-on-start', 'check every segment of every partition at start-up, closed ones too (CRC of every batch)')
    .option('--repair', 'repair partitions found damaged at start-up (keep valid batches, move damaged bytes aside, keep the log end) instead of leaving them offline')
    .option('--log-cleaner-enable', 'compact cleanup.policy=compact topics in the background (default)')
    .option('--no-log-cleaner-enable', 'never compact in the background')
    .option('--log-cleaner-dedupe-buffer-size <bytes>', 'memory of the cleaner\'s key to offset map, 24 bytes a key (default: 134217728)', integer(1024))
    .option('--log-cleaner-io-max-bytes-per-second <bytes>', 'the cleaner\'s read and write rate limit (default: none)', decimal(1))
    .option('--log-cleaner-backoff-ms <ms>', 'the cleaner\'s pause when no log needs cleaning (default: 15000)', integer(1))
    .option('--log-cleaner-delete-retention-ms <ms>', 'default delete.retention.ms: how long tombstones stay (default: 86400000)', integer(0))
    .option('--log-cleaner-min-compaction-lag-ms <ms>', 'default min.compaction.lag.ms (default: 0)', integer(0))
    .option('--log-cleaner-max-compaction-lag-ms <ms>', 'default max.compaction.lag.ms (default: none)', integer(1))
    .option('--log-cleaner-min-cleanable-ratio <ratio>', 'default min.cleanable.dirty.ratio (default: 0.5)', decimal(0, 1))
    .option('--transaction-max-timeout-ms <ms>', 'longest transaction timeout a producer may ask for (default: 900000)', integer(1))
    .option('--transactional-id-expiration-ms <ms>', 'forget a transactional id idle this long (default: 604800000)', integer(1))
    .option('--producer-id-expiration-ms <ms>', 'forget a partition\'s idle producer ids after this (default: 86400000)', integer(1))
    .option('--group-consumer-session-timeout-ms <ms>', 'session timeout of consumer-protocol (KIP-848) members (default: 45000)', integer(1))
    .option('--group-consumer-min-session-timeout-ms <ms>', 'lower bound of --group-consumer-session-timeout-ms (default: 45000)', integer(1))
    .option('--group-consumer-max-session-timeout-ms <ms>', 'upper bound of --group-consumer-session-timeout-ms (default: 60000)', integer(1))
    .option('--group-consumer-heartbeat-interval-ms <ms>', 'heartbeat interval given to consumer-protocol members (default: 5000)', integer(1))
    .option('--group-consumer-min-heartbeat-interval-ms <ms>', 'lower bound of --group-consumer-heartbeat-interval-ms (default: 5000)', integer(1))
    .option('--group-consumer-max-heartbeat-interval-ms <ms>', 'upper bound of --group-consumer-heartbeat-interval-ms (default: 15000)', integer(1))
    .option('--group-consumer-max-size <n>', 'most members in one consumer-protocol group (default: 2147483647)', integer(1))
    .option('--group-consumer-assignors <list>', 'server-side assignors, comma-separated, the first the default (default: uniform,range)', (v: string) => v.split(',').map((a) => a.trim()))
    .option('--group-consumer-migration-policy <policy>', 'which non-empty groups convert between the classic and consumer protocols (default: bidirectional)', oneOf('disabled', 'upgrade', 'downgrade', 'bidirectional'))
    .option('--socket-request-max-bytes <bytes>', 'largest request frame accepted (default: 104857600)', integer(1024))
    .option('--queued-max-request-bytes <bytes>', 'request bytes held in memory across all connections; past it, large requests wait (default: 209715200, -1 no bound)', integer(-1))
    .option('--max-connections <n>', 'open connections across all listeners (default: 2147483647)', integer(1))
    .option('--max-connections-per-ip <n>', 'open connections from one address (default: 2147483647)', integer(1))
    .option('--max-connections-per-ip-overrides <list>', 'per-address limits, e.g. 127.0.0.1:200,10.0.0.7:5')
    .option('--connections-max-idle-ms <ms>', 'close connections idle this long (default: 600000, -1 never)', integer(-1))
    .option('--listeners <list>', 'NAME://host:port,... with NAME one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL (replaces --host/--port)')
    .option('--advertised-listeners <list>', 'NAME://host:port,... what each listener tells clients (default: its own host and port)')
    .option('--listener-security-protocol-map <map>', 'NAME:PROTOCOL,... for listeners with custom names')
    .option('--ssl-key-file <pem>', 'private key of SSL / SASL_SSL listeners (re-read on SIGHUP)')
    .option('--ssl-cert-file <pem>', 'certificate chain of SSL / SASL_SSL listeners (re-read on SIGHUP)')
    .option('--ssl-ca-file <pem>', 'CA certificates client certificates must chain to')
    .option('--ssl-key-password <password>', 'password of an encrypted private key')
    .option('--ssl-client-auth <mode>', "client certificates: 'none', 'requested' or 'required' (default: none)", oneOf('none', 'requested', 'required'))
    .option('--sasl-enabled-mechanisms <list>', 'mechanisms of SASL listeners (default: PLAIN,SCRAM-SHA-256,SCRAM-SHA-512)')
    .option('--connections-max-reauth-ms <ms>', 'SASL sessions end after this unless the client re-authenticates, KIP-368 (default: 0, never)', integer(0))
    .option('--authorizer', "enforce ACLs (Kafka's authorizer.class.name=StandardAuthorizer); manage them with samsa acls")
    .option('--super-users <list>', 'principals allowed everything, e.g. "User:admin;User:ops" (needs --authorizer)')
    .option('--allow-everyone-if-no-acl-found', 'a resource no ACL names is open to everyone (needs --authorizer; default: closed)')
    .option('--log-level <level>', 'debug, info, warn or error', oneOf<LogLevel>('debug', 'info', 'warn', 'error'), 'info')
    .option('--http-port <port>', 'serve Prometheus /metrics and the dashboard on this port, 0 for any free one (default: off)', httpPortArg)
    .option('--http-host <host>', 'interface of the HTTP server (default: 127.0.0.1)')
    .action(async (flags: StartFlags, command: Command) => {
      const { logLevel, httpPort, httpHost, socketRequestMaxBytes, sslKeyFile, sslCertFile, sslCaFile, sslKeyPassword, sslClientAuth, ...rest } = flags;
      const options: BrokerOptions = { ...rest, maxRequestBytes: socketRequestMaxBytes, logger: createStderrLogger(logLevel) };
      if (sslKeyFile !== undefined || sslCertFile !== undefined) {
        if (sslKeyFile === undefined || sslCertFile === undefined) command.error('error: --ssl-key-file and --ssl-cert-file go together', { exitCode: 2 });
        options.tls = { keyFile: sslKeyFile, certFile: sslCertFile, ...(sslCaFile !== undefined ? { caFile: sslCaFile } : {}), ...(sslKeyPassword !== undefined ? { keyPassword: sslKeyPassword } : {}), ...(sslClientAuth !== undefined ? { clientAuth: sslClientAuth } : {}) };
      }
      if (flags.memory && flags.dataDir !== undefined) command.error('error: --memory and --data-dir cannot be used together', { exitCode: 2 });
      try {
        resolveBrokerConfig(options);
      } catch (err) {
        command.error(`error: ${(err as Error).message}`, { exitCode: 2 });
      }
      await runBroker(options, httpPort === undefined ? null : { httpPort, httpHost });
    });
}

async function runBroker(options: BrokerOptions, http: { httpPort: number; httpHost: string | undefined } | null): Promise<void> {
  let broker;
  try {
    broker = await startBroker(options);
  } catch (err) {
    process.stderr.write(`samsa: could not start the broker: ${(err as Error).message}\n`);
    process.exit(1);
  }
  let httpServer: { close(): Promise<void> } | null = null;
  let httpLine = '';
  if (http !== null) {
    try {
      // Loaded only with --http-port: the admin client, the dashboard and prom-client are not needed to listen.
      const { startHttp } = await import('./observe-http.js');
      const started = await startHttp(
        { bootstrapServers: `${broker.host}:${broker.port}`, clientId: 'samsa-observe' },
        { httpPort: http.httpPort, ...(http.httpHost !== undefined ? { httpHost: http.httpHost } : {}) },
        broker,
      );
      httpServer = started;
      httpLine = `samsa http listening on ${started.server.url} (dashboard; metrics at ${started.server.url}metrics)\n`;
    } catch (err) {
      process.stderr.write(`samsa: could not start the HTTP server: ${(err as Error).message}\n`);
      await broker.close();
      process.exit(1);
    }
  }
  // Certificates are re-read on SIGHUP (as nginx and many daemons do): renew the files, then `kill -HUP`.
  process.on('SIGHUP', () => {
    try {
      broker.reloadTls();
    } catch (err) {
      options.logger?.error('could not reload TLS certificates; keeping the current ones', { error: (err as Error).message });
    }
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal while we flush: give up at once.
      process.exit(1);
    }
    stopping = true;
    options.logger?.info('stopping', { signal });
    (httpServer?.close() ?? Promise.resolve()).catch(() => undefined).then(() => broker.close()).then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`samsa: error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  // Before the listen line: whoever reads it may signal us at once, and must get a clean stop.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const data = broker.config.dataDir === null ? 'in memory' : broker.config.dataDir;
  const listeners = broker.listeners.map(String).join(', ');
  process.stdout.write(`samsa broker listening on ${broker.config.host}:${broker.port} (data: ${data}; listeners: ${listeners})\n${httpLine}`);
}
