import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../errors.js';
import { publishConnect, publishDisconnect } from '../events.js';
import type { BrokerAddress, ResolvedClientOptions } from '../options.js';
import { backoffMs } from './backoff.js';
import { BrokerConnection } from './connection.js';
import { sleepMs } from './sleep.js';

/** Node id of a connection made to a bootstrap address before its node id is known. */
export const BOOTSTRAP_NODE_ID = -1;

export interface ConnectionListener {
  onConnect(conn: BrokerConnection): void;
  onDisconnect(conn: BrokerConnection, reason: string, failedRequests: number): void;
}

interface AddressState {
  failures: number;
  nextAttemptAtMs: number;
}

/**
 * The connections of one client: one per (node, lane). The `default` lane carries most requests;
 * the group coordinator gets its own lane, as the Java client keeps a separate socket for it, so a
 * heartbeat never waits behind a long-polling Fetch to the same broker. A broker that refused or
 * dropped us is retried after an exponential, jittered reconnect backoff.
 */
export class ConnectionPool {
  private readonly connections = new Map<string, BrokerConnection>();
  private readonly addresses = new Map<string, AddressState>();
  private closed = false;

  constructor(
    private readonly options: ResolvedClientOptions,
    private readonly listener: ConnectionListener,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Every open (or opening) connection. */
  all(): BrokerConnection[] {
    return [...this.connections.values()];
  }

  /** A ready connection on `lane` with the fewest requests waiting, if any. */
  leastLoaded(lane: string): BrokerConnection | undefined {
    let best: BrokerConnection | undefined;
    for (const c of this.connections.values()) {
      if (c.lane !== lane || c.state !== 'ready') continue;
      if (best === undefined || c.inFlightCount < best.inFlightCount) best = c;
    }
    return best;
  }

  /** Whether a connection to `addr` failed recently and is still in its backoff window. */
  isBackingOff(addr: BrokerAddress): boolean {
    const s = this.addresses.get(addrKey(addr));
    return s !== undefined && s.nextAttemptAtMs > this.options.clock.nowMs();
  }

  /** The ready connection for (node, lane), connecting (after any backoff) when needed. */
  async get(nodeId: number, addr: BrokerAddress, lane: string): Promise<BrokerConnection> {
    if (this.closed) throw new KafkaError(ErrorCode.NETWORK_EXCEPTION, { broker: nodeId }, 'the client is closed');
    const key = connKey(nodeId, addr, lane);
    let conn = this.connections.get(key);
    if (conn !== undefined && conn.state !== 'closed') {
      await conn.connect();
      return conn;
    }
    const state = this.addresses.get(addrKey(addr));
    const waitMs = state === undefined ? 0 : state.nextAttemptAtMs - this.options.clock.nowMs();
    if (waitMs > 0) await sleepMs(waitMs);
    if (this.closed) throw new KafkaError(ErrorCode.NETWORK_EXCEPTION, { broker: nodeId }, 'the client is closed');
    conn = this.connections.get(key);
    if (conn === undefined || conn.state === 'closed') {
      conn = this.open(nodeId, addr, lane, key);
    }
    await conn.connect();
    return conn;
  }

  private open(nodeId: number, addr: BrokerAddress, lane: string, key: string): BrokerConnection {
    const conn = new BrokerConnection(nodeId, addr.host, addr.port, lane, this.options);
    this.connections.set(key, conn);
    let wasReady = false;
    conn.connect().then(
      () => {
        wasReady = true;
        this.addresses.delete(addrKey(addr));
        publishConnect({
          clientId: this.options.clientId, nodeId: conn.nodeId, host: addr.host, port: addr.port, lane,
          apiVersions: Object.fromEntries([...conn.brokerVersions.keys()].map((k) => [k, conn.versionFor(k)]).filter(([, v]) => v! >= 0)),
        });
        this.listener.onConnect(conn);
      },
      () => this.recordFailure(addr),
    );
    conn.onClose = (reason, failed) => {
      for (const [k, c] of this.connections) if (c === conn) this.connections.delete(k);
      if (!wasReady) return;
      // A connection that worked and then dropped is retried after the first backoff step.
      if (!this.closed) this.recordFailure(addr);
      publishDisconnect({ clientId: this.options.clientId, nodeId: conn.nodeId, host: addr.host, port: addr.port, lane, reason, inFlightRequests: failed });
      this.listener.onDisconnect(conn, reason, failed);
    };
    return conn;
  }

  private recordFailure(addr: BrokerAddress): void {
    const key = addrKey(addr);
    const s = this.addresses.get(key) ?? { failures: 0, nextAttemptAtMs: 0 };
    const o = this.options;
    s.nextAttemptAtMs = o.clock.nowMs() + backoffMs(s.failures, o.reconnectBackoffMs, o.reconnectBackoffMaxMs, o.random);
    s.failures++;
    this.addresses.set(key, s);
  }

  /**
   * Files bootstrap connections under the node id Metadata revealed for their address, so the
   * client does not open a second socket to the same broker.
   */
  adopt(nodeId: number, addr: BrokerAddress): void {
    for (const [key, conn] of [...this.connections]) {
      if (conn.nodeId !== BOOTSTRAP_NODE_ID || conn.host !== addr.host || conn.port !== addr.port) continue;
      const target = connKey(nodeId, addr, conn.lane);
      if (this.connections.has(target)) continue;
      conn.nodeId = nodeId;
      this.connections.delete(key);
      this.connections.set(target, conn);
    }
  }

  /** Closes one node's connections (e.g. after it left the cluster). */
  closeNode(nodeId: number, reason: string): void {
    for (const c of this.all()) if (c.nodeId === nodeId) c.close(reason);
  }

  close(): void {
    this.closed = true;
    for (const c of this.all()) c.close('client closed');
    this.connections.clear();
  }
}

function addrKey(a: BrokerAddress): string {
  return `${a.host}:${a.port}`;
}

function connKey(nodeId: number, a: BrokerAddress, lane: string): string {
  return nodeId === BOOTSTRAP_NODE_ID ? `b:${addrKey(a)}|${lane}` : `${nodeId}|${lane}`;
}

