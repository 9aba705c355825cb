/**
 * The connection layer of the Samsa client: one `Cluster` per producer, consumer or admin.
 *
 *   const cluster = new Cluster({ bootstrapServers: ['localhost:9092'], clientId: 'app' });
 *   const { version, response, nodeId } = await cluster.request(target, apiKey, body, opts?);
 *
 * - `target`: `'any'` (least-loaded ready broker, else a known or bootstrap one), a node id,
 *   `{ coordinator: groupId }` (FindCoordinator, cached, on its own `coordinator` lane) or
 *   `'controller'`.
 * - `apiKey`: the numeric key; `body` is the generated `…RequestInit` type, or a function
 *   `(version) => init` when the body depends on the negotiated version (Metadata v0 vs v1+).
 * - The version is the highest one both the client (CLIENT_API_VERSIONS) and that broker
 *   (ApiVersions, negotiated per connection) support; `opts.minVersion/maxVersion` narrow it.
 * - `opts`: `timeoutMs` (default `requestTimeoutMs`), `lane` (a dedicated connection to the node,
 *   e.g. `'fetch'`), `retries` (transport failures only; default `retries`), `expectResponse`
 *   (false for acks=0 Produce), `encoder` (hand-written body, rarely needed).
 * - Transport failures (refused, dropped, timed out) are retried with backoff; errors *inside* a
 *   response are the caller's to read: use `throwIfError(code, where)` or `new KafkaError(...)`,
 *   and `cluster.retry(fn)` to retry a whole step on retriable KafkaErrors.
 * - Metadata: `metadata({ topics | 'all' })`, `leaderFor(topic, p)`, `partitionCount(topic)`,
 *   `cache` (brokers, topics, controller). Retriable metadata errors refresh and retry.
 * - Coordinator: `coordinator(groupId)` -> node id; `invalidateCoordinator(groupId)` after
 *   NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE (automatic for `{ coordinator }` targets, on
 *   transport failures and on a top-level errorCode saying so).
 * - `versionFor(nodeId, apiKey)`, events `connect` / `disconnect` (also on diagnostics_channel,
 *   see docs/events.md), `close()`.
 */
import { EventEmitter } from 'node:events';
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiKey, ApiTypes } from '../../protocol/messages/index.js';
import type { FindCoordinatorResponse } from '../../protocol/messages/10-find-coordinator.js';
import type { MetadataResponse } from '../../protocol/messages/03-metadata.js';
import { KafkaError } from '../errors.js';
import { publishMetadata, publishRequestError } from '../events.js';
import { resolveClientOptions, type BrokerAddress, type ClientOptions, type ResolvedClientOptions } from '../options.js';
import { backoffMs } from './backoff.js';
import type { BrokerConnection } from './connection.js';
import { BOOTSTRAP_NODE_ID, ConnectionPool } from './connection-pool.js';
import type { BodyEncoder } from './frames.js';
import { MetadataCache } from './metadata-cache.js';
import { sleepMs } from './sleep.js';
import { apiName } from './versions.js';
import { raiseMallocThreshold } from '../../common/malloc-threshold.js';

export type RequestTarget = 'any' | 'controller' | number | { coordinator: string; keyType?: CoordinatorKeyType };

/** FindCoordinator key types: 0 group, 1 transaction. */
export type CoordinatorKeyType = 0 | 1;

export interface RequestOptions {
  timeoutMs?: number;
  lane?: string;
  minVersion?: number;
  maxVersion?: number;
  retries?: number;
  expectResponse?: boolean;
  encoder?: BodyEncoder;
}

export interface RequestResult<K extends ApiKey> {
  version: number;
  response: ApiTypes[K]['response'];
  nodeId: number;
}

export type RequestBody<K extends ApiKey> = ApiTypes[K]['requestInit'] | ((version: number) => ApiTypes[K]['requestInit']);

export interface MetadataQuery {
  /** Topic names, or 'all'. Default: the topics asked about before (or none). */
  topics?: readonly string[] | 'all';
  /** Refresh even when the cache is fresh. */
  force?: boolean;
  /** Let the broker create missing topics (the producer's default, like the Java producer). */
  allowAutoTopicCreation?: boolean;
}

export interface ClusterEvents {
  connect: [conn: BrokerConnection];
  disconnect: [conn: BrokerConnection, reason: string, failedRequests: number];
}

export class Cluster extends EventEmitter<ClusterEvents> {
  readonly options: ResolvedClientOptions;
  readonly cache = new MetadataCache();
  private readonly pool: ConnectionPool;
  private readonly coordinators = new Map<string, Promise<number>>();
  private readonly coordinatorAddresses = new Map<number, BrokerAddress>();
  private readonly topicsOfInterest = new Set<string>();
  private metadataInFlight: Promise<void> | null = null;

  constructor(options: ClientOptions | ResolvedClientOptions) {
    super();
    raiseMallocThreshold();
    this.options = isResolved(options) ? options : resolveClientOptions(options);
    this.pool = new ConnectionPool(this.options, {
      onConnect: (c) => this.emit('connect', c),
      onDisconnect: (c, reason, failed) => this.emit('disconnect', c, reason, failed),
    });
  }

  get closed(): boolean {
    return this.pool.isClosed;
  }

  /** Sends one request and returns the decoded response with the version used. */
  async request<K extends ApiKey>(target: RequestTarget, apiKey: K, body: RequestBody<K>, opts: RequestOptions = {}): Promise<RequestResult<K>> {
    const retries = opts.retries ?? this.options.retries;
    const api = apiName(apiKey);
    for (let attempt = 0; ; attempt++) {
      let nodeId = -1;
      try {
        const conn = await this.connectionFor(target, opts.lane);
        nodeId = conn.nodeId;
        const version = conn.versionFor(apiKey, opts);
        if (version < 0) {
          const theirs = conn.brokerVersions.get(apiKey);
          throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, { api, broker: conn.label }, `UNSUPPORTED_VERSION (35): broker ${conn.label} supports ${api} ${theirs ? `v${theirs.min}-v${theirs.max}` : 'not at all'}, which the client cannot use`);
        }
        const init = typeof body === 'function' ? (body as (v: number) => unknown)(version) : body;
        const response = await conn.send(apiKey, version, init, { timeoutMs: opts.timeoutMs, expectResponse: opts.expectResponse, encoder: opts.encoder });
        if (typeof target === 'object') this.checkCoordinatorMoved(target, response);
        return { version, response: response as ApiTypes[K]['response'], nodeId };
      } catch (err) {
        const willRetry = err instanceof KafkaError && err.retriable && attempt < retries && !this.closed;
        this.reportError(api, nodeId, err, attempt, willRetry);
        if (!willRetry) throw err;
        if (typeof target === 'object') this.invalidateCoordinator(target.coordinator, target.keyType ?? 0);
        await sleepMs(this.retryDelayMs(attempt));
      }
    }
  }

  /** A coordinator that answers NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE is looked up again next time. */
  private checkCoordinatorMoved(target: { coordinator: string; keyType?: CoordinatorKeyType }, response: unknown): void {
    const code = (response as { errorCode?: unknown } | undefined)?.errorCode;
    if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.invalidateCoordinator(target.coordinator, target.keyType ?? 0);
  }

  /**
   * Runs `step` until it succeeds, retrying retriable KafkaErrors (up to `retries`, with backoff).
   * `onRetriable` runs before each retry, to refresh metadata or drop a cached coordinator.
   */
  async retry<T>(step: (attempt: number) => Promise<T>, opts: { retries?: number; onRetriable?: (err: KafkaError) => void | Promise<void> } = {}): Promise<T> {
    const retries = opts.retries ?? this.options.retries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await step(attempt);
      } catch (err) {
        if (!(err instanceof KafkaError) || !err.retriable || attempt >= retries || this.closed) throw err;
        await opts.onRetriable?.(err);
        await sleepMs(this.retryDelayMs(attempt));
      }
    }
  }

  retryDelayMs(attempt: number): number {
    const o = this.options;
    return backoffMs(attempt, o.retryBackoffMs, o.retryBackoffMaxMs, o.random);
  }

  /** The negotiated version for `apiKey` with node `nodeId` (connecting if needed), or -1. */
  async versionFor(nodeId: number, apiKey: ApiKey, limits?: { minVersion?: number; maxVersion?: number }): Promise<number> {
    const conn = await this.connectionFor(nodeId);
    return conn.versionFor(apiKey, limits);
  }

  private reportError(api: string, nodeId: number, err: unknown, attempt: number, willRetry: boolean): void {
    const k = err instanceof KafkaError ? err : null;
    publishRequestError({
      clientId: this.options.clientId, api, nodeId, attempt, willRetry,
      code: k?.code ?? ErrorCode.UNKNOWN_SERVER_ERROR, name: k?.name ?? (err as Error).name,
      retriable: k?.retriable ?? false, message: (err as Error).message,
    });
    if (willRetry) this.options.logger.debug('retrying request', { api, nodeId, attempt, error: (err as Error).message });
  }

  // ---- connections -------------------------------------------------------------------------

  private async connectionFor(target: RequestTarget, lane?: string): Promise<BrokerConnection> {
    if (target === 'any') return this.anyConnection(lane ?? 'default');
    if (target === 'controller') {
      await this.metadata({});
      // No controller, or one the metadata does not list (some brokers report a stale id): any
      // broker will do, since KRaft brokers forward admin requests to the controller (KIP-590).
      const id = this.cache.controllerId;
      return this.cache.brokers.has(id) ? this.nodeConnection(id, lane ?? 'default') : this.anyConnection(lane ?? 'default');
    }
    if (typeof target === 'number') return this.nodeConnection(target, lane ?? 'default');
    const nodeId = await this.coordinator(target.coordinator, target.keyType ?? 0);
    return this.nodeConnection(nodeId, lane ?? 'coordinator');
  }

  /** Node `nodeId`'s connection on `lane`; an unknown node triggers one metadata refresh. */
  private async nodeConnection(nodeId: number, lane: string): Promise<BrokerConnection> {
    let addr = this.addressOf(nodeId);
    if (addr === undefined) {
      await this.refreshMetadata();
      addr = this.addressOf(nodeId);
    }
    if (addr === undefined) {
      throw new KafkaError(ErrorCode.BROKER_NOT_AVAILABLE, { broker: nodeId }, `BROKER_NOT_AVAILABLE (8): node ${nodeId} is not in the cluster metadata`);
    }
    return this.pool.get(nodeId, addr, lane);
  }

  private addressOf(nodeId: number): BrokerAddress | undefined {
    return this.cache.brokers.get(nodeId) ?? this.coordinatorAddresses.get(nodeId);
  }

  /**
   * The least-loaded ready connection, else the first known broker (then bootstrap address) that
   * accepts a connection; brokers in reconnect backoff are tried last (Java's leastLoadedNode).
   */
  private async anyConnection(lane: string): Promise<BrokerConnection> {
    const ready = this.pool.leastLoaded(lane);
    if (ready !== undefined) return ready;
    const candidates: Array<{ nodeId: number; addr: BrokerAddress }> = [];
    for (const b of this.cache.brokers.values()) candidates.push({ nodeId: b.nodeId, addr: b });
    for (const a of this.options.bootstrapServers) candidates.push({ nodeId: BOOTSTRAP_NODE_ID, addr: a });
    const rotated = shuffle(candidates, this.options.random);
    rotated.sort((x, y) => Number(this.pool.isBackingOff(x.addr)) - Number(this.pool.isBackingOff(y.addr)));
    let last: unknown;
    for (const c of rotated) {
      try {
        return await this.pool.get(c.nodeId, c.addr, lane);
      } catch (err) {
        last = err;
      }
    }
    throw last instanceof KafkaError ? last : new KafkaError(ErrorCode.NETWORK_EXCEPTION, { cause: last }, 'NETWORK_EXCEPTION (13): no broker reachable');
  }

  // ---- metadata ----------------------------------------------------------------------------

  /**
   * The metadata cache, refreshed first when a requested topic is unknown or older than
   * `metadataMaxAgeMs` (or on `force`). Requested topics are remembered and refreshed together
   * from then on, as the Java producer keeps its topics fresh.
   */
  async metadata(q: MetadataQuery = {}): Promise<MetadataCache> {
    const nowMs = this.options.clock.nowMs();
    const maxAgeMs = this.options.metadataMaxAgeMs;
    if (q.topics === 'all') {
      if (q.force || nowMs - this.allTopicsAtMs >= maxAgeMs) await this.refreshMetadata('all', q.allowAutoTopicCreation ?? false);
      return this.cache;
    }
    const topics = q.topics ?? [];
    for (const t of topics) this.topicsOfInterest.add(t);
    const stale = q.force === true || nowMs - this.cache.updatedAtMs >= maxAgeMs || topics.some((t) => this.cache.isStale(t, nowMs, maxAgeMs));
    if (stale) await this.refreshMetadata(topics, q.allowAutoTopicCreation ?? false);
    return this.cache;
  }

  private allTopicsAtMs = -Infinity;

  /**
   * Asks one broker for metadata. Concurrent refreshes share one request when it covers what the
   * second caller needs; otherwise the second waits for the first and then asks again.
   */
  async refreshMetadata(topics: readonly string[] | 'all' = [], allowAutoTopicCreation = false): Promise<void> {
    for (;;) {
      const inFlight = this.metadataInFlight;
      if (inFlight === null) break;
      await inFlight.catch(() => {});
      if (topics !== 'all' && topics.every((t) => this.cache.topics.has(t) || this.cache.topicErrors.has(t))) return;
    }
    const names = topics === 'all' ? 'all' : [...new Set([...this.topicsOfInterest, ...topics])];
    const run = this.fetchMetadata(names, allowAutoTopicCreation);
    this.metadataInFlight = run;
    try {
      await run;
    } finally {
      if (this.metadataInFlight === run) this.metadataInFlight = null;
    }
  }

  private async fetchMetadata(names: string[] | 'all', allowAutoTopicCreation: boolean): Promise<void> {
    const startMs = this.options.clock.nowMs();
    const all = names === 'all';
    const { response, nodeId } = await this.request('any', 3, (version) => ({
      topics: all ? (version === 0 ? [] : null) : (names as string[]).map((name) => ({ name })),
      allowAutoTopicCreation,
    }));
    this.applyMetadata(response, all);
    publishMetadata({ clientId: this.options.clientId, nodeId, brokers: response.brokers.length, topics: all ? 'all' : (names as string[]), durationMs: this.options.clock.nowMs() - startMs });
  }

  private applyMetadata(res: MetadataResponse, all: boolean): void {
    const nowMs = this.options.clock.nowMs();
    const before = new Set(this.cache.brokers.keys());
    this.cache.apply(res, all, nowMs);
    if (all) this.allTopicsAtMs = nowMs;
    for (const b of this.cache.brokers.values()) this.pool.adopt(b.nodeId, b);
    // A node that left the cluster: drop its connections (coordinator nodes excepted).
    for (const id of before) {
      if (!this.cache.brokers.has(id) && !this.coordinatorAddresses.has(id)) this.pool.closeNode(id, 'node left the cluster metadata');
    }
  }

  /**
   * The leader of topic/partition, refreshing metadata while it is unknown or leaderless
   * (LEADER_NOT_AVAILABLE right after creation, UNKNOWN_TOPIC_OR_PARTITION until auto-creation
   * lands), up to `retries` times; then a KafkaError with the topic's own error.
   */
  async leaderFor(topic: string, partition: number, opts: { allowAutoTopicCreation?: boolean } = {}): Promise<number> {
    await this.metadata({ topics: [topic], allowAutoTopicCreation: opts.allowAutoTopicCreation });
    return this.retry(async (attempt) => {
      if (attempt > 0) await this.refreshMetadata([topic], opts.allowAutoTopicCreation ?? false);
      const leader = this.cache.leaderFor(topic, partition);
      if (leader >= 0) return leader;
      const known = this.cache.topics.get(topic);
      const code = known === undefined
        ? (this.cache.topicErrors.get(topic) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
        : partition >= known.partitions.length ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.LEADER_NOT_AVAILABLE;
      throw new KafkaError(code, { api: 'Metadata', topic, partition });
    });
  }

  /** The number of partitions of `topic`, waiting (like leaderFor) while it is not known yet. */
  async partitionCount(topic: string, opts: { allowAutoTopicCreation?: boolean } = {}): Promise<number> {
    await this.metadata({ topics: [topic], allowAutoTopicCreation: opts.allowAutoTopicCreation });
    return this.retry(async (attempt) => {
      if (attempt > 0) await this.refreshMetadata([topic], opts.allowAutoTopicCreation ?? false);
      const n = this.cache.partitionCount(topic);
      if (n > 0) return n;
      throw new KafkaError(this.cache.topicErrors.get(topic) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, { api: 'Metadata', topic });
    });
  }

  /** Marks a topic's metadata stale after NOT_LEADER_OR_FOLLOWER and friends. */
  invalidateTopic(topic: string): void {
    this.cache.invalidateTopic(topic);
  }

  // ---- coordinators ------------------------------------------------------------------------

  /** The node coordinating `key` (a group id by default), cached until invalidated. */
  coordinator(key: string, keyType: CoordinatorKeyType = 0): Promise<number> {
    const cacheKey = `${keyType}:${key}`;
    let p = this.coordinators.get(cacheKey);
    if (p === undefined) {
      p = this.findCoordinator(key, keyType);
      this.coordinators.set(cacheKey, p);
      p.catch(() => {
        if (this.coordinators.get(cacheKey) === p) this.coordinators.delete(cacheKey);
      });
    }
    return p;
  }

  invalidateCoordinator(key: string, keyType: CoordinatorKeyType = 0): void {
    this.coordinators.delete(`${keyType}:${key}`);
  }

  private findCoordinator(key: string, keyType: CoordinatorKeyType): Promise<number> {
    const groupId = keyType === 0 ? key : undefined;
    return this.retry(async () => {
      const { version, response } = await this.request('any', 10, (v) => (v >= 4 ? { keyType, coordinatorKeys: [key] } : { key, keyType }));
      const c = pickCoordinator(response, version);
      if (c.errorCode !== ErrorCode.NONE) throw new KafkaError(c.errorCode, { api: 'FindCoordinator', groupId, detail: c.errorMessage });
      this.coordinatorAddresses.set(c.nodeId, { host: c.host, port: c.port });
      return c.nodeId;
    });
  }

  /** Closes every connection; requests still waiting fail with NETWORK_EXCEPTION. */
  async close(): Promise<void> {
    this.pool.close();
  }
}

function pickCoordinator(res: FindCoordinatorResponse, version: number): { errorCode: number; errorMessage: string | null; nodeId: number; host: string; port: number } {
  if (version >= 4) {
    const c = res.coordinators[0];
    if (c === undefined) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'empty FindCoordinator answer', nodeId: -1, host: '', port: 0 };
    return c;
  }
  return res;
}

function isResolved(o: ClientOptions | ResolvedClientOptions): o is ResolvedClientOptions {
  const list = (o as ResolvedClientOptions).bootstrapServers;
  return Array.isArray(list) && list.length > 0 && typeof list[0] === 'object' && 'logger' in o && 'clock' in o && 'random' in o && typeof (o as ResolvedClientOptions).requestTimeoutMs === 'number';
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

