import { createServer, type Server } from 'node:net';
import { systemClock, type Clock } from '../common/clock.js';
import { createStderrLogger } from '../common/logger.js';
import { openLogStore } from '../storage/index.js';
import type { LogStore } from '../storage/types.js';
import { resolveBrokerConfig, type BrokerConfig, type BrokerOptions } from './config.js';
import { Connection, type ConnectionShared } from './connection.js';
import { ConnectionLimits, parsePerIpOverrides } from './limits/connection-limits.js';
import { RequestMemoryPool } from './limits/request-memory-pool.js';
import type { BrokerContext } from './context.js';
import { BROKER_EVENTS, publishBrokerEvent } from './events.js';
import { GroupCoordinatorShell } from './groups/shell.js';
import { handlerRegistry } from './handlers/index.js';
import { ProducerStateTable } from './producer-state.js';
import { startRetentionTimer } from './retention.js';

export interface Broker {
  /** Address clients should use (the advertised host). */
  readonly host: string;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  readonly config: BrokerConfig;
  /** Internal state, for tests and tools embedded in the same process. */
  readonly context: BrokerContext;
  /** Runs a retention pass now (it also runs every `logRetentionCheckIntervalMs`); returns segments deleted. */
  enforceRetention(): Promise<number>;
  /** Stops accepting connections, closes open ones, syncs and closes storage. */
  close(): Promise<void>;
}

export interface StartBrokerOptions extends BrokerOptions {
  /** Time source; tests may pass a manual clock. Default: the system clock. */
  clock?: Clock;
  /** A log store to use instead of opening one from the options (tests). It is closed with the broker. */
  store?: LogStore;
}

/** Starts a broker in this process. `startBroker({ port: 0, memory: true })` suits tests. */
export async function startBroker(options: StartBrokerOptions = {}): Promise<Broker> {
  const config = resolveBrokerConfig(options);
  const log = options.logger ?? createStderrLogger('info');
  const clock = options.clock ?? systemClock;
  const store =
    options.store ??
    (await openLogStore({
      dataDir: config.dataDir,
      segmentBytes: config.logSegmentBytes,
      retentionMs: config.logRetentionMs,
      retentionBytes: config.logRetentionBytes,
      flushPolicy: config.flushPolicy,
      flushIntervalMs: config.flushIntervalMs,
      log,
      clock,
    }));
  // The cluster id is the store's (persisted with the data), so clients see the same one after a restart.
  (config as { clusterId: string }).clusterId = store.clusterId;
  const closing = new AbortController();
  let groups: GroupCoordinatorShell;
  try {
    // Replays the group coordinator's log before any client can connect.
    groups = await GroupCoordinatorShell.open({ store, config, log, clock });
  } catch (err) {
    if (options.store === undefined) await store.close();
    throw err;
  }
  const context: BrokerContext = {
    config,
    log,
    clock,
    store,
    handlers: handlerRegistry(),
    // Ids from a previous run must not be handed out again: start from the clock (ms since 1970).
    producers: new ProducerStateTable(clock.nowMs()),
    closing: closing.signal,
    groups,
  };
  const connections = new Set<Connection>();
  const shared: ConnectionShared = { memory: new RequestMemoryPool(config.queuedMaxRequestBytes) };
  const limits = new ConnectionLimits({
    maxConnections: config.maxConnections,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    perIpOverrides: parsePerIpOverrides(config.maxConnectionsPerIpOverrides),
  });
  const server: Server = createServer((socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const refusal = limits.tryOpen(address);
    if (refusal !== null) {
      // Kafka closes a connection over max.connections.per.ip at once; we do the same for
      // max.connections (Kafka instead stops accepting until a slot frees).
      log.info('refusing connection', { remote: `${address}:${socket.remotePort}`, reason: refusal, open: limits.openCount });
      publishBrokerEvent(BROKER_EVENTS.connectionRefused, { nodeId: config.nodeId, port: config.port, remote: `${address}:${socket.remotePort}`, reason: refusal });
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    connections.add(
      new Connection(socket, context, shared, (c) => {
        connections.delete(c);
        limits.closed(address);
      }),
    );
  });
  try {
    await listen(server, config.port, config.host);
  } catch (err) {
    await groups.close();
    if (options.store === undefined) await store.close();
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  // Metadata must advertise the port actually bound, which differs from the option with port 0.
  (config as { port: number }).port = port;
  const retention = startRetentionTimer(context);
  log.debug('broker started', { host: config.host, port, advertisedHost: config.advertisedHost, nodeId: config.nodeId, dataDir: config.dataDir ?? '(memory)' });
  publishBrokerEvent(BROKER_EVENTS.started, { nodeId: config.nodeId, port, host: config.host, dataDir: config.dataDir });
  let closed: Promise<void> | null = null;
  return {
    host: config.advertisedHost,
    port,
    config,
    context,
    enforceRetention: () => retention.runNow(),
    close() {
      closed ??= (async () => {
        closing.abort();
        await retention.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const c of connections) c.destroy('broker-shutdown');
        });
        await groups.close();
        await store.close();
        log.info('broker stopped', { port });
        publishBrokerEvent(BROKER_EVENTS.stopped, { nodeId: config.nodeId, port });
      })();
      return closed;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
