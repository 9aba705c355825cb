import { createServer, type Server } from 'node:net';
import { systemClock, type Clock } from '../common/clock.js';
import { createStderrLogger } from '../common/logger.js';
import { openLogStore } from '../storage/index.js';
import type { LogStore } from '../storage/types.js';
import { resolveBrokerConfig, type BrokerConfig, type BrokerOptions } from './config.js';
import { Connection } from './connection.js';
import type { BrokerContext } from './context.js';
import { BROKER_EVENTS, publishBrokerEvent } from './events.js';
import { GroupCoordinatorShell } from './groups/shell.js';
import { GroupTimelineStore } from './groups/timeline/index.js';
import { handlerRegistry } from './handlers/index.js';
import { startLogCleaner } from './log-cleaner.js';
import { publishStorageFacts } from './storage-facts.js';
import type { CleanedLogStats } from '../storage/index.js';
import { startProducerExpiryTimer } from './producer-expiry.js';
import { startRetentionTimer } from './retention.js';
import { TxnCoordinatorShell } from './txn/shell.js';

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
  /** Runs the log cleaner now over every compacted partition that is cleanable; returns what each pass did. */
  cleanLogs(): Promise<CleanedLogStats[]>;
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
      verifyOnOpen: config.verifyOnStart,
      repairOnOpen: config.repair,
      log,
      clock,
      compaction: {
        deleteRetentionMs: config.logCleanerDeleteRetentionMs,
        minCompactionLagMs: config.logCleanerMinCompactionLagMs,
        maxCompactionLagMs: config.logCleanerMaxCompactionLagMs,
        minCleanableDirtyRatio: config.logCleanerMinCleanableRatio,
      },
    }));
  // The cluster id is the store's (persisted with the data), so clients see the same one after a restart.
  (config as { clusterId: string }).clusterId = store.clusterId;
  const closing = new AbortController();
  let groups: GroupCoordinatorShell;
  let txn: TxnCoordinatorShell;
  let timeline: GroupTimelineStore | undefined;
  try {
    // Replays the rebalance history, then the coordinators' logs, before any client can connect.
    timeline = await GroupTimelineStore.open({ store, config, log, clock });
    const history = timeline;
    groups = await GroupCoordinatorShell.open({ store, config, log, clock, onOutput: (records, events) => history.onCoordinatorOutput(records, events) });
    try {
      txn = await TxnCoordinatorShell.open({ store, config, log, clock, groups });
    } catch (err) {
      await groups.close();
      throw err;
    }
  } catch (err) {
    await timeline?.close();
    if (options.store === undefined) await store.close();
    throw err;
  }
  const context: BrokerContext = {
    config,
    log,
    clock,
    store,
    handlers: handlerRegistry(),
    txn,
    closing: closing.signal,
    groups,
    timeline,
  };
  const connections = new Set<Connection>();
  const server: Server = createServer((socket) => {
    connections.add(new Connection(socket, context, (c) => connections.delete(c)));
  });
  try {
    await listen(server, config.port, config.host);
  } catch (err) {
    await txn.close();
    await groups.close();
    await timeline.close();
    if (options.store === undefined) await store.close();
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  // Metadata must advertise the port actually bound, which differs from the option with port 0.
  (config as { port: number }).port = port;
  const retention = startRetentionTimer(context);
  publishStorageFacts(context);
  const cleaner = startLogCleaner(context);
  const producerExpiry = startProducerExpiryTimer(context);
  log.debug('broker started', { host: config.host, port, advertisedHost: config.advertisedHost, nodeId: config.nodeId, dataDir: config.dataDir ?? '(memory)' });
  publishBrokerEvent(BROKER_EVENTS.started, { nodeId: config.nodeId, port, host: config.host, dataDir: config.dataDir });
  let closed: Promise<void> | null = null;
  return {
    host: config.advertisedHost,
    port,
    config,
    context,
    enforceRetention: () => retention.runNow(),
    cleanLogs: () => cleaner.runNow(),
    close() {
      closed ??= (async () => {
        closing.abort();
        await retention.stop();
        await cleaner.stop();
        producerExpiry.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const c of connections) c.destroy('broker-shutdown');
        });
        await txn.close();
        await groups.close();
        await timeline.close();
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
