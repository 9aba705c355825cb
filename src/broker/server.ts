import { systemClock, type Clock } from '../common/clock.js';
import { createStderrLogger } from '../common/logger.js';
import { openLogStore } from '../storage/index.js';
import { BufferRecycler } from '../common/buffer-recycler.js';
import type { LogStore } from '../storage/types.js';
import { resolveBrokerConfig, type BrokerConfig, type BrokerOptions } from './config.js';
import { Connection, type ConnectionShared } from './connection.js';
import { ConnectionLimits, parsePerIpOverrides } from './limits/connection-limits.js';
import { RequestMemoryPool } from './limits/request-memory-pool.js';
import { ListenerServer, loadTlsContext, type ListenerHooks } from './listener-server.js';
import { isTls } from './security/listeners.js';
import { ScramCredentialTable } from './security/credentials.js';
import { addUser, CredentialStore, credentialsPath } from './credential-store.js';
import { AclStore, aclsPath } from './acl-store.js';
import type { BrokerContext } from './context.js';
import { BrokerFaults, GroupClock } from './faults/index.js';
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
import { raiseMallocThreshold } from '../common/malloc-threshold.js';

export interface Broker {
  /** Address clients should use (the advertised host). */
  readonly host: string;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  readonly config: BrokerConfig;
  /** Internal state, for tests and tools embedded in the same process. */
  readonly context: BrokerContext;
  /** Every bound listener (name, protocol, bound port, advertised endpoint). */
  readonly listeners: readonly ListenerServer[];
  /**
   * Re-reads the TLS key, certificate and CA files; new connections use them, open ones keep
   * theirs. Throws (keeping the old ones) when the files cannot be read or do not match.
   */
  reloadTls(): void;
  /** The fault-injection seam, with `faults: true` (tests, `samsa/testing`); null otherwise. */
  readonly faults: BrokerFaults | null;
  /** Where Produce frames spanning socket reads are assembled and recycled (a data dir store); null otherwise. */
  readonly recycler: BufferRecycler | null;
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
  /**
   * Turns on the fault-injection seam (`broker.faults`): group time that tests can move forward,
   * forced rebalances and evictions, lost or late heartbeats, paused fetches, failing requests.
   * For tests only; nothing on the wire reaches it. Default false.
   */
  faults?: boolean;
  /** Memory for recently appended batches across partitions (file store). Default 64 MiB. */
  tailCacheBytes?: number;
}

/** Starts a broker in this process. `startBroker({ port: 0, memory: true })` suits tests. */
export async function startBroker(options: StartBrokerOptions = {}): Promise<Broker> {
  const config = resolveBrokerConfig(options);
  raiseMallocThreshold();
  const log = options.logger ?? createStderrLogger('info');
  const clock = options.clock ?? systemClock;
  // Read before anything is opened: a damaged ACL file stops the start-up with nothing to undo.
  const acls = config.authorizer ? new AclStore({ superUsers: config.superUsers, allowEveryoneIfNoAclFound: config.allowEveryoneIfNoAclFound }, config.dataDir === null ? null : aclsPath(config.dataDir)) : null;
  // Produce frames are assembled in recycled buffers only when the store is ours and on disk: its
  // tail cache then holds what it keeps of them (a memory store keeps views for good).
  const recycler = options.store === undefined && config.dataDir !== null ? new BufferRecycler() : undefined;
  const store =
    options.store ??
    (await openLogStore({
      ...(recycler !== undefined ? { recycler } : {}),
      ...(options.tailCacheBytes !== undefined ? { tailCacheBytes: options.tailCacheBytes } : {}),
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
  // With fault injection the group coordinator runs on a clock the test can move forward.
  const groupClock = options.faults === true ? new GroupClock(clock) : null;
  try {
    // Replays the rebalance history, then the coordinators' logs, before any client can connect.
    timeline = await GroupTimelineStore.open({ store, config, log, clock });
    const history = timeline;
    groups = await GroupCoordinatorShell.open({ store, config, log, clock: groupClock ?? clock, onOutput: (records, events) => history.onCoordinatorOutput(records, events) });
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
  const handlers = handlerRegistry();
  const faults = groupClock === null ? null : new BrokerFaults({ groupClock, groups, config, log, store, handlers });
  const context: BrokerContext = {
    config,
    log,
    clock,
    store,
    handlers,
    txn,
    closing: closing.signal,
    groups,
    timeline,
    credentials: openCredentials(config),
    acls,
    faults,
  };
  const connections = new Set<Connection>();
  const shared: ConnectionShared = { memory: new RequestMemoryPool(config.queuedMaxRequestBytes), ...(recycler !== undefined ? { recycler } : {}) };
  const limits = new ConnectionLimits({
    maxConnections: config.maxConnections,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    perIpOverrides: parsePerIpOverrides(config.maxConnectionsPerIpOverrides),
  });
  const hooks: ListenerHooks = {
    admit(socket) {
      const address = socket.remoteAddress ?? 'unknown';
      const refusal = limits.tryOpen(address);
      socket.on('error', () => {});
      if (refusal !== null) {
        // Kafka closes a connection over max.connections.per.ip at once; we do the same for
        // max.connections (Kafka instead stops accepting until a slot frees).
        log.info('refusing connection', { remote: `${address}:${socket.remotePort}`, reason: refusal, open: limits.openCount });
        publishBrokerEvent(BROKER_EVENTS.connectionRefused, { nodeId: config.nodeId, port: config.port, remote: `${address}:${socket.remotePort}`, reason: refusal });
        return false;
      }
      socket.once('close', () => limits.closed(address));
      return true;
    },
    ready(socket, listener, principal) {
      const connection = new Connection(socket, context, shared, listener, principal, (c) => connections.delete(c));
      connections.add(connection);
    },
  };
  const tlsFiles = config.tls;
  const tls = tlsFiles !== null && config.listeners.some((l) => isTls(l.securityProtocol)) ? { files: tlsFiles, context: loadTlsContext(tlsFiles) } : null;
  const listeners: ListenerServer[] = [];
  try {
    for (const spec of config.listeners) listeners.push(await ListenerServer.open(spec, config.advertised.get(spec.name)!, tls, hooks, log));
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    await txn.close();
    await groups.close();
    await timeline.close();
    if (options.store === undefined) await store.close();
    throw err;
  }
  const port = listeners[0]!.port;
  // Events and logs name the broker by its first listener's bound port (differs from the option with port 0).
  (config as { port: number }).port = port;
  (config as { listeners: BrokerConfig['listeners'] }).listeners = config.listeners.map((spec, i) => ({ ...spec, port: listeners[i]!.port }));
  for (const l of listeners) {
    if (l.exposedWithoutAuthentication) {
      const exposure = config.authorizer ? 'they act as User:ANONYMOUS, with whatever ACLs grant it' : 'anyone can read, write and delete every topic';
      log.warn(`listener ${l} accepts unauthenticated, unencrypted connections from any host that can reach it: ${exposure}. Bind 127.0.0.1, or use SSL / SASL_SSL listeners.`, { listener: l.name });
    }
  }
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
    listeners,
    faults,
    recycler: recycler ?? null,
    enforceRetention: () => retention.runNow(),
    cleanLogs: () => cleaner.runNow(),
    reloadTls() {
      if (tls === null) return;
      const context = loadTlsContext(tls.files);
      for (const l of listeners) if (isTls(l.securityProtocol)) l.setTlsContext(context);
      log.info('TLS certificates reloaded', { certFile: tls.files.certFile });
    },
    close() {
      closed ??= (async () => {
        closing.abort();
        faults?.close();
        await retention.stop();
        await cleaner.stop();
        producerExpiry.stop();
        const stopped = Promise.all(listeners.map((l) => l.close()));
        for (const c of connections) c.destroy('broker-shutdown');
        await stopped;
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

function openCredentials(config: BrokerConfig): CredentialStore {
  const inMemory = new ScramCredentialTable();
  for (const [user, password] of Object.entries(config.saslUsers)) addUser(inMemory, user, password);
  return new CredentialStore(config.dataDir === null ? null : credentialsPath(config.dataDir), inMemory);
}
