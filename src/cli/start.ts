import { InvalidArgumentError, type Command } from 'commander';
import { createStderrLogger, type LogLevel } from '../common/logger.js';
import { resolveBrokerConfig, startBroker, type BrokerOptions } from '../broker/index.js';
import { httpPortArg, startHttp } from './observe-http.js';

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
    .option('--log-level <level>', 'debug, info, warn or error', oneOf<LogLevel>('debug', 'info', 'warn', 'error'), 'info')
    .option('--http-port <port>', 'serve Prometheus /metrics and the dashboard on this port, 0 for any free one (default: off)', httpPortArg)
    .option('--http-host <host>', 'interface of the HTTP server (default: 127.0.0.1)')
    .action(async (flags: StartFlags, command: Command) => {
      const { logLevel, httpPort, httpHost, ...rest } = flags;
      const options: BrokerOptions = { ...rest, logger: createStderrLogger(logLevel) };
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
  process.stdout.write(`samsa broker listening on ${broker.config.host}:${broker.port} (data: ${data})\n${httpLine}`);
}
