import { createServer, type Server } from 'node:net';
import { systemClock, type Clock } from '../common/clock.js';
import { createStderrLogger } from '../common/logger.js';
import { openLogStore } from '../storage/index.js';
import { resolveBrokerConfig, type BrokerConfig, type BrokerOptions } from './config.js';
import { Connection } from './connection.js';
import type { BrokerContext } from './context.js';
import { handlerRegistry } from './handlers/index.js';

export interface Broker {
  /** Address clients should use (the advertised host). */
  readonly host: string;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  readonly config: BrokerConfig;
  /** Internal state, for tests and tools embedded in the same process. */
  readonly context: BrokerContext;
  /** Stops accepting connections, closes open ones, syncs and closes storage. */
  close(): Promise<void>;
}

export interface StartBrokerOptions extends BrokerOptions {
  /** Time source; tests may pass a manual clock. Default: the system clock. */
  clock?: Clock;
}

/** Starts a broker in this process. `startBroker({ port: 0, memory: true })` suits tests. */
export async function startBroker(options: StartBrokerOptions = {}): Promise<Broker> {
  const config = resolveBrokerConfig(options);
  const log = options.logger ?? createStderrLogger('info');
  const clock = options.clock ?? systemClock;
  const store = await openLogStore({
    dataDir: config.dataDir,
    segmentBytes: config.logSegmentBytes,
    retentionMs: config.logRetentionMs,
    retentionBytes: config.logRetentionBytes,
    flushPolicy: config.flushPolicy,
    flushIntervalMs: config.flushIntervalMs,
    log,
    clock,
  });
  const context: BrokerContext = { config, log, clock, store, handlers: handlerRegistry() };
  const connections = new Set<Connection>();
  const server: Server = createServer((socket) => {
    connections.add(new Connection(socket, context, (c) => connections.delete(c)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  // Metadata must advertise the port actually bound, which differs from the option with port 0.
  (config as { port: number }).port = port;
  let closing: Promise<void> | null = null;
  return {
    host: config.advertisedHost,
    port,
    config,
    context,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const c of connections) c.destroy();
        });
        await store.close();
      })();
      return closing;
    },
  };
}
