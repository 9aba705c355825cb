import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Broker } from '../broker/index.js';
import type { Admin } from '../client/admin/index.js';
import type { TimelineEntry } from '../common/timeline/index.js';
import { ClusterPoller } from './cluster-poller.js';
import { LagHistory } from './lag-history.js';
import { BrokerMetrics } from './metrics/broker-metrics.js';
import { ClusterMetrics } from './metrics/cluster-metrics.js';
import type { ClusterSnapshot } from './snapshot-types.js';
import { loadStaticAssets, type StaticAsset } from './static-assets.js';
import { BrokerTimelineSource } from './timeline/broker-source.js';
import { InferredTimeline } from './timeline/inferred.js';
import type { TimelineSource } from './timeline/source.js';

export interface ObserveServerOptions {
  /** An admin client for the cluster to watch (closed by the caller). */
  readonly admin: Admin;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Time between polls of the cluster. Default 5000. */
  readonly pollIntervalMs?: number;
  /** A Samsa broker in this process: exact timeline and broker-internal metrics. */
  readonly broker?: Broker;
  /** Groups to watch even when the cluster cannot list them. */
  readonly groups?: readonly string[];
  /** `cluster_name` label of the kafka-lag-exporter series. Default: the cluster id. */
  readonly clusterName?: string;
}

export interface ObserveServer {
  readonly host: string;
  readonly port: number;
  /** http://host:port/ */
  readonly url: string;
  readonly poller: ClusterPoller;
  readonly timeline: TimelineSource;
  close(): Promise<void>;
}

const SSE_KEEPALIVE_MS = 15_000;

/**
 * The metrics endpoint and the dashboard, over one HTTP server that only reads: `/metrics`
 * (Prometheus text format), `/api/...` (JSON), `/api/events` (server-sent events: a snapshot
 * after each poll, each timeline entry as it is recorded) and the web UI's static files.
 */
export async function startObserveServer(o: ObserveServerOptions): Promise<ObserveServer> {
  const broker = o.broker;
  const brokerTimeline = broker === undefined ? null : new BrokerTimelineSource(broker);
  const inferred = brokerTimeline === null ? new InferredTimeline() : null;
  const timeline: TimelineSource = brokerTimeline ?? inferred!;
  const poller = new ClusterPoller({
    admin: o.admin,
    intervalMs: o.pollIntervalMs ?? 5000,
    timelineSource: timeline.kind,
    ...(o.groups ? { groups: o.groups } : {}),
    ...(broker ? { partitionSizeBytes: (topic: string, partition: number) => broker.context.store.partition(topic, partition)?.sizeBytes ?? null } : {}),
    ...(brokerTimeline ? { generationOf: (g: string) => brokerTimeline.generationOf(g) } : {}),
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const clusterMetrics = new ClusterMetrics(registry, () => o.clusterName ?? poller.latest?.clusterId ?? 'kafka');
  const brokerMetrics = broker === undefined ? null : new BrokerMetrics(registry, broker);
  const lagHistory = new LagHistory();
  const streams = new Set<ServerResponse>();
  const send = (event: string, data: unknown): void => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of streams) res.write(frame);
  };
  poller.onSnapshot((s) => {
    inferred?.observe(s);
    clusterMetrics.update(s, poller.consecutiveFailures === 0);
    lagHistory.add(s);
    send('snapshot', s);
  });
  if (brokerTimeline !== null) {
    // Rebalances recorded before this server started count too.
    for (const g of broker!.context.timeline.groupIds()) for (const e of brokerTimeline.history(g)) clusterMetrics.recordEntry(e);
  }
  const stopEntries = timeline.onEntry((entry: TimelineEntry) => {
    clusterMetrics.recordEntry(entry);
    send('timeline', entry);
  });
  const assets = loadStaticAssets();
  const server = createServer((req, res) => {
    void route(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: err instanceof Error ? err.message : String(err) });
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('read-only: GET and HEAD only\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/metrics') {
      const body = await registry.metrics();
      res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end('ok\n');
      return;
    }
    if (path === '/api/events') return openStream(req, res);
    if (path === '/api/snapshot') return json(res, 200, await currentSnapshot());
    const groupMatch = /^\/api\/groups\/([^/]+)(\/timeline)?$/.exec(path);
    if (groupMatch !== null) {
      const groupId = decodeURIComponent(groupMatch[1]!);
      const entries = timeline.history(groupId);
      if (groupMatch[2] !== undefined) return json(res, 200, { groupId, source: timeline.kind, entries });
      const snapshot = await currentSnapshot();
      const group = snapshot.groups.find((g) => g.groupId === groupId) ?? null;
      if (group === null && entries.length === 0) return json(res, 404, { error: `group "${groupId}" is not known` });
      return json(res, 200, { groupId, atMs: snapshot.atMs, group, lagHistory: lagHistory.of(groupId), timeline: { source: timeline.kind, entries } });
    }
    if (path === '/' || path === '/index.html') return serveAsset(req, res, assets.get('index.html'), url, true);
    const assetMatch = /^\/assets\/([A-Za-z0-9._-]+)$/.exec(path);
    if (assetMatch !== null) return serveAsset(req, res, assets.get(assetMatch[1]!), url, false);
    json(res, 404, { error: `nothing at ${path}` });
  }

  async function currentSnapshot(): Promise<ClusterSnapshot> {
    return poller.latest ?? (await poller.pollNow());
  }

  function serveAsset(req: IncomingMessage, res: ServerResponse, asset: StaticAsset | undefined, url: URL, isPage: boolean): void {
    if (asset === undefined) return json(res, 404, { error: 'no such file (was the dashboard built? npm run build)' });
    let body = asset.body;
    if (isPage) body = Buffer.from(asset.body.toString('utf8').replace(/\/assets\/([A-Za-z0-9._-]+)/g, (m, name: string) => {
      const a = assets.get(name);
      return a === undefined ? m : `/assets/${name}?v=${a.version}`;
    }));
    // Versioned URLs never change content: cache them for good. The page and unversioned URLs revalidate.
    const immutable = !isPage && url.searchParams.get('v') === asset.version;
    const headers: Record<string, string> = {
      'Content-Type': asset.contentType,
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ETag: asset.etag,
      Vary: 'Accept-Encoding',
      'X-Content-Type-Options': 'nosniff',
    };
    if (isPage) headers['Content-Security-Policy'] = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";
    if (!isPage && req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    const gzip = !isPage && asset.gzip !== null && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (gzip) headers['Content-Encoding'] = 'gzip';
    const payload = gzip ? asset.gzip! : body;
    headers['Content-Length'] = String(payload.length);
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : payload);
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 2000\n\n');
    if (poller.latest !== null) res.write(`event: snapshot\ndata: ${JSON.stringify(poller.latest)}\n\n`);
    streams.add(res);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), SSE_KEEPALIVE_MS);
    req.on('close', () => {
      clearInterval(keepalive);
      streams.delete(res);
    });
  }

  await poller.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = o.host ?? '127.0.0.1';
  return {
    host,
    port: address.port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/`,
    poller,
    timeline,
    async close() {
      poller.stop();
      stopEntries();
      timeline.close();
      brokerMetrics?.close();
      for (const res of streams) res.end();
      streams.clear();
      await closeServer(server);
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(text)) }).end(text);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
