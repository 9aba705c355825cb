import { MemoryLogger, type Logger } from '../../src/common/logger.js';
import { startBroker, type Broker, type StartBrokerOptions } from '../../src/broker/index.js';
import { makeTempDir } from './temp-dir.js';

export interface TestBrokerOptions extends StartBrokerOptions {
  /** Keep data in a fresh temporary directory (removed on close) instead of in memory. */
  durable?: boolean;
}

export interface TestBroker extends Broker {
  /** `127.0.0.1:<port>`, for clients' bootstrap lists. */
  readonly bootstrap: string;
  /** Every log line, unless a logger was passed in. */
  readonly logger: MemoryLogger;
}

/**
 * An embedded broker for tests: port 0 on 127.0.0.1, in memory (or a temporary data dir with
 * `durable`), quiet logs kept in `logger`, no initial rebalance delay and a small minimum
 * session timeout so group tests run fast. `close()` also removes the temporary directory.
 */
export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const { durable, ...rest } = options;
  const dir = durable && rest.dataDir === undefined ? await makeTempDir('samsa-broker-') : null;
  const logger = new MemoryLogger();
  const broker = await startBroker({
    ...(rest.listeners === undefined ? { host: '127.0.0.1', port: 0 } : {}),
    memory: !durable && rest.dataDir === undefined,
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 100,
    logger: logger as Logger,
    ...(dir !== null ? { dataDir: dir.path } : {}),
    ...rest,
  });
  return {
    host: broker.host,
    port: broker.port,
    config: broker.config,
    context: broker.context,
    bootstrap: `127.0.0.1:${broker.port}`,
    logger,
    listeners: broker.listeners,
    faults: broker.faults,
    recycler: broker.recycler,
    reloadTls: () => broker.reloadTls(),
    enforceRetention: () => broker.enforceRetention(),
    cleanLogs: () => broker.cleanLogs(),
    async close() {
      await broker.close();
      await dir?.remove();
    },
  };
}
